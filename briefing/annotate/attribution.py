"""One pair of quotation marks -> its :class:`~briefing.models.Quote`, or nothing when nobody
is said to have said the words: which reporting cue the quotation belongs to (one adjacent after
the closing mark, the last one before the opening mark, the report closing the sentence), how
sure that is, and where the words were said ('RIA Novosti'); else a continuation of the
quotation before it, or a bare quoted sentence after one that reports its speaker.

A helper of :mod:`briefing.annotate.quotes`, which finds the cues (:mod:`briefing.annotate.cues`)
and passes those around each pair of marks.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from itertools import islice, takewhile

from briefing.annotate.cues import Hit
from briefing.annotate.marks import Marked, Tok
from briefing.annotate.names import PERSON_HEADS, TITLE_WORDS, head_word, institution
from briefing.annotate.people import People
from briefing.annotate.phrases import names_person
from briefing.annotate.words import ADVERBS, CUES, DETS, PREPS, PRONOUNS_SUBJ, SUBORD, VERBS
from briefing.models import Quote, Span

_CITING = {"citing", "quoting", "cite", "quote"}
_MEDIUM = re.compile(
    r"(?:as quoted by|quoted by|in an interview (?:with|for)|told|according to|"
    r"speaking (?:to|with)|said (?:to|on|in))\s+(?:the\s+)?"
    r"((?:[A-Z][\w’'\-]*)(?:\s+(?:[A-Z0-9][\w’'\-]*))*)"
)


@dataclass(frozen=True, slots=True)
class Reading:
    """One article as its quotations are attributed: its text, the text with its quotations
    masked, its people, and every cue of the article in reading order with their offsets (to
    find the cues between two places by bisection)."""

    text: str
    mtext: str
    people: People
    cues: list[Hit]
    cue_starts: list[int]


@dataclass(frozen=True, slots=True)
class Around:
    """What stands around one pair of marks: the cues of its sentence before the opening mark
    (``left``) and after the closing one (``right``), the sentence's tokens before the marks
    (``lead``) and after them (``after``), the cues of the sentence before when it leads into
    this one (``before``), and the sentence the closing mark stands in (``sent``)."""

    left: list[Hit]
    right: list[Hit]
    lead: list[Tok]
    after: list[Tok]
    before: list[Hit]
    sent: tuple[int, int]


def attribute(reading: Reading, m: Marked, span: tuple[int, int], around: Around,
              last: Quote | None) -> Quote | None:
    """The Quote for one pair of marks (its words at ``span``), or None when nobody is said to
    have said it; ``last`` is the quotation before it, which this one may continue."""
    text, people = reading.text, reading.people
    left, right, lead, after_close = around.left, around.right, around.lead, around.after
    worded = any(t.is_word for t in lead)  # words of the reporter's sentence before the marks
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
    if hit is None and m.closed and right and (kind == "partial" or worded):
        closing = _closing_report(after_close, right)
        # a word or two in marks with a group's report far off is a term ('aimed at "casual
        # players"', 'according to industry experts'); a person's is theirs (', he said.')
        if closing is not None and (len(text[span[0]:span[1]].split()) >= 3
                                    or _personal(closing, people)):
            hit, conf = closing, 0.7
    if hit is not None:
        if hit.first_person or not (hit.mention or hit.speaker):
            return None
        mention = Span(hit.mention[0].start, hit.mention[-1].end) if hit.mention else None
        return Quote(span[0], span[1], hit.speaker, mention, hit.cue_text, kind,
                     conf if m.closed else conf - 0.15,
                     _medium(reading.mtext, around.sent, hit, people))
    if last is not None and kind == "full" and not worded \
            and last.speaker and m.open - last.end < 600:
        # the cues in between (found by offset: a scan of every cue per quote is quadratic)
        starts = reading.cue_starts
        between = reading.cues[bisect.bisect_right(starts, last.end):
                               bisect.bisect_left(starts, m.open)]
        if not [h for h in between if h.speaker != last.speaker]:
            # a continuation carries the cue of the quotation it continues
            return Quote(span[0], span[1], last.speaker, last.speaker_mention, last.cue, kind, 0.7,
                         last.medium)
    if kind == "full" and not worded and around.before:
        # a bare quoted sentence right after one that reports someone speaking ('X called him
        # a master. "He showed ..."'; 'He said:' closing the paragraph before) is theirs
        h = around.before[-1]
        if h.speaker and h.mention and not h.first_person:
            mention = Span(h.mention[0].start, h.mention[-1].end)
            return Quote(span[0], span[1], h.speaker, mention, h.cue_text, kind, 0.6, None)
    return None


def _adjacent(after: list[Tok], h: Hit) -> bool:
    """Whether the cue ``h`` follows the closing mark directly: nothing between but at most a
    few modifiers of its subject ('..." retired Air Force general Lloyd Newton said')."""
    between = [t for t in after if t.start < h.start]
    return len(between) <= 3 and all(
        t.is_word and not t.is_cap and t.low not in SUBORD | VERBS | PREPS | PRONOUNS_SUBJ
        and t.low not in CUES for t in between)


def _subject_by_cue(toks: list[Tok], h: Hit) -> bool:
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
        t.low in ADVERBS - VERBS or (t.low.endswith("ly") and not t.is_cap) for t in gap)


def _comma_between(toks: list[Tok], h: Hit) -> bool:
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


def _apposed(toks: list[Tok], h: Hit) -> bool:
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
    if any(t.is_mask or t.text in ".;:!?" or t.low in CUES or t.low in SUBORD - {"of"}
           for t in seg):
        return False
    commas = [i for i, t in enumerate(seg) if t.text == ","]
    return len(commas) >= 2 and h.mention[0].start in (toks[0].start, toks[commas[0] + 1].start)


def _personal(h: Hit, people: People) -> bool:
    """Whether a cue's subject is one person: 'he', a person's name, 'a spokesman'."""
    if not h.mention or not h.speaker or institution(h.speaker):
        return False
    head = head_word(" ".join(t.text for t in h.mention))
    return head in ("he", "she") or names_person(h.mention) or head in TITLE_WORDS | PERSON_HEADS


def _closing_report(toks: list[Tok], right: list[Hit]) -> Hit | None:
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
    if len(words) > 5 or any(not t.is_word or t.low in VERBS | SUBORD or t.low in CUES
                             for t in words):
        return None
    return h if all(t.text in ".!?" for t in rest[len(words):]) else None


def _own_clause(toks: list[Tok], h: Hit) -> bool:
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
        if t.low == "that" or t.low in VERBS or (
                not t.is_cap and len(t.low) > 4 and t.low.endswith("ed") and t.low not in CUES):
            return True
    return False


def _kind(text: str, span: tuple[int, int], lead: list[Tok]) -> str:
    """'full' for a sentence or more, 'partial' for a phrase inside the reporter's sentence."""
    words = text[span[0]:span[1]]
    first = next((ch for ch in words if ch.isalpha()), "")
    # the word before the marks, past the few quotations that may stand right before them
    prev = next((t.low for t in islice(reversed(lead), 8) if not t.is_mask), "")
    if first.isupper() and len(words.split()) >= 3 and prev not in DETS | PREPS:
        return "full"
    return "partial"


def _medium(mtext: str, sent: tuple[int, int], hit: Hit, people: People) -> str | None:
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
