"""Article text -> quotations (:class:`~briefing.models.Quote`) with who said them.

A quotation is words in quotation marks that the article attributes to someone (contract.md):
a reporting cue with a speaker in the same sentence (``"...," said Kabulov``, ``Lavrov said:
"..."``, ``urged the Taliban "..."``, ``called it a "..."``, ``is describing it as "..."``,
``"..." reply Burton and Nick``: two speakers are one speaker string), a
signature after a dash (``"..." ― Sonya Herridge``), a transcript's speaker label
(:mod:`briefing.annotate.turns`), a quoted sentence continuing the quote before it, or a bare quoted
sentence right after one reporting its speaker (``He said:`` closing the paragraph before). Quoted words nobody is said to have said (scare quotes, titles, terms) are left
out. Marks are paired tolerantly (:mod:`briefing.annotate.marks`); speakers are resolved to the
fullest name the article gives (:mod:`briefing.annotate.people`).

This is a pure-rules extractor: on PolNeAR dev it measures as well as the dependency-parse
prototype, costs milliseconds per article and never loads spaCy. ``parser`` is accepted so that a
caller holding cached parses can pass them; the rules do not need it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice, takewhile
from typing import Any, Protocol

from briefing.annotate.marks import (
    Marked,
    Tok,
    masked,
    pair_marks,
    sentences,
    split_paragraphs,
    tokens,
)
from briefing.annotate.people import (
    DOCUMENTS,
    ORG_WORDS,
    PERSON_HEADS,
    PERSON_NOUNS,
    ROLE_WORDS,
    TITLE_WORDS,
    People,
    head_word,
    is_office,
    is_org,
    is_trade,
    person_name,
)
from briefing.annotate.turns import turns
from briefing.models import Article, Quote, Segmented, Span

__all__ = ["Parser", "article_quotes", "extract_quotes", "plausible_speaker", "CUES"]


class Parser(Protocol):
    """Anything that parses a text into a spaCy-like ``Doc`` (e.g. a cache keyed by content
    hash in front of ``spacy.load(...)``)."""

    def __call__(self, text: str) -> Any: ...


_CUE_VERBS = """
say state tell add explain note remark voice read write urge call ask reply answer declare announce
insist argue claim warn emphasise emphasize stress underscore continue conclude recall acknowledge
admit concede suggest predict promise vow pledge tweet post quip joke shout yell chant respond
observe muse describe label dub term complain boast confirm deny repeat recount agree counter
charge accuse praise criticize criticise lament blast slam tout thunder caution contend maintain
reiterate wonder point quote cite report mock characterize characterise liken laud hail condemn
exhort dismiss comment sing scold deride brand decry assert allege demand threaten question
recommend predict add describe whisper cry exclaim plead beg sneer scoff tease chide rebuke
lambaste lash denounce applaud commend compliment thank blame fault attack ridicule dismiss
reassure advise instruct order testify swear guarantee assure concur echo paraphrase proclaim
retort affirm mutter murmur grumble opine smile laugh sigh grin shrug chuckle
""".split()
# Forms English does not make by rule.
_IRREGULAR = """
said says saying told telling wrote writing read reads reading sang sung sings singing
swore sworn swearing quipped quipping admitted admitting slammed slamming grinned grinning
shrugged shrugging
""".split()


def _inflect(base: str) -> set[str]:
    """The -s, -ed and -ing forms of a regular verb (enough for the cue list above)."""
    if base.endswith("e"):
        return {base, base + "s", base + "d", base[:-1] + "ing"}
    if base.endswith("y") and base[-2:-1] not in "aeiou":
        return {base, base[:-1] + "ies", base[:-1] + "ied", base + "ing"}
    es = "es" if base.endswith(("s", "sh", "ch", "x", "z")) else "s"
    return {base, base + es, base + "ed", base + "ing"}


# Bare forms are nouns as often as verbs ('a call for', 'a report'): only these few report.
_BARE = {"say", "tell", "write", "call", "claim", "argue", "insist", "warn", "ask", "describe",
         "urge", "add", "explain", "agree", "predict", "admit", "deny", "accuse", "liken", "suggest"}
CUES = ({form for base in _CUE_VERBS for form in _inflect(base)} - set(_CUE_VERBS)) | set(_IRREGULAR) | _BARE
CUES -= {"sayed", "sais", "telled", "writed", "readed", "singed", "sweared", "quiped", "admited",
         "admiting", "slamed", "agreing", "grined", "grining", "shruged", "shruging"}
# -s forms that are as often plural nouns ('his remarks', 'get promises from'): a cue only with
# a subject that can be nothing else before them.
_NOUNISH = {"states", "reads", "writes", "cites", "stresses", "warns"} | {
    f for b in """note remark call claim report answer charge post tweet quote comment demand
    question attack praise blame order joke quip vow pledge echo promise lament boast reply label
    term point cry chant thank dismiss smile laugh sigh grin shrug""".split() for f in _inflect(b) if f.endswith("s")}
_BASES = set(_CUE_VERBS)
_PASSIVE = {"is", "was", "are", "were", "be", "been", "being", "gets", "got"}
_ADVERBS = set("""
also later then again has have had previously recently once further repeatedly reportedly publicly
privately flatly simply just often would will did does never not already still bluntly angrily
quickly frequently separately earlier initially first finally even last today yesterday tonight
instead too himself herself themselves itself alone jointly together personally
""".split())
_PREPS = set("""
in on at for with by from to into about during under over after before since through without
against among between via per like near across toward towards upon within amid despite than
""".split())
_SUBORD = set("""
that which who whom whose when while as because but and or if where though although so whether
what how why nor yet until unless till
""".split())
# Past tenses English does not make by rule: verbs, never part of a subject ('Hollywood came calling')
_PAST = set("""
came went got made took gave saw knew thought found left felt became began kept held brought ran
sat stood lost met paid sent spent won broke chose drove fell flew forgot grew hid hung led lay
rang rose sang shook shot sold sought struck swam taught threw understood woke wore
""".split())
_VERBS = set("is was are were be been has have had will would can could may might must should does did do".split())
_TIME = set("""
monday tuesday wednesday thursday friday saturday sunday today yesterday tonight this last next
earlier later recently in on at
""".split())
_CITING = {"citing", "quoting", "cite", "quote"}
_PROGRESSIVE = {"am", "is", "are", "was", "were", "been", "be"}
_BYLINE_DASHES = {"―", "—", "–"}
PRONOUNS_SUBJ = {"i", "we", "he", "she", "they", "it", "you"}
_DETS = {"the", "a", "an", "this", "that", "these", "those", "his", "her", "their", "its", "our"}
_MEDIUM = re.compile(
    r"(?:as quoted by|quoted by|in an interview (?:with|for)|told|according to|speaking (?:to|with)|"
    r"said (?:to|on|in))\s+(?:the\s+)?((?:[A-Z][\w’'\-]*)(?:\s+(?:[A-Z0-9][\w’'\-]*))*)"
)


@dataclass(frozen=True, slots=True)
class _Hit:
    """A reporting cue in a sentence and whom it is about."""

    cue: Tok
    cue_text: str
    mention: tuple[Tok, ...]
    speaker: str | None
    first_person: bool

    @property
    def start(self) -> int:
        return min(self.cue.start, self.mention[0].start) if self.mention else self.cue.start


def extract_quotes(text: str, paragraphs: Sequence[tuple[int, int]] | None = None,
                   *, parser: Parser | None = None) -> list[Quote]:
    """All quotations in an article's text, in source order (models.Quote).

    ``paragraphs`` are the body paragraphs' spans (furniture removed); without them the text is
    split on blank lines. Offsets index ``text`` exactly and exclude the enclosing marks.
    """
    paras = sorted(paragraphs) if paragraphs is not None else split_paragraphs(text)
    pairs = pair_marks(text, paras)
    mtext = masked(text, pairs)
    people = People.build(text, paras)
    sents: list[tuple[int, int]] = []
    for s, e in paras:
        sents.extend(sentences(mtext, s, e, text))
    starts = [s for s, _ in sents]
    hits = [_cues(text, mtext, s, e, people) for s, e in sents]
    flat = [h for hs in hits for h in hs]  # in reading order: cues by sentence, then by token
    cue_starts = [h.cue.start for h in flat]

    @lru_cache(maxsize=4)  # the loop goes in reading order: the sentence at hand and the last
    def sentence_tokens(i: int) -> tuple[list[Tok], list[int]]:
        toks = tokens(mtext, *sents[i])
        return toks, [t.start for t in toks]

    out: list[Quote] = []
    last: Quote | None = None
    for m in pairs:
        spoken = turns(text, m, paras)
        if spoken:
            for turn in spoken:
                label = text[turn.label_start:turn.label_end]
                name = people.full_name(label.split()[-1].title()) or label.title()
                last = Quote(turn.start, turn.end, name, Span(turn.label_start, turn.label_end), ":",
                             "full", 0.85)
                out.append(last)
            continue
        span = _content(text, m)
        if span is None or _is_title(text, m, span):
            continue
        si = max(0, bisect.bisect_right(starts, m.open) - 1)
        ei = max(0, bisect.bisect_right(starts, max(m.open, m.close - 1) if not m.closed else m.close) - 1)
        left = [h for h in hits[si] if h.cue.end <= m.open]
        right = [h for h in hits[ei] if h.start > m.close]
        lead = _tokens_before(*sentence_tokens(si), m.open, mtext)
        after = _tokens_from(*sentence_tokens(ei), m.close + 1, mtext) if m.closed else []
        before = hits[si - 1] if si and _introduces(text, sents[si - 1], sents[si]) else []
        quote = _attribute(text, m, span, left, right, lead, after, sents[ei], last,
                           (flat, cue_starts), people, before, mtext)
        if quote is not None:
            out.append(quote)
            last = quote
    return out


def _tokens_before(toks: list[Tok], starts: list[int], pos: int, mtext: str) -> list[Tok]:
    """The tokens of a sentence before ``pos`` (as if it were tokenised up to there: a masked
    run going on past ``pos`` is cut there)."""
    out = toks[:bisect.bisect_left(starts, pos)]
    if out and out[-1].end > pos:
        out[-1] = Tok(mtext[out[-1].start:pos], out[-1].start, pos)
    return out


def _tokens_from(toks: list[Tok], starts: list[int], pos: int, mtext: str) -> list[Tok]:
    """The tokens of a sentence from ``pos`` on (a masked run begun before it starts there)."""
    k = bisect.bisect_left(starts, pos)
    out = toks[k:]
    if k and toks[k - 1].end > pos:
        out.insert(0, Tok(mtext[pos:toks[k - 1].end], pos, toks[k - 1].end))
    return out


def _introduces(text: str, prev: tuple[int, int], cur: tuple[int, int]) -> bool:
    """Whether the sentence ``prev`` leads into ``cur``: same paragraph, or it ends in a colon."""
    return "\n" not in text[prev[1]:cur[0]] or text[prev[0]:prev[1]].rstrip().endswith(":")


def article_quotes(article: Article, seg: Segmented) -> list[Quote]:
    """The quotations of an article's body (page furniture left out by the segmenter)."""
    return extract_quotes(article.text, [(p.start, p.end) for p in seg.body])


def _content(text: str, m: Marked) -> tuple[int, int] | None:
    """The quoted words between the marks: whitespace and a trailing comma trimmed."""
    a, b = m.open + 1, m.close
    while a < b and text[a].isspace():
        a += 1
    while b > a and (text[b - 1].isspace() or text[b - 1] == ","):
        b -= 1
    return (a, b) if b > a and any(ch.isalnum() for ch in text[a:b]) else None


def _is_title(text: str, m: Marked, span: tuple[int, int]) -> bool:
    """A title or name in marks: in parentheses, or a few capitalised words and no sentence."""
    if m.open > 0 and text[m.open - 1] == "(" and text[m.close + 1:m.close + 2] == ")":
        return True
    words = text[span[0]:span[1]].split()
    if len(words) <= 6 and not re.search(r"[.!?,]$", text[span[0]:span[1]]):
        big = [w for w in words if len(w) > 3]
        # title case leaves only the minor words small ('Game of Thrones'); 'Don't you do it' is
        # a sentence
        small = [w for w in words if len(w) <= 3 and w[:1].isalpha() and not w[:1].isupper()]
        return bool(big) and all(w[:1].isupper() for w in big) and len(words) > 1 \
            and all(w.lower() in _MINOR_WORDS for w in small)
    return False


_MINOR_WORDS = set("a an the and but or nor for so yet of in on at to by up off as vs via per".split())


def _attribute(text: str, m: Marked, span: tuple[int, int], left: list[_Hit], right: list[_Hit],
               lead: list[Tok], after_close: list[Tok], sent: tuple[int, int], last: Quote | None,
               cues: tuple[list[_Hit], list[int]], people: People, before: list[_Hit],
               mtext: str) -> Quote | None:
    """The Quote for one pair of marks, or None when nobody is said to have said it. ``lead``
    and ``after_close`` are the tokens of its sentence before the marks and after them; ``cues``
    every cue of the article in reading order, with their offsets."""
    flat, cue_starts = cues
    kind = _kind(text, span, lead)
    hit, conf = None, 0.0
    if m.closed:
        # a cue is adjacent with at most three words before it: the first four are enough
        after = list(islice((t for t in after_close if t.text not in ",—–-:"), 4))
        ends = re.search(r"[.!?…]\W*$", text[span[0]:span[1]]) is not None
        for h in right:
            if ends and _own_clause(after_close, h):
                break  # the next sentence's own report: this quotation continues the one before
            if after and ((_adjacent(after, h) and not _comma_between(after_close, h)
                           and _subject_by_cue(after_close, h)) or _apposed(after_close, h)):
                if (h.first_person and h.cue.text.lower() in _CITING) or not h.mention:
                    break  # the writer marking a quotation ('- I am citing'), or ', adding that'

                hit, conf = h, 0.95
                break
    # the last cue before the quotation that says who speaks: one inside a relative clause or a
    # subject ('told a young woman who suggested that "..."') is not the sentence's report
    left = [h for h in left if h.mention or h.speaker] or left[-1:]
    if hit is None and left:
        hit, conf = left[-1], 0.8 if kind == "full" else 0.75
    if hit is None and m.closed and right and (kind == "partial" or [t for t in lead if t.is_word]):
        closing = _closing_report(after_close, right)
        # a word or two in marks with a group's report far off is a term ('aimed at "casual
        # players"', 'according to industry experts'); a person's is theirs (', he said.')
        if closing is not None and (len(text[span[0]:span[1]].split()) >= 3 or _personal(closing, people)):
            hit, conf = closing, 0.7
    if hit is not None:
        if hit.first_person or not (hit.mention or hit.speaker):
            return None
        mention = Span(hit.mention[0].start, hit.mention[-1].end) if hit.mention else None
        return Quote(span[0], span[1], hit.speaker, mention, hit.cue_text, kind,
                     conf if m.closed else conf - 0.15, _medium(mtext, sent, hit, people))
    if last is not None and kind == "full" and not [t for t in lead if t.is_word] \
            and last.speaker and m.open - last.end < 600:
        # the cues in between (found by offset: a scan of every cue per quote is quadratic)
        between = flat[bisect.bisect_right(cue_starts, last.end):bisect.bisect_left(cue_starts, m.open)]
        if not [h for h in between if h.speaker != last.speaker]:
            # a continuation carries the cue of the quotation it continues
            return Quote(span[0], span[1], last.speaker, last.speaker_mention, last.cue, kind, 0.7,
                         last.medium)
    if kind == "full" and not [t for t in lead if t.is_word] and before:
        # a bare quoted sentence right after one that reports someone speaking ('X called him
        # a master. "He showed ..."'; 'He said:' closing the paragraph before) is theirs
        h = before[-1]
        if h.speaker and h.mention and not h.first_person:
            mention = Span(h.mention[0].start, h.mention[-1].end)
            return Quote(span[0], span[1], h.speaker, mention, h.cue_text, kind, 0.6, None)
    return None


def _adjacent(after: list[Tok], h: _Hit) -> bool:
    """Whether the cue ``h`` follows the closing mark directly: nothing between but at most a
    few modifiers of its subject ('..." retired Air Force general Lloyd Newton said')."""
    between = [t for t in after if t.start < h.start]
    return len(between) <= 3 and all(
        t.is_word and not t.is_cap and t.low not in _SUBORD | _VERBS | _PREPS | PRONOUNS_SUBJ
        and t.low not in CUES for t in between)


def _subject_by_cue(toks: list[Tok], h: _Hit) -> bool:
    """Whether a cue's subject that comes before it stands by it, as the subject of a report
    of the quotation does: nothing between them but adverbs, or what is set off after the
    subject (an appositive, a relative clause, an age, a party label: '"..." he later said',
    '"..." John Hale, editor of Gamesworld.com told'). A subject the cue reaches across its
    own clause's verb is another report's ('"..." A complaint was made by residents,
    demanding an inquiry')."""
    if not h.mention or h.mention[0].start > h.cue.start:
        return True
    gap = [t for t in toks if h.mention[-1].end <= t.start < h.cue.start]
    return not gap or gap[0].text in ",(" or all(
        t.low in _ADVERBS - _VERBS or (t.low.endswith("ly") and not t.is_cap) for t in gap)


def _comma_between(toks: list[Tok], h: _Hit) -> bool:
    """Whether a comma follows a word between the closing mark and the cue: the words are the
    reporter's sentence going on ('to "hardcore" gamers, said a panel'), not the subject's
    modifiers ('"..." retired Air Force general Lloyd Newton said')."""
    words = False
    for t in toks:
        if t.start >= h.start:
            return False
        if t.is_word:
            words = True
        elif t.text == "," and words:
            return True
    return False


def _apposed(toks: list[Tok], h: _Hit) -> bool:
    """Whether the cue ``h`` follows the closing mark after its subject and an appositive set off
    by commas, the name first or second ('"...," Tetsuro Tsusaka, a telecoms analyst with
    Deutsche Bank, told Reuters', '"...," Authenti-corp's CEO, Cynthia Musselman, told the BBC');
    ``toks`` are the sentence's tokens after the mark."""
    if not h.mention or not toks or not toks[0].is_cap:
        return False
    cue_at = next((i for i, t in enumerate(toks) if t.start == h.cue.start), None)
    if cue_at is None or cue_at > 18 or toks[cue_at - 1].text != ",":
        return False
    seg = toks[:cue_at]
    if any(t.is_mask or t.text in ".;:!?" or t.low in CUES or t.low in _SUBORD - {"of"} for t in seg):
        return False
    commas = [i for i, t in enumerate(seg) if t.text == ","]
    return len(commas) >= 2 and h.mention[0].start in (toks[0].start, toks[commas[0] + 1].start)


def _personal(h: _Hit, people: People) -> bool:
    """Whether a cue's subject is one person: 'he', a person's name, 'a spokesman'."""
    if not h.mention or not h.speaker or people.institution(h.speaker):
        return False
    head = head_word(" ".join(t.text for t in h.mention))
    return head in ("he", "she") or _names_person(h.mention) or head in TITLE_WORDS | PERSON_HEADS


def _closing_report(toks: list[Tok], right: list[_Hit]) -> _Hit | None:
    """The cue that closes the sentence a partial quotation stands in, after a comma ('A cashier
    who "steals a handful of $20s" is held accountable, Warren said.'), when it is the only
    one after the quotation; ``toks`` are the sentence's tokens after the closing mark."""
    h = right[-1]
    if len(right) > 1 or not h.mention or any(t.is_mask for t in toks):
        return None
    first = min(h.cue.start, h.mention[0].start)
    last = max(h.cue.end, h.mention[-1].end)
    i = next((n for n, t in enumerate(toks) if t.start == first), None)
    rest = [t for t in toks if t.start >= last]
    if i is None or i == 0 or toks[i - 1].text != ",":
        return None
    # what may follow the cue before the stop: whom it was told to, when ('..., a spokeswoman
    # told the BBC.', '..., Warren said on Tuesday.')
    words = list(takewhile(lambda t: t.text not in ".!?", rest))
    if len(words) > 5 or any(not t.is_word or t.low in _VERBS | _SUBORD or t.low in CUES for t in words):
        return None
    return h if all(t.text in ".!?" for t in rest[len(words):]) else None


def _own_clause(toks: list[Tok], h: _Hit) -> bool:
    """Whether the cue ``h`` reports words of its own, not the quotation before it: a clause
    follows it ('Some economists have predicted rates will drop', 'All three men said that
    ...', 'A Labour source told the Sunday Times Mr Campbell would ...'), or a colon that
    opens the next quotation ('Paul Green, who chairs the group, said: "..."')."""
    at = next((i for i, t in enumerate(toks) if t.start == h.cue.start), None)
    if at is None:
        return False
    j = at + 1
    if h.mention and h.mention[0].start > h.cue.start:  # inverted: past its subject
        j = next((i for i, t in enumerate(toks) if t.start >= h.mention[-1].end), len(toks))
    if j < len(toks) and toks[j].text == ":":
        return True
    if j + 1 < len(toks) and toks[j].low in PRONOUNS_SUBJ and toks[j + 1].is_word:
        return True  # 'Prof Reddy says he hopes to lease ...': reported speech of its own
    for t in toks[j:j + 12]:
        if t.is_mask or t.text in ",;:.!?—–-(":
            return False
        if t.low == "that" or t.low in _VERBS or (
                not t.is_cap and len(t.low) > 4 and t.low.endswith("ed") and t.low not in CUES):
            return True
    return False


def _kind(text: str, span: tuple[int, int], lead: list[Tok]) -> str:
    """'full' for a sentence or more, 'partial' for a phrase inside the reporter's sentence."""
    words = text[span[0]:span[1]]
    first = next((ch for ch in words if ch.isalpha()), "")
    # the word before the marks, past the few quotations that may stand right before them
    prev = next((t.low for t in islice(reversed(lead), 8) if not t.is_mask), "")
    if first.isupper() and len(words.split()) >= 3 and prev not in _DETS | _PREPS:
        return "full"
    return "partial"


def _medium(mtext: str, sent: tuple[int, int], hit: _Hit, people: People) -> str | None:
    """Where the words were said or printed ('RIA Novosti', 'Izvestia'), never the speaker, and
    never from inside a quotation ('"I said to Zoe, ..." he recalled'): ``mtext`` is the text
    with its quotations masked."""
    for mm in _MEDIUM.finditer(mtext, sent[0], sent[1]):
        name = mm.group(1)
        if hit.speaker and (name in hit.speaker or hit.speaker.endswith(name.split()[-1])):
            continue
        if name.split()[-1] in people.heard_words:
            continue  # someone reported speaking, not a medium
        return name
    return None


# --- cues and their subjects -----------------------------------------------------------------


def _cues(text: str, mtext: str, s: int, e: int, people: People) -> list[_Hit]:
    """Every reporting cue in a sentence with its speaker; each speaker is recorded in
    ``people`` so that later pronouns and descriptions can resolve to it."""
    toks = tokens(mtext, s, e)
    out = []
    for k, t in enumerate(toks):
        low = t.low
        if low == "according" and k + 1 < len(toks) and toks[k + 1].low == "to":
            mention = _author(toks, _forward_np(toks, k + 2))
            cue = Tok(text[t.start:toks[k + 1].end], t.start, toks[k + 1].end)
        elif low == "went" and k + 2 < len(toks) and toks[k + 1].low == "on" and (
                toks[k + 2].text == ":" or toks[k + 2].is_mask or (
                    toks[k + 2].low == "about" and k + 3 < len(toks) and toks[k + 3].is_mask)):
            mention = _subject(toks, k)  # 'He went on: "..."', 'Trump went on about "..."'
            cue = Tok(text[t.start:toks[k + 1].end], t.start, toks[k + 1].end)
        elif t.text in _BYLINE_DASHES and k and toks[k - 1].is_mask:
            mention = _byline(text, toks, k)
            if not mention:
                continue
            cue = t
        elif low in CUES:
            if k and toks[k - 1].low in _PASSIVE and not low.endswith("ing"):
                continue  # 'is called', but 'is calling' reports
            if k and (t.is_cap or toks[k - 1].low in _DETS):
                continue  # a name or a noun: 'The Post sent', 'a call for
            if low in _BARE and k > 1 and toks[k - 2].low in _DETS:
                continue  # 'a rallying call'
            nxt = toks[k + 1] if k + 1 < len(toks) else None
            if low in _NOUNISH and not (k and (toks[k - 1].is_mask or toks[k - 1].low in ("he", "she", "they", "it")
                                               or (toks[k - 1].is_cap and nxt is not None
                                                   and (nxt.is_mask or nxt.low == "that" or nxt.text == ":")))):
                continue  # a noun here: 'the borders of the states', 'his remarks'
            mention = _subject(toks, k)
            cue = t
        elif low in _BASES and _plural_present(toks, k):
            mention = _subject(toks, k)
            cue = t
        else:
            continue
        cleaned = _clean_mention(mention)
        if not cleaned:
            # only a date or an adverb where the subject should be ('early Friday'): the
            # subject is the one speaking lately, named before
            recent = people.resolve_pronoun(t.start) if mention else None
            out.append(_Hit(cue, text[cue.start:cue.end], (), recent, False))
            continue
        mention = cleaned
        if not mention:
            out.append(_Hit(cue, cue.text, (), None, False))
            continue
        first_person = len(mention) == 1 and mention[0].low in ("i", "we", "me", "us")
        named = out[-1] if out and out[-1].mention and out[-1].speaker else None
        if named and _names_person(named.mention) and not _names_person(mention) \
                and mention[0].low not in PRONOUNS_SUBJ and _follows(toks, named.mention[-1], mention[0]):
            # 'said Joshua Osagie, a cocoa farmer from Edo state told Reuters', 'said Greg Abbott,
            # Texas attorney general announcing': the one just named
            out.append(_Hit(cue, text[cue.start:cue.end], named.mention, named.speaker, False))
            continue
        speaker = None if first_person else _interpret(text, mention, people)
        if speaker and not plausible_speaker(speaker):
            # a phrase caught where a subject should be ('fierce competition', 'current
            # Democratic presidential nominee'): nobody can be named (the contract's null), and
            # nobody for a later 'he' to stand for
            out.append(_Hit(cue, text[cue.start:cue.end], tuple(mention), None, False))
            continue
        if speaker:
            people.heard(mention[0].start, speaker, text[mention[0].start:mention[-1].end],
                         plural=len(_conjuncts(mention)) > 1)
        out.append(_Hit(cue, text[cue.start:cue.end], tuple(mention), speaker, first_person))
    return out


def _follows(toks: list[Tok], name_end: Tok, desc: Tok) -> bool:
    """Whether the description starting at ``desc`` is set off by a comma right after the name
    ending at ``name_end``: an appositive of that name."""
    i = next((n for n, t in enumerate(toks) if t.start == desc.start), 0)
    return i >= 2 and toks[i - 1].text == "," and toks[i - 2].start == name_end.start


def _author(toks: list[Tok], np: list[Tok]) -> list[Tok]:
    """Who a document is by: 'according to a report published by UK-based research
    consultancy Analysys' -> 'UK-based research consultancy Analysys'; else the phrase itself."""
    if not np or np[-1].low not in DOCUMENTS:
        return np
    j = toks.index(np[-1]) + 1
    if j < len(toks) and toks[j].low in ("published", "released", "issued", "written", "commissioned"):
        j += 1
    if j < len(toks) and toks[j].low in ("by", "from"):
        by = list(islice(takewhile(lambda t: t.is_word and t.low not in _PREPS | _SUBORD | CUES
                                   and not _verbish(toks, toks.index(t)), toks[j + 1:]), 8))
        if by and by[-1].is_cap:
            return by
    return np


def plausible_speaker(speaker: str) -> bool:
    """Whether a speaker string is a name, an institution or a description (contract.md), never
    a fragment: it opens with a capital (a name, 'Labour strategists'), an article, a possessive
    or a quantifier ('a diplomatic source', 'one dealer', 'his lawyer'), or is many people
    ('critics', 'officials'); it neither opens nor ends with a clause word or a pronoun alone."""
    words = speaker.split()
    if not words:
        return False
    first, last = words[0].lower(), words[-1].lower()
    if (first in _CLAUSE_EDGES - _DETS) or last in _CLAUSE_EDGES or (len(words) == 1 and first in _PRONOUN_WORDS):
        return False
    if len(words) == 1 and first in _MONTHS_DAYS:
        return False
    if speaker[:1].isupper() or re.match(r"\d+[A-Z]", speaker):
        return True  # a name, 'Labour strategists', '4Cast'
    return first in _DETS | _QUANTIFIERS | _POSSESSIVES | _GROUP_NOUNS or (
        last.endswith("s") and not last.endswith("ss"))


_PRONOUN_WORDS = {"he", "she", "it", "they", "him", "her", "them", "we", "us", "i", "me", "you",
                  "himself", "herself", "itself", "themselves", "somebody", "someone", "anybody",
                  "anyone", "everybody", "everyone", "nobody", "there"}
_POSSESSIVES = {"his", "her", "its", "their", "our", "my", "your"}
_GROUP_NOUNS = {"police", "people", "staff", "management", "public", "press", "crew", "audience",
                "media", "military", "government", "opposition", "prosecution", "defence", "defense"}
_CLAUSE_EDGES = {"but", "and", "or", "of", "in", "at", "to", "for", "from", "with", "by", "on",
                 "instead", "also", "now", "then", "so", "until", "unless", "if", "when", "while",
                 "that", "which", "who", "just", "indeed", "not", "the", "a", "an"}


def _plural_present(toks: list[Tok], k: int) -> bool:
    """Whether the bare form at ``k`` ('reply', 'answer'; a noun as often) reports, as it does
    with a plural subject: inverted right after a quotation (``"..." reply Burton and Nick``),
    or between a plural subject and the quotation (``Critics reply: "..."``, ``Burton and Nick
    answer, "..."``, ``They reply "..."``). 'Her reply:', "The Kremlin's answer:" are nouns."""
    t = toks[k]
    if t.is_cap or k == 0:
        return False
    prev = toks[k - 1]
    nxt = toks[k + 1] if k + 1 < len(toks) else None
    if nxt is None:
        return False
    if prev.is_mask or (prev.text == "," and k > 1 and toks[k - 2].is_mask):
        return nxt.is_word and (nxt.is_cap or nxt.low == "the")
    quoted = nxt.is_mask or nxt.text == ":" or (nxt.text == "," and k + 2 < len(toks) and toks[k + 2].is_mask)
    if not quoted or not prev.is_word or prev.low in _DETS or re.search(r"[’']s?$", prev.text):
        return False
    plural = prev.low in ("they", "we") or (k > 2 and _joins(toks, k - 2)) or (
        prev.low.endswith("s") and prev.low not in _VERBS | _PREPS | _SUBORD | _ADVERBS)
    return plural


_NOT_SPEAKERS = set("""
but and or so yet then also however meanwhile when while still though early late earlier later
last next this on at in now there it’s it's that’s that's there’s there's monday tuesday wednesday thursday friday saturday sunday january february
march april june july august september october november december today yesterday tonight
""".split())


_NUMBER = re.compile(r"^[\d.,/%:]+(?:st|nd|rd|th|s)?$")


def _clean_mention(mention: list[Tok]) -> list[Tok]:
    """A mention without the clause words and dates caught at its edges ('But Megan Hester',
    'early Friday'); nothing when only those, a number or an adverb ('egregiously') remain."""
    out = list(mention)
    while out and (out[0].low in _NOT_SPEAKERS or _NUMBER.match(out[0].text)):
        out.pop(0)
    while out and (out[-1].low in _NOT_SPEAKERS or _NUMBER.match(out[-1].text)):
        out.pop()
    if len(out) == 1 and not out[0].is_cap and out[0].low.endswith("ly"):
        return []
    return out


def _byline(text: str, toks: list[Tok], k: int) -> list[Tok]:
    """A name signing the quotation before it ('"..." ― Sonya Herridge'): a dash after the
    closing mark, then a short capitalised run ending its line."""
    run: list[Tok] = []
    j = k + 1
    while j < len(toks) and toks[j].is_cap and toks[j].is_word and len(run) < 5:
        run.append(toks[j])
        j += 1
        if len(toks[j - 1].text) == 1 and j < len(toks) and toks[j].text == ".":
            run.append(toks[j])  # an initial: 'Edwin G. Monroy'
            j += 1
    if not run or run[0].low in PRONOUNS_SUBJ:
        return []
    rest = text[run[-1].end:run[-1].end + 3]
    if not re.match(r"[.,]?\s*(?:\n|$)", rest) and run[-1].end != len(text):
        return []
    return run


def _subject(toks: list[Tok], k: int) -> list[Tok]:
    """Who the cue at ``k`` is about: the noun phrase before it, or after it when inverted
    ('said Kabulov'), or the subject of the clause across an appositive, a relative clause
    ('Ms Robinson, who presents The Weakest Link tells'), an aside between dashes or a
    coordination."""
    rel = _relative_subject(toks, k) or _quoted_object(toks, k)
    if rel:
        return rel
    back = _backward_np(toks, k)
    if back and toks[k].low.endswith("ing"):
        i = toks.index(back[0])
        if i and toks[i - 1].low in _PREPS - {"of", "with", "without"}:
            # 'a plan for an invasion of the country saying': no subject, the clause's ('with
            # Mr Kennedy stressing' has one)
            return _clause_subject(toks, i - 1) or back
    if back:
        return back
    j = _before_verb(toks, k)
    prev = toks[j] if j >= 0 else None
    if prev is not None and prev.text in _DASHES:
        opening = next((i for i in range(j - 1, max(-1, j - 30), -1) if toks[i].text in _DASHES), None)
        if opening is not None and not any(t.is_mask for t in toks[opening:j]):
            aside = _backward_np(toks, opening)  # 'Alan Beith - who chairs the committee - said'
            if aside:
                return aside
    if prev is None or prev.is_mask or prev.text in ",:;" or prev.text in _DASHES:
        fwd = _appositive(toks, _forward_np(toks, k + 1))
        if fwd and (prev is None or prev.is_mask or prev.text in _DASHES):
            return fwd
        if prev is not None and prev.text == ",":
            after = toks.index(fwd[-1]) + 1 if fwd else 0
            aside = after < len(toks) and toks[after].text == ","
            if fwd and (_ends_clause(toks, after) or aside) and not (after < len(toks) and toks[after].is_mask) \
                    and toks[k].low in _INVERTING and (_names_person(fwd) or fwd[0].low in _DETS):
                # '..., argued Mr Howard.': the subject follows its verb; 'The hard part, says
                # Mr Reid, is the battery': the report set off inside the reporter's sentence
                return fwd
            chunk = _chunk_subject(toks, k)
            if chunk:
                return chunk
        return fwd
    if prev.low == "to":
        return _infinitive_subject(toks, j)
    if prev.low in ("and", "but", "or", "then") or (
            toks[k].low.endswith("ing") and prev.low in _PARTICIPLE_LINKS):
        # 'X did this and said', 'X sings to Y before asking her', 'X went on to suggest': X's
        return _clause_subject(toks, j)
    return []


_DASHES = {"-", "—", "–"}
_PARTY_LABEL = re.compile(r"^[RDI]-[A-Z][a-z]{1,4}$")  # 'R-Wis.', 'D-Md.' after a name
# What links a participle cue to its clause's subject ('by announcing', 'for saying', 'despite
# admitting'): the subject is the clause's.
_PARTICIPLE_LINKS = {"before", "after", "while", "when", "by", "for", "despite", "without", "in"}
# Cues that take no object, so that a noun phrase after them is their subject ('..., argued the
# minister.'); after 'called' or 'told' it is the object ('called him a master').
_INVERTING = {"said", "says", "argued", "argues", "added", "adds", "insisted", "insists", "explained",
              "noted", "notes", "warned", "warns", "stressed", "continued", "concluded", "conceded",
              "admitted", "claimed", "claims", "maintained", "replied", "recalled", "suggested"}
_RELATIVE = {"who", "which"}


def _infinitive_subject(toks: list[Tok], j: int) -> list[Tok]:
    """For 'X went on to suggest', 'Trump took to Twitter overnight to accuse': the person
    opening the sentence, when nothing but one clause stands between ('If she did, party rules
    give the chair authority to call' is no report)."""
    i = 0
    while i < j and toks[i].low in _LEADING:
        i += 1
    if any(not t.is_word for t in toks[i:j]):
        return []
    np = _forward_np(toks, i)
    if np and (_names_person(np) or (len(np) == 1 and np[0].low in ("he", "she"))):
        return np
    return []


def _relative_subject(toks: list[Tok], k: int) -> list[Tok]:
    """The noun phrase a relative clause before the cue hangs on, when the cue is that clause's
    verb or the main verb after it: 'Mr Blair, who has described Africa as a "scar"', 'Ms
    Robinson, who presents The Weakest Link tells Cockerell'. Nothing when another clause
    (a cue, a quotation, 'that', a comma) comes between."""
    for i in range(k - 1, max(-1, k - 10), -1):
        t = toks[i]
        if t.low in _RELATIVE:
            if i and toks[i - 1].text == ",":
                np = _backward_np(toks, i - 1)
                if np and np[-1].is_cap and np[0].low not in PRONOUNS_SUBJ:
                    return np
            return []
        if t.is_mask or not t.is_word or t.low in CUES or t.low in _SUBORD:
            return []
    return []


_QUOTING = {"quoted", "quoting", "quotes", "cited", "citing", "cites"}


def _quoted_object(toks: list[Tok], k: int) -> list[Tok]:
    """Whom a medium quotes, when the cue is the participle after them ('Reuters quoted a
    central bank official as saying', 'It quoted a spokesman for Atticus Capital complaining
    that'): the speaker is that object, not the medium. Nothing for 'was quoted as saying'
    (the subject is the speaker) or when a clause comes between."""
    if not toks[k].low.endswith("ing"):
        return []
    j = k - 1 if k and toks[k - 1].low == "as" else k
    for i in range(j - 1, max(-1, j - 14), -1):
        t = toks[i]
        if t.low in _QUOTING:
            np = toks[i + 1:j]
            return np if np and np[-1].is_word and not _verbish(toks, i + 1) else []
        if t.is_mask or not (t.is_word or t.text in "'’&-") or t.low in CUES or t.low in _VERBS \
                or t.low in _SUBORD:
            return []
    return []


def _ends_clause(toks: list[Tok], j: int) -> bool:
    """Whether the clause ends at ``j``: the sentence's end, or a stop, a colon or a quotation."""
    return j >= len(toks) or toks[j].text in ".;:!?" or toks[j].is_mask or (
        toks[j].text == "," and (j + 1 >= len(toks) or toks[j + 1].is_mask))


def _appositive(toks: list[Tok], np: list[Tok]) -> list[Tok]:
    """An inverted subject that is a description, and the name after it set off by a comma:
    'said the chairman of the Commons education select committee, Labour MP Barry Sheerman' ->
    'Labour MP Barry Sheerman'; 'said its chairman, Sir Anthony Greener' -> 'Sir Anthony
    Greener'. Else the noun phrase as it was."""
    if not np or _names_person(np):
        return np
    j = toks.index(np[-1]) + 1
    # the rest of the description, up to its comma ('... the Commons transport select committee,')
    while j < len(toks) and j - toks.index(np[-1]) <= 12 and (toks[j].is_word or toks[j].text in "'’&") and not (
            (toks[j].low in _SUBORD and not _joins_name(toks, j)) or toks[j].low in _VERBS or toks[j].low in CUES):
        j += 1
    if j >= len(toks) or toks[j].text != ",":
        return np
    name = _forward_np(toks, j + 1)
    if name and _names_person(name):
        after = toks.index(name[-1]) + 1
        if _ends_clause(toks, after) or toks[after].text == ",":
            return name
    return np


def _names_person(np: Sequence[Tok]) -> bool:
    """Whether a noun phrase ends in a person's name: a capitalised run that is no institution
    and not the object of a determiner inside a description ('the chairman of the Commons')."""
    run = _last_run(np)
    if not run or run[-1] is not np[-1]:
        return False
    i = list(np).index(run[0])
    if i and np[i - 1].low in _DETS | {"of"}:
        return False
    text = " ".join(t.text for t in run)
    return not is_org(text) and _looks_person(run) and run[-1].low not in PRONOUNS_SUBJ


def _backward_np(toks: list[Tok], k: int) -> list[Tok]:
    """The noun phrase ending right before the cue at ``k`` (its subject when it comes first)."""
    j = _before_verb(toks, k)
    if j >= 0 and toks[j].text == ")":
        # over a party label or an aside between the name and the verb ('Chaffetz (R-Utah) said')
        opening = next((i for i in range(j - 1, max(-1, j - 8), -1) if toks[i].text == "("), None)
        if opening is not None:
            j = opening - 1
    out: list[Tok] = []
    while j >= 0 and len(out) < 20:
        t = toks[j]
        low = t.low
        if out and _joins(toks, j):
            out.insert(0, t)  # two speakers: 'Burton and Nick said'
            j -= 1
            continue
        if out and low == "and" and j and not out[0].is_cap and out[0].is_word and out[-1].is_cap \
                and out[0].low not in _DETS | _QUANTIFIERS and toks[j - 1].is_word \
                and not toks[j - 1].is_cap and toks[j - 1].low not in _VERBS | _SUBORD | _PREPS | _DETS:
            out.insert(0, t)  # 'Music Choice music and marketing manager Simon George'
            j -= 1
            continue
        if out and _inside_name(toks, j, out):
            out.insert(0, t)  # 'Department for Media, Culture and Sport', "the Musicians' Union"
            j -= 1
            continue
        if out and out[0].low in PRONOUNS_SUBJ and (not out[0].is_cap or j < 0 or not toks[j].is_word):
            break  # 'he' is the whole subject: '... in an interview with RT he said' ('The She Hate
            # Me director' is no pronoun)
        if out and j and ((low in _POSTMODIFIERS and _modified(toks[j - 1])) or (
                low == "for" and is_office(toks[j - 1].text))):
            out.insert(0, t)  # 'a cocoa farmer from Edo state', 'Bob Geldof in July', 'a
            j -= 1  # spokesman for the agency' (an office for a body)
            continue
        if t.is_mask or not t.is_word or (low in _PREPS and low != "of") or low in _SUBORD or _verbish(toks, j):
            break
        if low in CUES or low in _PAST or (not t.is_cap and len(low) > 4 and low.endswith(("ed", "ing"))
                                           and low not in _ING_ADJECTIVES and "-" not in low) or (
                out and low in _ADVERBS - _ADJECTIVAL):
            break  # a verb before the cue makes it a noun ('Mr Brown also issued call for')
        out.insert(0, t)
        j -= 1
        if low in _DETS and j >= 0 and toks[j].is_word and toks[j].low not in _PREPS | _SUBORD | {"of"}:
            break  # a determiner opens the phrase: 'In a filing to US regulators the airline warned'
    if out and j >= 0 and toks[j].text == "," and (out[0].low in _POSTMODIFIERS | {"of"} or (
            not _names_person(out) and not (out[0].is_cap or out[0].low in _DETS | _QUANTIFIERS | PRONOUNS_SUBJ))):
        # 'Dr Erel Avineri, of the Centre ... in Bristol said', 'Christoph Caselitz, president of
        # the mobile networks division at the firm says': the name before the comma
        # 'Dr Erel Avineri, of the Centre for ... in Bristol said': the name before the comma
        name = _backward_np(toks, j)
        if name and _names_person(name) and len(_last_run(name)) >= 2:
            return name
    while out and (out[0].low in ("of", "and", "from", "for", "on") or out[0].low in _POSTMODIFIERS
                   or not out[0].is_word):
        out.pop(0)
    if out and not any(t.is_cap or t.low not in _DETS for t in out):
        return []
    return out


# Prepositions that may hang a phrase on a noun inside a subject ('a farmer from Edo state').
_POSTMODIFIERS = {"from", "at", "in", "with", "on"}
_PERCEIVED = {"heard", "seen", "caught", "filmed", "recorded", "shown"}


def _modified(t: Tok) -> bool:
    """Whether a word can carry a prepositional phrase inside a subject: a name or a noun."""
    return t.is_word and (t.is_cap or not (
        t.low in _VERBS or t.low in _SUBORD or t.low in _PREPS or t.low in CUES or t.low in _ADVERBS
        or t.low in PRONOUNS_SUBJ or (len(t.low) > 4 and t.low.endswith(("ed", "ing")))))


def _before_verb(toks: list[Tok], k: int) -> int:
    """The last token of the cue's subject, past what may stand between them: adverbs ('Mr
    Blair instead said', 'he angrily said'), a progressive's auxiliary ('Clinton is now
    describing'), 'is heard asking', 'quoted as saying', a date ('Bob Geldof in July said')."""
    j = k - 1
    ing = toks[k].low.endswith("ing")
    while j >= 0:
        low = toks[j].low
        if low in _ADVERBS or (ing and (low in _PROGRESSIVE or low in _PERCEIVED)):
            j -= 1
        elif (not toks[j].is_cap and len(low) > 4 and low.endswith("ly") and low not in _LY_NOUNS and j
              and ((toks[j - 1].is_cap and not re.search(r"[’']s?$", toks[j - 1].text))
                   or toks[j - 1].low in PRONOUNS_SUBJ or toks[j - 1].text in ",)")):
            j -= 1  # 'he angrily said', 'Marc Morial, the chief executive, forcefully told'
        elif low in ("not", "never") or low.endswith(("n't", "n’t")):
            j -= 1  # 'He didn't suggest', 'did not say'
        elif ing and low == "as" and j and toks[j - 1].low == "quoted":
            j -= 2  # 'Mr Dixon (was) quoted as saying'
        elif j and low in _MONTHS_DAYS and toks[j - 1].low in ("in", "on"):
            j -= 2  # 'Bob Geldof in July said'
        elif j and low in _PERIODS and toks[j - 1].low in ("this", "last", "next", "that", "every"):
            j -= 2  # 'Wells Fargo just this month announced'
        else:
            return j
    return j


# Words of _ADVERBS that also qualify a noun inside a subject ('the first minister')
_ADJECTIVAL = {"first", "last", "earlier", "later", "today", "yesterday", "tonight", "himself",
               "herself", "themselves", "itself", "alone", "together", "has", "have", "had",
               "would", "will", "did", "does", "not", "again"}
_PERIODS = {"week", "month", "year", "weekend", "morning", "afternoon", "evening", "night", "spring",
            "summer", "autumn", "fall", "winter", "term", "session", "decade", "century"}
# -ing words that qualify a noun in a subject ('One leading Karachi broker', 'the ruling party')
_ING_ADJECTIVES = {"leading", "ruling", "governing", "founding", "managing", "outgoing", "incoming",
                   "visiting", "acting", "presiding", "sitting", "reigning", "opposing", "competing",
                   "existing", "working", "striking", "serving", "marketing", "engineering",
                   "banking", "publishing", "programming", "training", "planning", "broadcasting",
                   "accounting", "purchasing", "licensing", "manufacturing", "lending", "trading",
                   "consulting", "operating", "retired", "elected", "appointed", "designated",
                   "unnamed", "respected", "renowned", "disgraced", "jailed", "detained"}
_LY_NOUNS = {"family", "ally", "assembly", "rally", "supply", "monopoly", "anomaly", "bully"}
_MONTHS_DAYS = set("""
monday tuesday wednesday thursday friday saturday sunday january february march april may june
july august september october november december
""".split())


def _verbish(toks: Sequence[Tok], j: int) -> bool:
    """Whether the token at ``j`` is an auxiliary ('may', 'will'), not a name that spells like
    one after a capitalised word ('Theresa May')."""
    t = toks[j]
    if t.low not in _VERBS:
        return False
    return not (t.is_cap and ((j and toks[j - 1].is_cap and toks[j - 1].is_word)
                              or (j + 1 < len(toks) and toks[j + 1].is_cap and toks[j + 1].is_word)))


def _verbish_name(toks: Sequence[Tok], j: int) -> bool:
    """Whether a word that spells like an auxiliary is a given name ('Will Smith')."""
    return toks[j].is_cap and j + 1 < len(toks) and toks[j + 1].is_cap and toks[j + 1].is_word


def _joins_name(toks: Sequence[Tok], j: int) -> bool:
    """An 'and' or '&' inside an institution's name ('Education and Skills', 'Marsh & Co')."""
    return toks[j].low in ("and", "&") and 0 < j < len(toks) - 1 and toks[j - 1].is_cap and toks[j + 1].is_cap


def _inside_name(toks: list[Tok], j: int, out: list[Tok]) -> bool:
    """Whether the token at ``j``, read backwards from a noun phrase ``out``, is inside a name
    or hangs a name on the one before: 'for' between capitalised words ('Department for
    Transport'), a comma in a list inside one ('Department for Media, Culture and Sport'), a
    plural possessive mark ("the Musicians' Union"), 'from' after a name ('Nigel McCune from
    the Musicians' Union': the phrase's head is the name, see _head)."""
    t = toks[j]
    before = toks[j - 1] if j else None
    if before is None or not before.is_word:
        return False
    nxt = out[0]
    if t.low in ("for", "on") and before.is_cap and nxt.is_cap:
        return True
    if t.text == "&" and before.is_cap and nxt.is_cap:
        return True  # 'Marsh & Co', 'Standard & Poor's'
    if t.text in ("'", "’") and before.low.endswith("s") and t.start == before.end:
        return True
    if t.low == "from" and before.is_cap and (nxt.is_cap or nxt.low == "the"):
        return True
    return t.text == "," and before.is_cap and nxt.is_cap and j > 1 and toks[j - 2].low in ("for", "of") \
        and any(o.low == "and" for o in out[:4])


def _head(mention: Sequence[Tok]) -> Sequence[Tok]:
    """A person named with where they are from: the name ('Dr Doug Williams of BT', 'Nigel
    McCune from the Musicians' Union', 'David Page, of Investec'); any other phrase as it is."""
    for i, t in enumerate(mention):
        if i and t.low in ("of", "from", "at", "with", "in") and _names_person(mention[:i]):
            return mention[:i]
    return mention


def _forward_np(toks: list[Tok], j: int) -> list[Tok]:
    out: list[Tok] = []
    while j < len(toks) and len(out) < 10:
        t = toks[j]
        low = t.low
        if out and _joins(toks, j):
            out.append(t)  # two speakers: 'said Burton and Nick'
            j += 1
            continue
        if out and low == "and" and not out[-1].is_cap and (
                not any(o.is_cap for o in out) or out[-1].low in ROLE_WORDS | TITLE_WORDS) \
                and _role_then_name(toks, j + 1):
            out.append(t)  # 'said Nortel president and chief executive Bill Owens'
            j += 1
            continue
        if low == "for" and out and is_office(out[-1].text) and j + 1 < len(toks) and toks[j + 1].is_word:
            out.append(t)  # 'a spokesman for the agency', 'minister for women Jacqui Smith'
            j += 1
            continue
        if t.is_mask or not t.is_word or (low in _PREPS and low != "of") or low in _SUBORD or _verbish(toks, j):
            break
        if not out and low in _TIME:
            break
        if low in CUES or (out and not t.is_cap and len(low) > 4 and low.endswith("ed")):
            break
        if out and ((low in _ADVERBS and not _verbish_name(toks, j)) or out[0].low in ("he", "she", "they")):
            break
        if out and not t.is_cap and low not in ("of", "the") and low not in ROLE_WORDS \
                and any(o.is_cap and o.low not in _DETS for o in out) and not _name_follows(toks, j) \
                and out[0].low not in _DETS | _QUANTIFIERS:
            break
        out.append(t)
        j += 1
    while out and out[-1].low in ("of", "the", "and", "a", "an"):
        out.pop()
    return out


def _role_then_name(toks: list[Tok], j: int) -> bool:
    """Whether a role and a full name start at ``j``: 'chief executive Bill Owens', 'PR
    strategist Glen Yearwood' (after 'president and', 'media and')."""
    for i in range(j, min(len(toks) - 1, j + 5)):
        t = toks[i]
        if not t.is_word or t.low in _PREPS | _SUBORD | _VERBS | CUES:
            return False
        if t.is_cap and toks[i + 1].is_cap and toks[i + 1].is_word and i > j and t.low not in ROLE_WORDS:
            return True
    return False


def _name_follows(toks: list[Tok], j: int) -> bool:
    """Whether the lower-case words from ``j`` are a role between an institution and a name:
    'SEC deputy enforcement director Linda Thomsen', 'French finance minister Herve Gaymard'."""
    for i in range(j, min(len(toks), j + 4)):
        t = toks[i]
        if t.is_cap:  # a full name: two capitalised words at least ('spoke out Tuesday about' is none)
            return i > j and t.is_word and i + 1 < len(toks) and toks[i + 1].is_cap and toks[i + 1].is_word \
                and t.low not in ROLE_WORDS
        if not t.is_word or t.low in _PREPS or t.low in _SUBORD or t.low in _VERBS or t.low in CUES \
                or t.low in _ADVERBS or t.low in _TIME:
            return False
    return False


def _joins(toks: Sequence[Tok], j: int) -> bool:
    """Whether the token at ``j`` is an 'and' between two capitalised words, joining two speakers
    ('Burton and Nick', 'Mr. Burton and Ms. Hale'); 'Burton and his wife', 'Hale, and Burton
    laughed' and 'said and walked out' join no names."""
    if toks[j].low != "and" or j == 0 or j + 1 >= len(toks):
        return False
    before, after = toks[j - 1], toks[j + 1]
    if before.is_word and before.is_cap and after.is_word and not after.is_cap and j + 3 < len(toks):
        # 'singer Gary Lightbody and drummer Jonny Quinn': a role, then a full name
        return after.low not in _DETS | _SUBORD | _PREPS | _VERBS | PRONOUNS_SUBJ | CUES \
            and toks[j + 2].is_cap and toks[j + 3].is_cap and toks[j + 2].is_word and toks[j + 3].is_word
    return before.is_word and before.is_cap and after.is_word and after.is_cap


def _conjuncts(mention: Sequence[Tok]) -> list[Sequence[Tok]]:
    """A mention cut at the 'and's that join speakers; one part when there is none, or when a
    part is no person's name: an institution's name with 'and' in it ('the Qualifications and
    Curriculum Authority', 'a Department for Education and Skills spokeswoman') or one
    person's description ("Smith and Wesson's chief") is one speaker."""
    cuts = [i for i in range(len(mention)) if _joins(mention, i)]
    if not cuts:
        return [mention]
    bounds = [-1] + cuts + [len(mention)]
    parts = [mention[a + 1:b] for a, b in zip(bounds, bounds[1:])]
    if not all(parts) or any(t.low in ("for", "of") for t in mention) or is_org(
            " ".join(t.text for t in mention)) or not all(_names_person(p) for p in parts):
        return [mention]
    return parts


def _chunk_subject(toks: list[Tok], k: int) -> list[Tok]:
    """Across appositives ('Abdul Salam Hanafi, a deputy prime minister ..., said'): the first
    comma-separated chunk of the clause holding a person's name, else the first noun phrase."""
    chunks = [_chunk_start(toks, c, k) for c in
              [0] + [i + 1 for i in range(k) if toks[i].text in ",;" or toks[i].is_mask]]
    for c in chunks:  # a chunk that is a name first ('James Hardie chairwoman, Meredith Hellicar,')
        if c < k and toks[c].low not in _PREPS | _SUBORD:
            np = _forward_np(toks, c)
            if np and _names_person(np) and len(_last_run(np)) >= 2 and np[0].low not in PRONOUNS_SUBJ \
                    and np[0].low not in _DETS:
                return np
    first = None
    for c in chunks:
        if c >= k or toks[c].low in _PREPS or toks[c].low in _SUBORD:
            continue
        np = _forward_np(toks, c)
        if not np:
            continue
        if any(t.is_cap and t.low not in _DETS for t in np[1:] + np[:1]) and not all(t.low in _DETS for t in np):
            caps = [t for t in np if t.is_cap and t.low not in _DETS]
            if caps and not is_org(" ".join(t.text for t in caps)) and _looks_person(caps):
                return np
        first = first or np
    return first or []


def _chunk_start(toks: list[Tok], c: int, k: int) -> int:
    """Where a chunk's noun phrase starts: past a leading conjunction ('And Paul Collison',
    'However, one dealer') and a short prepositional phrase ('On tape Mr Livingstone')."""
    while c < k and toks[c].low in _LEADING:
        c += 1
    if c < k and toks[c].is_cap and len(toks[c].low) > 5 and toks[c].low.endswith("ing") \
            and toks[c].low not in _ING_ADJECTIVES and (c == 0 or toks[c - 1].low in _LEADING):
        # a participle's phrase opening the sentence, no comma after it ('Speaking after the
        # vote was announced Bob Neill, leader of the group, said'): the subject is the full
        # name that closes the chunk
        end = next((i for i in range(c, k) if toks[i].text in ",;" or toks[i].is_mask), k)
        i = end
        while i - 1 > c and toks[i - 1].is_cap and toks[i - 1].is_word:
            i -= 1
        if end - i >= 2 and _looks_person(toks[i:end]) and not is_org(" ".join(t.text for t in toks[i:end])):
            return i
    if c < k and toks[c].low in _PREPS:
        for i in range(c + 1, min(k, c + 4)):
            t = toks[i]
            if not t.is_word:
                break
            if t.is_cap:
                if i + 1 < k and toks[i + 1].is_cap and t.low not in _MONTHS_DAYS | ROLE_WORDS - _TITLES:
                    return i  # 'On tape Mr Livingstone, ...'
                break
    return c


_TITLES = {"mr", "mrs", "ms", "dr", "mr.", "mrs.", "ms.", "dr."}


_LEADING = {"and", "but", "so", "yet", "then", "meanwhile", "however", "also", "now", "still"}


def _looks_person(caps: list[Tok]) -> bool:
    return person_name(" ".join(t.text for t in caps)) is not None


def _clause_subject(toks: list[Tok], j: int) -> list[Tok]:
    """For 'X did this and said ...': the nearest pronoun or name opening a clause before the
    'and' ('after he publicly accused Pakistan ... and called it')."""
    bounds = _SUBORD | {"after", "before", "since", "until", "once"}
    for i in range(j - 1, -1, -1):
        t = toks[i]
        if t.is_mask or _PARTY_LABEL.match(t.text):
            continue  # the clause's own quotations; 'Paul Ryan, R-Wis., despite admitting'
        opens = i == 0 or toks[i - 1].low in bounds or toks[i - 1].text in ",;:—–-("
        if opens and (t.low in ("he", "she", "they") or (t.is_cap and t.low not in _DETS | _SUBORD)):
            np = _forward_np(toks, i)
            if np:
                return np
    return _opening_subject(toks, j) or _main_subject_after(toks, j)


def _main_subject_after(toks: list[Tok], j: int) -> list[Tok]:
    """For a participle opening the sentence ('After saying her foot was "so swollen ...," she
    was ...'): the subject of the main clause after it, past a quotation or a comma."""
    if any(t.is_word and t.low not in _LEADING for t in toks[:j]):
        return []
    for i in range(j + 1, len(toks) - 1):
        if toks[i].is_mask or toks[i].text == ",":
            nxt = toks[i + 1] if toks[i + 1].text != "," else (toks[i + 2] if i + 2 < len(toks) else None)
            if nxt is not None and (nxt.low in ("he", "she", "they") or (nxt.is_cap and nxt.is_word)):
                np = _forward_np(toks, toks.index(nxt))
                if np and (len(np) == 1 and np[0].low in ("he", "she", "they") or _names_person(np)):
                    return np
            return []
    return []


def _opening_subject(toks: list[Tok], j: int) -> list[Tok]:
    """The subject of the sentence's main clause, past a leading phrase of time or place ('On
    September 27 they published ... by announcing'), when nothing but words stands before ``j``."""
    i = 0
    while i < j and (toks[i].low in _LEADING or toks[i].text == ","):
        i += 1
    if i < j and toks[i].low in _PREPS:
        for n in range(i + 1, min(j, i + 6)):
            t = toks[n]
            if t.low in ("he", "she", "they", "we") or (
                    t.is_cap and t.low not in _MONTHS_DAYS | _DETS and not t.text[:1].isdigit()):
                i = n
                break
            if t.is_mask:
                return []
        else:
            return []
    if any(t.is_mask or t.text in ";:" for t in toks[i:j]):
        return []
    return _forward_np(toks, i)


def _interpret(text: str, mention: Sequence[Tok], people: People) -> str | None:
    """The speaker a mention stands for: a full name, an institution, a pronoun's or a
    description's referent, or the description itself ('a diplomatic source'). Two speakers
    joined by 'and' are one speaker string, each part resolved on its own: 'Burton and Hale'
    -> 'Mary Burton and Nick Hale' (the contract's speaker is a string)."""
    parts = _conjuncts(mention)
    if len(parts) > 1:
        names = [_interpret(text, part, people) for part in parts]
        if all(names):
            return " and ".join(n for n in names if n)
        return _lower_article(text[mention[0].start:mention[-1].end])
    pos = mention[0].start
    phrase = text[mention[0].start:mention[-1].end]
    lows = [t.low for t in mention]
    if len(mention) == 1 and lows[0] in ("he", "she", "him", "her"):
        return people.resolve_pronoun(pos, lows[0])
    if len(mention) == 1 and lows[0] == "it":
        return people.resolve_it(pos)  # 'Deutsche Boerse said ... "...," it said'
    if len(mention) == 1 and lows[0] in ("they", "them"):
        return None
    if "of" in lows:
        i = lows.index("of")
        if i and lows[i - 1] in DOCUMENTS and i + 1 < len(mention):
            tail = text[mention[i + 1].start:mention[-1].end]
            return _lower_article(tail) if not tail[:1].isupper() or is_org(tail) else people.resolve_name(tail)
    of = next((i for i, w in enumerate(lows) if w in ("of", "for", "at")), 0)
    if of > 1 and lows[0] in ("the", "this", "that", "a", "an") and is_office(lows[of - 1]) \
            and not _holder_named(mention, of):
        # the holder of an office ('the Mayor of London', 'the head of the agency', 'a
        # spokeswoman for the SEC's Boston office'), never the place or body it is of: the
        # person the article gave that office, by the office alone (the place's name would
        # match whoever else is of it), else the description as written; one that goes on to
        # its holder's name ('the Union's head of research Owen Hartley') is that person
        office = text[mention[0].start:mention[of - 1].end]
        found = people.resolve_description(office, pos) if lows[0] not in ("a", "an") else None
        return found or _lower_article(phrase)
    if lows[0] in _QUANTIFIERS:
        return _lower_article(phrase)  # 'Others, however, who ...', 'One leading Karachi broker'
    head = _head(mention)
    if len(head) < len(mention):
        return _interpret(text, head, people)
    org = _org_name(text, mention)
    if org is not None:
        return org
    caps = _last_run(mention)
    if caps and caps[-1] is mention[-1] and not re.search(r"[’']s?$", caps[-1].text):
        run = text[caps[0].start:caps[-1].end]
        det = mention.index(caps[0]) > 0 and mention[mention.index(caps[0]) - 1].low == "the"
        if is_org(run) or (det and person_name(run) is None):
            return ("the " + run) if det else run  # 'the Liberal Democrats'
        return people.resolve_name(run, caps[0].start + 1)
    if len(mention) >= 2 and lows[-1] in DOCUMENTS and re.search(r"[’']s?$", mention[-2].text) \
            and mention[-2].is_cap:
        owner = [t for t in mention[:-1] if t.is_cap]
        if owner and _looks_person(owner) and not is_org(" ".join(t.text for t in owner)):
            # "Mr Tanzi's statement said", "As Mr Kok's report noted": the author's words
            return people.resolve_name(text[owner[0].start:owner[-1].end].rstrip("’'s"), owner[0].start + 1)
    if lows[0] in ("the", "this", "that") or re.search(r"[’']s?$", mention[0].text):
        found = people.resolve_description(phrase, pos)
        if found:
            return found
        if lows[-1] in PERSON_NOUNS or lows[-1] in ("source", "official", "spokesperson", "aide"):
            return people.resolve_pronoun(pos) or _lower_article(phrase)
        if len(lows) == 2 and lows[0] == "the" and lows[1] in _BODIES:
            # 'Next has said ... "...," the company said': the body heard last, by name
            return people.resolve_it(pos, named=True) or _lower_article(phrase)
        if lows[0] == "the" and is_trade(lows[-1]):
            # 'the Black Sabbath singer told reporters' after 'Rock star Ozzy Osbourne has
            # said': a person described by what they do is the one heard last, unless the
            # article gave that one an office (then 'the presenter' is someone else)
            last = people.resolve_pronoun(pos)
            if last and not people.holds_office(last):
                return last
            return _lower_article(phrase)
    return _lower_article(phrase)


def _holder_named(mention: Sequence[Tok], of: int) -> bool:
    """Whether an office phrase goes on to the name of its holder: 'the Union's head of research
    Owen Hartley' (a name after the office's own object), not 'the Mayor of London' (the place
    is the object) nor 'a spokesman for hedge fund Atticus Capital' (a spokesman is for a body)."""
    if mention[of].low == "for" or not _names_person(mention):
        return False
    run = _last_run(mention)
    between = mention[of + 1:list(mention).index(run[0])]
    return any(t.is_word and not t.is_cap and t.low not in _DETS for t in between)


def _org_name(text: str, mention: Sequence[Tok]) -> str | None:
    """An institution named in full, with the 'and', 'for', 'of' and commas of its name: 'the
    Qualifications and Curriculum Authority', 'the Department for Media, Culture and Sport'."""
    det = mention[0].low == "the"
    body = mention[1:] if det else mention
    if len(body) < 3 or not body[0].is_cap or not body[-1].is_cap:
        return None
    if not all(t.is_cap or t.low in ("and", "for", "of", "on", "the", ",") for t in body):
        return None
    if not any(t.low in ("and", "for", "of", "on") for t in body):
        return None
    words = text[body[0].start:body[-1].end]
    if not is_org(words):
        return None
    last = max(i for i, t in enumerate(body) if t.low in ("and", "for", "of", "on", "the", ","))
    tail = [t.low.rstrip(".") for t in body[last + 1:]]
    if any(w in ROLE_WORDS and w not in ORG_WORDS and any(x not in ROLE_WORDS for x in tail[i + 1:])
           for i, w in enumerate(tail)):
        return None  # a person with an institution's title: '... Studies Director Omar Nessar'
    return ("the " if det else "") + words


def _last_run(mention: Sequence[Tok]) -> list[Tok]:
    """The last run of capitalised words ("Music Managers' Forum" with its possessive mark)."""
    run: list[Tok] = []
    best: list[Tok] = []
    for i, t in enumerate(mention):
        if t.is_cap and not (i == 0 and t.low in _DETS):
            run.append(t)
            best = run
        elif run and t.text in ("'", "’") and run[-1].low.endswith("s") and t.start == run[-1].end \
                and i + 1 < len(mention) and mention[i + 1].is_cap:
            run.append(t)
        else:
            run = []
    return best


_QUANTIFIERS = {"one", "some", "another", "several", "many", "most", "both", "other", "others"}
# What 'the ...' calls a body the article has named ('the company said', 'the bank added')
_BODIES = {"company", "firm", "group", "bank", "retailer", "airline", "carrier", "insurer", "lender",
           "club", "band", "studio", "broadcaster", "network", "operator", "chain", "supermarket",
           "manufacturer", "maker", "publisher", "agency", "regulator", "watchdog", "charity",
           "organisation", "organization", "union", "party", "business", "giant"}


def _lower_article(phrase: str) -> str:
    """A description as it would read inside a sentence: 'The company' -> 'the company', 'One
    leading Karachi broker' -> 'one leading Karachi broker'."""
    return re.sub(r"^(The|A|An|One|Some|Another|Several|Many|Most|Both|Other|Others)\b",
                  lambda m: m.group(1).lower(), phrase)
