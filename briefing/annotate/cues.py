"""Reporting cues in a sentence and whom each is about: a verb of saying ('said', 'told',
'according to', 'went on'), a bare form with a plural subject ('Critics reply'), a signature
after a dash; each with its subject's tokens and the speaker they stand for.

Helpers of :mod:`briefing.annotate.quotes`. A cue's subject is found by
:mod:`briefing.annotate.subjects` and resolved by :mod:`briefing.annotate.mentions`; each
speaker found is recorded in the article's :class:`~briefing.annotate.people.People`, so that a
later 'he' or 'the diplomat' can stand for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice, takewhile

from briefing.annotate.marks import Tok, tokens
from briefing.annotate.mentions import conjuncts, interpret, plausible_speaker
from briefing.annotate.names import DOCUMENTS
from briefing.annotate.people import People
from briefing.annotate.phrases import forward_np, joins, names_person, verbish
from briefing.annotate.subjects import subject
from briefing.annotate.words import (
    ADVERBS,
    BARE,
    BASES,
    CUES,
    DETS,
    NOUNISH,
    PREPS,
    PRONOUNS_SUBJ,
    SUBORD,
    VERBS,
)

_PASSIVE = {"is", "was", "are", "were", "be", "been", "being", "gets", "got"}
_BYLINE_DASHES = {"―", "—", "–"}


@dataclass(frozen=True, slots=True)
class Hit:
    """A reporting cue in a sentence and whom it is about."""

    cue: Tok
    cue_text: str
    mention: tuple[Tok, ...]
    speaker: str | None
    first_person: bool

    @property
    def start(self) -> int:
        return min(self.cue.start, self.mention[0].start) if self.mention else self.cue.start


def sentence_cues(text: str, mtext: str, s: int, e: int, people: People) -> list[Hit]:
    """Every reporting cue in a sentence with its speaker; each speaker is recorded in
    ``people`` so that later pronouns and descriptions can resolve to it."""
    toks = tokens(mtext, s, e)
    out = []
    for k, t in enumerate(toks):
        low = t.low
        if low == "according" and k + 1 < len(toks) and toks[k + 1].low == "to":
            mention = _author(toks, forward_np(toks, k + 2))
            cue = Tok(text[t.start:toks[k + 1].end], t.start, toks[k + 1].end)
        elif low == "went" and k + 2 < len(toks) and toks[k + 1].low == "on" and (
                toks[k + 2].text == ":" or toks[k + 2].is_mask or (
                    toks[k + 2].low == "about" and k + 3 < len(toks) and toks[k + 3].is_mask)):
            mention = subject(toks, k)  # 'He went on: "..."', 'Trump went on about "..."'
            cue = Tok(text[t.start:toks[k + 1].end], t.start, toks[k + 1].end)
        elif t.text in _BYLINE_DASHES and k and toks[k - 1].is_mask:
            mention = _byline(text, toks, k)
            if not mention:
                continue
            cue = t
        elif low in CUES:
            if k and toks[k - 1].low in _PASSIVE and not low.endswith("ing"):
                continue  # 'is called', but 'is calling' reports
            if k and (t.is_cap or toks[k - 1].low in DETS):
                continue  # a name or a noun: 'The Post sent', 'a call for
            if low in BARE and k > 1 and toks[k - 2].low in DETS:
                continue  # 'a rallying call'
            nxt = toks[k + 1] if k + 1 < len(toks) else None
            if low in NOUNISH and not (k and (
                    toks[k - 1].is_mask or toks[k - 1].low in ("he", "she", "they", "it")
                    or (toks[k - 1].is_cap and nxt is not None
                        and (nxt.is_mask or nxt.low == "that" or nxt.text == ":")))):
                continue  # a noun here: 'the borders of the states', 'his remarks'
            mention = subject(toks, k)
            cue = t
        elif low in BASES and _plural_present(toks, k):
            mention = subject(toks, k)
            cue = t
        else:
            continue
        cleaned = _clean_mention(mention)
        if not cleaned:
            # only a date or an adverb where the subject should be ('early Friday'): the
            # subject is the one speaking lately, named before
            recent = people.resolve_pronoun(t.start) if mention else None
            out.append(Hit(cue, text[cue.start:cue.end], (), recent, False))
            continue
        mention = cleaned
        first_person = len(mention) == 1 and mention[0].low in ("i", "we", "me", "us")
        named = out[-1] if out and out[-1].mention and out[-1].speaker else None
        if named and names_person(named.mention) and not names_person(mention) \
                and mention[0].low not in PRONOUNS_SUBJ \
                and _follows(toks, named.mention[-1], mention[0]):
            # 'said Joshua Osagie, a cocoa farmer from Edo state told Reuters', 'said Greg Abbott,
            # Texas attorney general announcing': the one just named
            out.append(Hit(cue, text[cue.start:cue.end], named.mention, named.speaker, False))
            continue
        speaker = None if first_person else interpret(text, mention, people)
        if speaker and not plausible_speaker(speaker):
            # a phrase caught where a subject should be ('fierce competition', 'current
            # Democratic presidential nominee'): nobody can be named (the contract's null), and
            # nobody for a later 'he' to stand for
            out.append(Hit(cue, text[cue.start:cue.end], tuple(mention), None, False))
            continue
        if speaker:
            people.heard(mention[0].start, speaker, text[mention[0].start:mention[-1].end],
                         plural=len(conjuncts(mention)) > 1)
        out.append(Hit(cue, text[cue.start:cue.end], tuple(mention), speaker, first_person))
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
    if j < len(toks) and toks[j].low in ("published", "released", "issued", "written",
                                         "commissioned"):
        j += 1
    if j < len(toks) and toks[j].low in ("by", "from"):
        by = list(islice(takewhile(lambda t: t.is_word and t.low not in PREPS | SUBORD | CUES
                                   and not verbish(toks, toks.index(t)), toks[j + 1:]), 8))
        if by and by[-1].is_cap:
            return by
    return np


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
    quoted = nxt.is_mask or nxt.text == ":" or (
        nxt.text == "," and k + 2 < len(toks) and toks[k + 2].is_mask)
    if not quoted or not prev.is_word or prev.low in DETS or re.search(r"[’']s?$", prev.text):
        return False
    plural = prev.low in ("they", "we") or (k > 2 and joins(toks, k - 2)) or (
        prev.low.endswith("s") and prev.low not in VERBS | PREPS | SUBORD | ADVERBS)
    return plural


# Words caught at the edges of a subject that are no part of a speaker ('But Megan Hester',
# 'early Friday')
_NOT_SPEAKERS = set("""
but and or so yet then also however meanwhile when while still though early late earlier later
last next this on at in now there it’s it's that’s that's there’s there's monday tuesday
wednesday thursday friday saturday sunday january february march april june july august
september october november december today yesterday tonight
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
