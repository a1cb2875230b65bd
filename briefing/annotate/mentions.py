"""A speaker's mention as the sentence writes it (its tokens) -> the speaker a reader sees: a
full name ('Lavrov' -> 'Sergey Lavrov'), an institution ('the Department for Media, Culture and
Sport'), the person a pronoun or a description stands for ('he', 'the diplomat'), or the
description itself ('a diplomatic source'); and whether a speaker string can be one at all.

Helpers of :mod:`briefing.annotate.cues`; the article's people are asked through
:class:`~briefing.annotate.people.People`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from briefing.annotate.marks import Tok
from briefing.annotate.names import (
    DOCUMENTS,
    ORG_WORDS,
    PERSON_NOUNS,
    ROLE_WORDS,
    is_office,
    is_org,
    is_trade,
    person_name,
)
from briefing.annotate.people import People
from briefing.annotate.phrases import joins, last_run, looks_person, names_person
from briefing.annotate.words import DETS, MONTHS_DAYS, QUANTIFIERS


def _head(mention: Sequence[Tok]) -> Sequence[Tok]:
    """A person named with where they are from: the name ('Dr Doug Williams of BT', 'Nigel
    McCune from the Musicians' Union', 'David Page, of Investec'); any other phrase as it is."""
    for i, t in enumerate(mention):
        if i and t.low in ("of", "from", "at", "with", "in") and names_person(mention[:i]):
            return mention[:i]
    return mention


def conjuncts(mention: Sequence[Tok]) -> list[Sequence[Tok]]:
    """A mention cut at the 'and's that join speakers; one part when there is none, or when a
    part is no person's name: an institution's name with 'and' in it ('the Qualifications and
    Curriculum Authority', 'a Department for Education and Skills spokeswoman') or one
    person's description ("Smith and Wesson's chief") is one speaker."""
    cuts = [i for i in range(len(mention)) if joins(mention, i)]
    if not cuts:
        return [mention]
    bounds = [-1] + cuts + [len(mention)]
    parts = [mention[a + 1:b] for a, b in zip(bounds, bounds[1:])]
    if not all(parts) or any(t.low in ("for", "of") for t in mention) or is_org(
            " ".join(t.text for t in mention)) or not all(names_person(p) for p in parts):
        return [mention]
    return parts


def interpret(text: str, mention: Sequence[Tok], people: People) -> str | None:
    """The speaker a mention stands for: a full name, an institution, a pronoun's or a
    description's referent, or the description itself ('a diplomatic source'). Two speakers
    joined by 'and' are one speaker string, each part resolved on its own: 'Burton and Hale'
    -> 'Mary Burton and Nick Hale' (the contract's speaker is a string)."""
    parts = conjuncts(mention)
    if len(parts) > 1:
        names = [interpret(text, part, people) for part in parts]
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
            if not tail[:1].isupper() or is_org(tail):
                return _lower_article(tail)
            return people.cast.resolve_name(tail)
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
    if lows[0] in QUANTIFIERS:
        return _lower_article(phrase)  # 'Others, however, who ...', 'One leading Karachi broker'
    head = _head(mention)
    if len(head) < len(mention):
        return interpret(text, head, people)
    org = _org_name(text, mention)
    if org is not None:
        return org
    caps = last_run(mention)
    if caps and caps[-1] is mention[-1] and not re.search(r"[’']s?$", caps[-1].text):
        run = text[caps[0].start:caps[-1].end]
        det = mention.index(caps[0]) > 0 and mention[mention.index(caps[0]) - 1].low == "the"
        if is_org(run) or (det and person_name(run) is None):
            return ("the " + run) if det else run  # 'the Liberal Democrats'
        return people.cast.resolve_name(run, caps[0].start + 1)
    if len(mention) >= 2 and lows[-1] in DOCUMENTS and re.search(r"[’']s?$", mention[-2].text) \
            and mention[-2].is_cap:
        owner = [t for t in mention[:-1] if t.is_cap]
        if owner and looks_person(owner) and not is_org(" ".join(t.text for t in owner)):
            # "Mr Tanzi's statement said", "As Mr Kok's report noted": the author's words
            owner_name = text[owner[0].start:owner[-1].end].rstrip("’'s")
            return people.cast.resolve_name(owner_name, owner[0].start + 1)
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
            if last and not people.cast.holds_office(last):
                return last
            return _lower_article(phrase)
    return _lower_article(phrase)


def _holder_named(mention: Sequence[Tok], of: int) -> bool:
    """Whether an office phrase goes on to the name of its holder: 'the Union's head of research
    Owen Hartley' (a name after the office's own object), not 'the Mayor of London' (the place
    is the object) nor 'a spokesman for hedge fund Atticus Capital' (a spokesman is for a
    body)."""
    if mention[of].low == "for" or not names_person(mention):
        return False
    run = last_run(mention)
    between = mention[of + 1:list(mention).index(run[0])]
    return any(t.is_word and not t.is_cap and t.low not in DETS for t in between)


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


# What 'the ...' calls a body the article has named ('the company said', 'the bank added')
_BODIES = {"company", "firm", "group", "bank", "retailer", "airline", "carrier", "insurer",
           "lender", "club", "band", "studio", "broadcaster", "network", "operator", "chain",
           "supermarket", "manufacturer", "maker", "publisher", "agency", "regulator", "watchdog",
           "charity", "organisation", "organization", "union", "party", "business", "giant"}


def _lower_article(phrase: str) -> str:
    """A description as it would read inside a sentence: 'The company' -> 'the company', 'One
    leading Karachi broker' -> 'one leading Karachi broker'."""
    return re.sub(r"^(The|A|An|One|Some|Another|Several|Many|Most|Both|Other|Others)\b",
                  lambda m: m.group(1).lower(), phrase)


def plausible_speaker(speaker: str) -> bool:
    """Whether a speaker string is a name, an institution or a description (contract.md), never
    a fragment: it opens with a capital (a name, 'Labour strategists'), an article, a possessive
    or a quantifier ('a diplomatic source', 'one dealer', 'his lawyer'), or is many people
    ('critics', 'officials'); it neither opens nor ends with a clause word or a pronoun alone."""
    words = speaker.split()
    if not words:
        return False
    first, last = words[0].lower(), words[-1].lower()
    if (first in _CLAUSE_EDGES - DETS) or last in _CLAUSE_EDGES or (
            len(words) == 1 and first in _PRONOUN_WORDS):
        return False
    if len(words) == 1 and first in MONTHS_DAYS:
        return False
    if speaker[:1].isupper() or re.match(r"\d+[A-Z]", speaker):
        return True  # a name, 'Labour strategists', '4Cast'
    return first in DETS | QUANTIFIERS | _POSSESSIVES | _GROUP_NOUNS or (
        last.endswith("s") and not last.endswith("ss"))


_PRONOUN_WORDS = {"he", "she", "it", "they", "him", "her", "them", "we", "us", "i", "me", "you",
                  "himself", "herself", "itself", "themselves", "somebody", "someone", "anybody",
                  "anyone", "everybody", "everyone", "nobody", "there"}
_POSSESSIVES = {"his", "her", "its", "their", "our", "my", "your"}
_GROUP_NOUNS = {"police", "people", "staff", "management", "public", "press", "crew", "audience",
                "media", "military", "government", "opposition", "prosecution", "defence",
                "defense"}
_CLAUSE_EDGES = {"but", "and", "or", "of", "in", "at", "to", "for", "from", "with", "by", "on",
                 "instead", "also", "now", "then", "so", "until", "unless", "if", "when", "while",
                 "that", "which", "who", "just", "indeed", "not", "the", "a", "an"}
