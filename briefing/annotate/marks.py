"""Quotation marks, paired tolerantly, and the text around them cut into sentences and tokens.

Helpers of :mod:`briefing.annotate.quotes`. Nothing here refuses a text: marks that pair with
nothing are ignored, a straight ``"`` may close a curly ``“`` (and the reverse), and a quote left
open at the end of a paragraph runs on into the next ones when they continue it (the opening
mark repeated at the start of each paragraph, or only a closing mark further on).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

OPENERS = "“„«"
CLOSERS = "”»"
STRAIGHT = '"'
MARKS = OPENERS + CLOSERS + STRAIGHT
MASK = "\x01"  # stands for a quoted region in the masked text; never a word character
_BEFORE_OPEN = " \t\n([{—–-/:;,"
_AFTER_CLOSE = " \t\n)]}.,;:!?—–-/…"
MAX_RUN = 6  # paragraphs a quote may run over


@dataclass(frozen=True, slots=True)
class Marked:
    """A pair of quotation marks: the opening mark at ``open``, the closing one at ``close``
    (``close`` may be the end of a paragraph when a quote runs on without one)."""

    open: int
    close: int
    first_para: int
    last_para: int
    closed: bool  # False when the quote just stops at the end of a paragraph


def split_paragraphs(text: str) -> list[tuple[int, int]]:
    """Spans of the blocks between blank lines, stripped of surrounding whitespace."""
    spans = []
    pos = 0
    for m in re.finditer(r"\n[ \t\r\f\v\u00a0]*\n", text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    out = []
    for s, e in spans:
        chunk = text[s:e]
        lead = len(chunk) - len(chunk.lstrip())
        trail = len(chunk) - len(chunk.rstrip())
        if e - trail > s + lead:
            out.append((s + lead, e - trail))
    return out


def _role(text: str, i: int, lo: int, hi: int) -> str:
    """'open', 'close' or 'either' for the mark at ``i`` inside the paragraph ``[lo, hi)``."""
    ch = text[i]
    prev = text[i - 1] if i > lo else "\n"
    nxt = text[i + 1] if i + 1 < hi else "\n"
    # a curly mark of the wrong hand where only the other can stand (a closer opening a line,
    # an opener ending one) is a typing slip: let the pairing decide
    if ch in OPENERS:
        return "either" if nxt == "\n" and not prev.isspace() else "open"
    if ch in CLOSERS:
        return "either" if prev == "\n" and not nxt.isspace() else "close"
    if prev in _BEFORE_OPEN and not nxt.isspace():
        return "open"
    if not prev.isspace() and (nxt in _AFTER_CLOSE or nxt in MARKS):
        return "close"
    return "either"


def _family(ch: str) -> str:
    return "straight" if ch == STRAIGHT else "curly"


def _marks(text: str, lo: int, hi: int) -> list[tuple[int, str]]:
    return [(i, _role(text, i, lo, hi)) for i in range(lo, hi) if text[i] in MARKS]


def pair_marks(text: str, paragraphs: Sequence[tuple[int, int]]) -> list[Marked]:
    """Every top-level pair of double quotation marks, in source order, never overlapping."""
    per_para = [_marks(text, s, e) for s, e in paragraphs]
    out: list[Marked] = []
    carried: tuple[int, int] | None = None  # (opening mark, its paragraph) of a quote running on
    skip = -1  # the mark that reopens a quote at the start of a continuing paragraph
    for p in range(len(paragraphs)):
        stack: list[int] = [carried[0]] if carried else []
        first = carried[1] if carried else p
        carried = None
        for i, role in per_para[p]:
            if i == skip:
                continue
            if not stack:
                if role != "close":
                    stack, first = [i], p
                continue
            if role != "open":
                if len(stack) == 1:
                    out.append(Marked(stack[0], i, first, p, True))
                stack.pop()
            elif _family(text[i]) != _family(text[stack[-1]]):
                stack.append(i)  # a quotation nested in the outer one
            else:
                if len(stack) == 1 and _ends_sentence_before(text, stack[0], i):
                    # a quoted paragraph whose closing mark was lost when paragraphs were run
                    # together ('"... 24 years. "I have never ..."'): it ends before the mark
                    out.append(Marked(stack[0], i, first, p, False))
                stack, first = [i], p  # otherwise the earlier opening mark was stray
        if stack:
            how = _continues(per_para, paragraphs, p, first) \
                if _may_run_on(text, stack, paragraphs[first][0]) else "stop"
            if how == "stop":
                out.append(Marked(stack[0], paragraphs[p][1], first, p, False))
            else:
                carried = (stack[0], first)
                skip = per_para[p + 1][0][0] if how == "reopen" else -1
    return out


def _ends_sentence_before(text: str, opening: int, i: int) -> bool:
    """Whether the words since the opening mark at ``opening`` end a sentence right before the
    mark at ``i`` (a full stop, '?' or '!' and a space), with a sentence's worth of words; a
    single-quoted quotation may close it, before or after the stop ("... he says, 'I regret
    it'. \"I hope ...")."""
    before = text[opening + 1:i]
    return bool(re.search(r"\w['’]?[.!?…]+['’)]?\s+$", before)) and len(before.split()) >= 3


def _may_run_on(text: str, stack: list[int], para_start: int) -> bool:
    """Only a quotation that opens its paragraph (or follows a colon) and is not inside a nested
    one may run on into the next paragraph; anything else left open is a stray mark."""
    if len(stack) != 1:
        return False
    lead = text[para_start:stack[0]].strip()
    return lead == "" or lead.endswith(":")


def _continues(per_para: list[list[tuple[int, str]]], paragraphs: Sequence[tuple[int, int]],
               p: int, first: int) -> str:
    """How a quote still open at the end of paragraph ``p`` goes on: 'reopen' (the next
    paragraph starts with an opening mark, the usual convention), 'close-later' (a closing mark
    comes first in a later paragraph) or 'stop' (nothing closes it: it ends here)."""
    if p - first + 1 >= MAX_RUN or p + 1 >= len(paragraphs):
        return "stop"
    nxt = per_para[p + 1]
    if nxt and nxt[0][1] == "open" and nxt[0][0] == paragraphs[p + 1][0]:
        return "reopen"
    q = p + 1
    while q < len(per_para) and q - first < MAX_RUN:
        if per_para[q]:
            return "close-later" if per_para[q][0][1] != "open" else "stop"
        q += 1
    return "stop"


def masked(text: str, pairs: Sequence[Marked]) -> str:
    """``text`` with every quoted region (marks included) replaced by :data:`MASK` characters,
    so that sentence splitting and cue search never look inside a quotation."""
    chars = list(text)
    for m in pairs:
        end = m.close + 1 if m.closed else m.close
        for k in range(m.open, end):
            if chars[k] not in "\n":
                chars[k] = MASK
    return "".join(chars)


ABBREV = {
    "mr", "mrs", "ms", "dr", "sen", "rep", "gov", "gen", "lt", "col", "prof", "rev", "st", "jr",
    "sr", "sgt", "capt", "adm", "maj", "no", "vs", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "inc", "corp", "co", "ltd", "u.s", "u.k", "d.c", "a.m",
    "p.m", "e.g", "i.e", "ft", "mt", "pres", "gens", "sens", "reps",
}
# a sentence end: punctuation, or a quoted region as a whole (taken from its start and never
# given back, or every shorter tail of a long quotation would be tried in turn)
_BOUNDARY = re.compile(r"(?:[.!?…]+[”’\"')\]]*|(?P<quote>(?<!" + MASK + r")" + MASK + r"++))"
                       r"(?=\s+[A-Z“\"(\[" + MASK + r"0-9‘'])")
_ENDS_SENTENCE = re.compile(r"[.!?…]\s*[" + re.escape(CLOSERS + STRAIGHT) + r"]$")


def sentences(masked_text: str, lo: int, hi: int, text: str | None = None) -> list[tuple[int, int]]:
    """Sentence spans of ``masked_text[lo:hi]`` (quoted regions masked, so never split); a run
    of more than :data:`MAX_SENTENCE` tokens with no sentence end is cut every so many tokens.

    Given the unmasked ``text``, a quotation whose words end a sentence (``Burton said, "I love
    cats!" Nick agreed.``) ends the reporter's sentence too, unless the quotation opens it: then
    what follows may be its attribution (``"I love cats!" Burton said.``)."""
    out = []
    start = lo
    worded_to, worded = lo, False  # whether the sentence has a word before the offset worded_to
    for m in _BOUNDARY.finditer(masked_text, lo, hi):
        if m.group("quote"):
            if text is None or not _ENDS_SENTENCE.search(text, max(lo, m.end() - 4), m.end()):
                continue
            if not worded:
                worded = re.search(r"\w", masked_text[worded_to:m.start()]) is not None
                worded_to = m.end()
                if not worded:
                    continue
        else:
            word = re.search(r"([\w.’']+)$", masked_text[max(lo, m.start() - 12):m.start()])
            w = word.group(1).lower() if word else ""  # "Poor's." ends a sentence: no initial
            if w in ABBREV or (len(w) == 1 and w.isalpha()):
                continue
        out.extend(_bounded(masked_text, start, m.end()))
        start = m.end()
        while start < hi and masked_text[start].isspace():
            start += 1
        worded_to, worded = start, False
    if start < hi:
        out.extend(_bounded(masked_text, start, hi))
    return out


# Tokens a sentence may have: the longest in PolNeAR dev, the seeds and the BBC articles has 123.
# What is longer (a paragraph of lines with no full stop, a list run on) is cut, because the
# work per quotation grows with its sentence: without a bound, one such paragraph with many
# quotation marks costs the square of its length.
MAX_SENTENCE = 300


def _bounded(masked_text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """``[lo, hi)`` as one span, or cut before every :data:`MAX_SENTENCE`-th token."""
    if hi - lo <= MAX_SENTENCE:  # a token has a character at least
        return [(lo, hi)]
    out = []
    start = prev_end = lo
    for n, m in enumerate(_TOKEN.finditer(masked_text, lo, hi)):
        if n and n % MAX_SENTENCE == 0:
            out.append((start, prev_end))
            start = m.start()
        prev_end = m.end()
    out.append((start, hi))
    return out


_TOKEN = re.compile(
    MASK + r"+|(?:[A-Z]\.){2,}|[A-Z]\.(?=[ \u00a0][A-Z])"
    r"|(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Lt|Col|Prof|Rev|St|Jr|Sr|Sgt|Capt|Adm|Maj|Gens|Sens|Reps)\."
    r"|\d+(?:/\d+)+|[A-Z]+&[A-Z]+\b|[A-Za-z0-9\-]+\.(?:com|org|net|co\.uk)\b|\w(?:[\w’'\-]*\w)?"
    r"|[^\s\w]"
)


_DIGIT_NAME = re.compile(r"\d+[A-Z][a-z]")


@dataclass(frozen=True, slots=True)
class Tok:
    """A token of the masked text: its text and where it starts and ends."""

    text: str
    start: int
    end: int

    @property
    def low(self) -> str:
        return self.text.lower()

    @property
    def is_mask(self) -> bool:
        return self.text.startswith(MASK)

    @property
    def is_word(self) -> bool:
        return self.text[:1].isalnum()

    @property
    def is_cap(self) -> bool:
        """A capitalised word, or a name that starts with a digit ('4Cast', '3Com')."""
        return self.text[:1].isupper() or bool(_DIGIT_NAME.match(self.text))


def tokens(masked_text: str, lo: int, hi: int) -> list[Tok]:
    """Tokens of ``masked_text[lo:hi]`` with absolute offsets."""
    return [Tok(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(masked_text, lo, hi)]
