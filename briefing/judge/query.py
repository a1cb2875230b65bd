"""The theme query language: boolean and proximity operators as media-monitoring tools write them.

A theme's ``terms`` say what counts as evidence and how much (they are scored, BM25). Its
optional ``require`` is a boolean query a passage must satisfy to be shown, written as analysts
write Factiva or Meltwater searches:

    border NEAR/8 (Tajik* OR Turkmen* OR Uzbek* OR Kyrgyz*)
    (recogni* OR legitim*) SAME Taliban
    ATLEAST/2 border AND NOT "Security Council"

- a word matches every form of it (by root, British and American spellings alike); ``word*``
  matches any word starting so; ``"a phrase"`` its words in order;
- ``A AND B`` (or just ``A B``), ``A OR B``, ``NOT A``, parentheses;
- ``A NEAR/n B``: some A within n words of some B; ``A SAME B``: in the same sentence;
- ``ATLEAST/n A``: A occurs at least n times.

Operator words are upper case; ``and``/``or`` in lower case are ordinary words. ``NOT`` binds
tightest, then NEAR/SAME, then AND, then OR. An operator used wrongly is an error with its
offset and what to write instead, never a word: a bare ``NEAR`` (no ``/n``), ``NEAR5``,
``NEAR/0``, ``SAME/3``, ``ATLEAST`` without ``/n``, an ``AND``/``OR``/``SAME`` without a word on
each side, a ``NOT`` with nothing after it, other tools' ``near5`` or ``w/5``. A user who means
the word writes it in lower case or in quotes (``"near"``).

An ``exclude`` entry may be a proximity rule, ``recogni* NEAR/6 terrorist``: occurrences of the
left side within 6 words of the right side are not evidence. That is how a word's other sense
is kept out: "the Supreme Court recognized the activities of the Taliban as terrorist" is a
designation, not diplomatic recognition, so ``recognize`` there does not count for the
recognition theme. Any other operator in an ``exclude`` entry is an error, and so is an
operator written wrongly ("recognize NEAR terrorist" would otherwise be a phrase that never
occurs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefing.judge.textnorm import TOKEN_RE, phrase_starts, root
from briefing.models import Passage

__all__ = ["Node", "Op", "Passage", "QuerySyntaxError", "SenseRule", "Word", "evaluate",
           "has_prefix", "matches", "parse", "sense_rule"]  # Passage: models' (its old home)


class QuerySyntaxError(ValueError):
    """A query that cannot be parsed; ``offset`` is where in the query string."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


# --- The syntax tree -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Word:
    """A word, a ``prefix*``, or a quoted phrase: matched at token positions."""

    text: str
    roots: tuple[str, ...]
    prefix: bool

    def positions(self, p: Passage) -> list[int]:
        return phrase_starts(self.roots, self.prefix, p.roots, p.words)


@dataclass(frozen=True, slots=True)
class Op:
    """An operator node: AND, OR, NOT, NEAR (with ``n``), SAME, ATLEAST (with ``n``)."""

    kind: str
    args: tuple[Node, ...]
    n: int = 0


Node = Word | Op


def evaluate(node: Node, p: Passage) -> tuple[bool, list[int]]:
    """Whether the passage satisfies ``node``, and the word positions that make it so (a
    passage's tokens, ``models.Passage``: its roots, words and where its sentences begin)."""
    if isinstance(node, Word):
        pos = node.positions(p)
        return bool(pos), pos
    if node.kind == "NOT":
        ok, _ = evaluate(node.args[0], p)
        return not ok, []
    if node.kind == "ATLEAST":
        ok, pos = evaluate(node.args[0], p)
        return len(pos) >= node.n, pos
    results = [evaluate(a, p) for a in node.args]
    if node.kind == "AND":
        return all(ok for ok, _ in results), [i for _, pos in results for i in pos]
    if node.kind == "OR":
        return any(ok for ok, _ in results), [i for ok, pos in results if ok for i in pos]
    (_, left), (_, right) = results
    if node.kind == "NEAR":
        hits = [i for i in left if any(abs(i - j) <= node.n for j in right)]
        hits += [j for j in right if any(abs(i - j) <= node.n for i in left)]
    else:  # SAME
        sentence = p.sentence_ids()
        hits = [i for i in left if any(sentence[i] == sentence[j] for j in right)]
        hits += [j for j in right if any(sentence[i] == sentence[j] for i in left)]
    return bool(hits), sorted(set(hits))


def matches(node: Node, p: Passage) -> bool:
    """Whether the passage satisfies the query."""
    return evaluate(node, p)[0]


def has_prefix(node: Node) -> bool:
    """Whether a word of the query is a ``prefix*``: it is matched against the words as written
    (``recognis*`` matches "recognise", whose root is "recogn"), so a passage's words are read."""
    if isinstance(node, Word):
        return node.prefix
    return any(has_prefix(a) for a in node.args)


# --- Parsing --------------------------------------------------------------------------------

_OP = r"(?:(?:NEAR|ATLEAST)/\d+|AND|OR|NOT|SAME)(?![\w*/])"
_LEX = re.compile(r'\s*(?:(?P<phrase>"[^"]*"?)|(?P<open>\()|(?P<close>\))'
                  rf'|(?P<op>{_OP})|(?P<word>[^\s()"]+))')

# What to write instead, for each operator a user may have meant (every message ends with one).
_HINTS = {
    "NEAR": "write NEAR/5 for 'within 5 words', or \"near\" in quotes for the word",
    "ATLEAST": "write ATLEAST/2 border for 'border at least twice', or \"atleast\" in quotes "
               "for the word",
    "SAME": "write a SAME b for 'a and b in one sentence', or \"same\" in quotes for the word",
    "AND": "write a AND b (or a b) for 'both', or \"and\" in quotes for the word",
    "OR": "write a OR b for 'either', or \"or\" in quotes for the word",
    "NOT": "write NOT a for 'a does not occur', or \"not\" in quotes for the word",
}
# A word that is an operator name in upper case, followed by nothing, '*', '/' or a digit: an
# operator written wrongly ("NEAR", "NEAR5", "NEAR/x", "SAME/3"), never the word it spells.
_UPPER_OP = re.compile(r"(?P<op>NEAR|ATLEAST|SAME|AND|OR|NOT)(?P<rest>(?:[*/\d].*)?)", re.S)
# Other tools' spellings of the proximity operators, in any case: Factiva's "near5" and
# "atleast3", Lexis's "w/5", a lower-case "near/5". Nobody means these as words.
_FOREIGN_OP = re.compile(r"(?:(?P<op>near|atleast)/?|w/)(?P<n>\d+)\*?", re.I)


def _misused_operator(word: str) -> str | None:
    """The message for a word token that is an operator written wrongly, or None for a word.

    Operator words are upper case; a bare ``NEAR`` used to pass as the word "near" and a
    section matched nothing without a word of warning, so every near miss is an error that
    says what to write instead."""
    m = _UPPER_OP.fullmatch(word)
    if m:
        op, rest = m.group("op"), m.group("rest")
        if op in ("NEAR", "ATLEAST") and rest in ("", "*"):
            what = "a distance" if op == "NEAR" else "a count"
            return f"{op} needs {what}: {_HINTS[op]}"
        if op in ("NEAR", "ATLEAST") and rest.rstrip("*").isdigit():
            return f"{word!r} is not an operator: {_write(op, rest.rstrip('*'))}"
        if op in ("NEAR", "ATLEAST") and rest.startswith("/"):
            return f"{op}/n needs a number n: {_HINTS[op]}"
        if op == "SAME" and rest not in ("", "*"):
            return ("SAME takes no number: write a SAME b for 'in one sentence', or "
                    "a NEAR/5 b for 'within 5 words'")
        return f"{word!r} is not an operator: {_HINTS[op]}"
    m = _FOREIGN_OP.fullmatch(word)
    if m:
        op = "ATLEAST" if (m.group("op") or "").lower() == "atleast" else "NEAR"
        return f"{word!r} is not an operator: {_write(op, m.group('n'))} (operators are upper case)"
    return None


def _write(op: str, n: str) -> str:
    """What to write for NEAR or ATLEAST with the number ``n`` a user gave."""
    return (f"write NEAR/{n} for 'within {n} words'" if op == "NEAR"
            else f"write ATLEAST/{n} for 'at least {n} times'")


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str
    text: str
    offset: int


def _lex(source: str) -> list[_Tok]:
    out, pos = [], 0
    while pos < len(source):
        m = _LEX.match(source, pos)
        if m is None or m.end() == pos:
            if source[pos:].strip() == "":
                break
            raise QuerySyntaxError(f"unexpected {source[pos]!r}", pos)
        kind = m.lastgroup or ""
        offset = m.start(kind)
        text = m.group(kind)
        if kind == "phrase" and (len(text) < 2 or not text.endswith('"')):
            raise QuerySyntaxError("unclosed quotation mark", offset)
        if kind == "word" and (message := _misused_operator(text)) is not None:
            raise QuerySyntaxError(message, offset)
        out.append(_Tok(kind, text, offset))
        pos = m.end()
    return out


def _name(tok: _Tok) -> str:
    """The operator's name: ``NEAR`` for ``NEAR/5``."""
    return tok.text.split("/")[0]


def _word(tok: _Tok) -> Word:
    raw = tok.text[1:-1] if tok.kind == "phrase" else tok.text
    prefix = raw.endswith("*")
    words = TOKEN_RE.findall(raw.rstrip("*"))
    if not words:
        raise QuerySyntaxError(f"{tok.text!r} has no word to match", tok.offset)
    if "*" in raw.rstrip("*"):
        raise QuerySyntaxError("a * may only end a word", tok.offset)
    if prefix:
        *head, last = words
        return Word(raw, tuple(root(w) for w in head) + (last.lower(),), True)
    return Word(raw, tuple(root(w) for w in words), False)


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.toks = _lex(source)
        self.i = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node:
        if not self.toks:
            raise QuerySyntaxError("empty query", 0)
        node = self.or_()
        tok = self.peek()
        if tok is not None:
            raise QuerySyntaxError(f"unexpected {tok.text!r}" if tok.kind != "close"
                                   else "unbalanced ')'", tok.offset)
        return node

    def or_(self) -> Node:
        args = [self.and_()]
        while (tok := self.peek()) is not None and tok.kind == "op" and tok.text == "OR":
            self.take()
            args.append(self.and_())
        return args[0] if len(args) == 1 else Op("OR", tuple(args))

    def and_(self) -> Node:
        args = [self.near()]
        while (tok := self.peek()) is not None and tok.kind != "close" and \
                not (tok.kind == "op" and tok.text == "OR"):
            if tok.kind == "op" and tok.text == "AND":
                self.take()
            args.append(self.near())
        return args[0] if len(args) == 1 else Op("AND", tuple(args))

    def near(self) -> Node:
        left = self.unary()
        while (tok := self.peek()) is not None and tok.kind == "op" and \
                (tok.text.startswith("NEAR/") or tok.text == "SAME"):
            self.take()
            right = self.unary()
            for side in (left, right):
                if isinstance(side, Op) and side.kind == "NOT":
                    raise QuerySyntaxError(f"{tok.text} needs words on both sides, not NOT",
                                           tok.offset)
            n = int(tok.text.split("/")[1]) if "/" in tok.text else 0
            if tok.text.startswith("NEAR/") and n < 1:
                raise QuerySyntaxError("NEAR/n needs n of at least 1: write NEAR/1 for 'next "
                                       "to each other', or \"a b\" in quotes for the phrase",
                                       tok.offset)
            left = Op("NEAR" if n else "SAME", (left, right), n)
        return left

    def unary(self) -> Node:
        tok = self.peek()
        if tok is None or tok.kind == "close" or (tok.kind == "op" and _name(tok) not in
                                                  ("NOT", "ATLEAST")):
            raise self.missing(tok)
        if tok.kind == "op" and tok.text == "NOT":
            self.take()
            return Op("NOT", (self.unary(),))
        if tok.kind == "op" and tok.text.startswith("ATLEAST/"):
            self.take()
            n = int(tok.text.split("/")[1])
            if n < 1:
                raise QuerySyntaxError("ATLEAST/n needs n of at least 1: write ATLEAST/2 for "
                                       "'at least twice'", tok.offset)
            node = self.unary()
            if isinstance(node, Op) and node.kind == "NOT":
                raise QuerySyntaxError(f"{tok.text} counts words, not NOT", tok.offset)
            return Op("ATLEAST", (node,), n)
        if tok.kind == "open":
            self.take()
            node = self.or_()
            close = self.peek()
            if close is None or close.kind != "close":
                raise QuerySyntaxError("unclosed '('", tok.offset)
            self.take()
            return node
        return _word(self.take())

    def missing(self, tok: _Tok | None) -> QuerySyntaxError:
        """The error for a word or group expected where ``tok`` is (None: the end): named after
        the operator left without its operand, at that operator, with what to write."""
        before = self.toks[self.i - 1] if self.i > 0 else None
        if tok is not None and tok.kind == "op":  # a binary operator with nothing on its left
            return _lacking(tok, "on each side")
        if before is not None and before.kind == "op":
            return _lacking(before, "after it" if _name(before) in ("NOT", "ATLEAST")
                            else "on each side")
        if before is not None and before.kind == "open":
            if tok is None:
                return QuerySyntaxError("unclosed '('", before.offset)
            return QuerySyntaxError("empty parentheses: put a word or group in them",
                                    before.offset)
        if tok is None:
            return QuerySyntaxError("the query ends where a word was expected", len(self.source))
        return QuerySyntaxError("unbalanced ')'", tok.offset)


def _lacking(op: _Tok, side: str) -> QuerySyntaxError:
    """``op`` has no word or group ``side``: say so at the operator, with how it is written."""
    name, n = _name(op), op.text.partition("/")[2]
    if name == "NEAR":
        hint = f"write a {op.text} b for 'a within {n} words of b'"
    elif name == "ATLEAST":
        hint = f"write {op.text} border for 'border at least {n} times'"
    else:
        hint = _HINTS[name]
    return QuerySyntaxError(f"{op.text} needs a word or group {side}: {hint}", op.offset)


def parse(source: str) -> Node:
    """Parse a query; raises QuerySyntaxError with the offset of the problem."""
    return _Parser(source).parse()


# --- Sense rules (``exclude`` entries with NEAR/n) ------------------------------------------


@dataclass(frozen=True, slots=True)
class SenseRule:
    """``target NEAR/n context``: the target's occurrences near the context are not evidence."""

    text: str
    target: Node
    context: Node
    within: int

    def masked(self, roots: list[str], words: list[str]) -> set[int]:
        """Token positions of the target's words that are in the excluded sense."""
        p = Passage("", 0, 0, 0, None, roots, words)
        _, targets = evaluate(self.target, p)
        _, contexts = evaluate(self.context, p)
        out: set[int] = set()
        for i in targets:
            if any(abs(i - j) <= self.within for j in contexts):
                width = self.target.roots.__len__() if isinstance(self.target, Word) else 1
                out.update(range(i, i + width))
        return out


_PIECE = re.compile(r'"[^"]*"?|[^\s()"]+')


def _is_rule(source: str) -> bool:
    """Whether an ``exclude`` entry is a rule (it has an operator outside quotes, or a word that
    is an operator written wrongly) rather than a phrase. "Security Council" is a phrase;
    "recognize NEAR/8 terrorist" and "recognize NEAR terrorist" (an error) are rules."""
    return any(not m.group().startswith('"') and (re.match(_OP, m.group()) is not None or
                                                  _misused_operator(m.group()) is not None)
               for m in _PIECE.finditer(source))


def sense_rule(source: str) -> SenseRule | None:
    """An ``exclude`` entry written as ``A NEAR/n B``, or None for a plain phrase; raises
    QuerySyntaxError for any other use of the operators (they would silently make a phrase
    that never occurs)."""
    if not _is_rule(source):
        return None
    node = parse(source)
    if not (isinstance(node, Op) and node.kind == "NEAR"):
        other = next((t for t in _lex(source) if t.kind == "op" and _name(t) != "NEAR"), None)
        op = _name(other) if other else "a query"
        raise QuerySyntaxError(
            f"an exclude entry is a phrase or a rule 'word NEAR/n context', not {op}"
            + (f": {op} belongs in require, or write \"{op.lower()}\" in quotes for the word"
               if other else ""), other.offset if other else 0)
    return SenseRule(source, node.args[0], node.args[1], node.n)
