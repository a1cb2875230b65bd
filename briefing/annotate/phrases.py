"""Noun phrases in a sentence's tokens: the one ending right before a reporting cue (its
subject when it comes first) or starting right after it (when inverted: 'said Kabulov'), and
whether a phrase ends in a person's name.

Helpers of the quotation rules (:mod:`briefing.annotate.subjects` above all). A phrase is read
word by word until a word that cannot be inside one (a verb, a clause word, a quotation); names
of institutions keep their 'and', 'for' and commas ('Department for Media, Culture and Sport').
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from briefing.annotate.marks import Tok
from briefing.annotate.names import ROLE_WORDS, TITLE_WORDS, is_office, is_org, person_name
from briefing.annotate.words import (
    ADVERBS,
    CUES,
    DETS,
    ING_ADJECTIVES,
    MONTHS_DAYS,
    PREPS,
    PRONOUNS_SUBJ,
    QUANTIFIERS,
    SUBORD,
    VERBS,
)

# Past tenses not made by rule: verbs, never part of a subject ('Hollywood came calling')
_PAST = set("""
came went got made took gave saw knew thought found left felt became began kept held brought ran
sat stood lost met paid sent spent won broke chose drove fell flew forgot grew hid hung led lay
rang rose sang shook shot sold sought struck swam taught threw understood woke wore
""".split())
# Words of time that cannot open a subject after its cue ('said on Monday', 'said today')
_TIME = set("""
monday tuesday wednesday thursday friday saturday sunday today yesterday tonight this last next
earlier later recently in on at
""".split())
_PROGRESSIVE = {"am", "is", "are", "was", "were", "been", "be"}


def names_person(np: Sequence[Tok]) -> bool:
    """Whether a noun phrase ends in a person's name: a capitalised run that is no institution
    and not the object of a determiner inside a description ('the chairman of the Commons')."""
    run = last_run(np)
    if not run or run[-1] is not np[-1]:
        return False
    i = list(np).index(run[0])
    if i and np[i - 1].low in DETS | {"of"}:
        return False
    text = " ".join(t.text for t in run)
    return not is_org(text) and looks_person(run) and run[-1].low not in PRONOUNS_SUBJ


def backward_np(toks: list[Tok], k: int) -> list[Tok]:
    """The noun phrase ending right before the cue at ``k`` (its subject when it comes first)."""
    j = before_verb(toks, k)
    if j >= 0 and toks[j].text == ")":
        # over a party label or an aside between the name and the verb ('Chaffetz (R-Utah) said')
        opening = next((i for i in range(j - 1, max(-1, j - 8), -1) if toks[i].text == "("), None)
        if opening is not None:
            j = opening - 1
    out: list[Tok] = []
    while j >= 0 and len(out) < 20:
        t = toks[j]
        low = t.low
        if out and joins(toks, j):
            out.insert(0, t)  # two speakers: 'Burton and Nick said'
            j -= 1
            continue
        if out and low == "and" and j and not out[0].is_cap and out[0].is_word and out[-1].is_cap \
                and out[0].low not in DETS | QUANTIFIERS and toks[j - 1].is_word \
                and not toks[j - 1].is_cap and toks[j - 1].low not in VERBS | SUBORD | PREPS | DETS:
            out.insert(0, t)  # 'Music Choice music and marketing manager Simon George'
            j -= 1
            continue
        if out and _inside_name(toks, j, out):
            out.insert(0, t)  # 'Department for Media, Culture and Sport', "the Musicians' Union"
            j -= 1
            continue
        if out and out[0].low in PRONOUNS_SUBJ and (
                not out[0].is_cap or j < 0 or not toks[j].is_word):
            break  # 'he' is the whole subject: '... in an interview with RT he said' ('The She Hate
            # Me director' is no pronoun)
        if out and j and ((low in _POSTMODIFIERS and _modified(toks[j - 1])) or (
                low == "for" and is_office(toks[j - 1].text))):
            out.insert(0, t)  # 'a cocoa farmer from Edo state', 'Bob Geldof in July', 'a
            j -= 1  # spokesman for the agency' (an office for a body)
            continue
        if t.is_mask or not t.is_word or (low in PREPS and low != "of") or low in SUBORD \
                or verbish(toks, j):
            break
        if low in CUES or low in _PAST or (
                not t.is_cap and len(low) > 4 and low.endswith(("ed", "ing"))
                and low not in ING_ADJECTIVES and "-" not in low) or (
                out and low in ADVERBS - _ADJECTIVAL):
            break  # a verb before the cue makes it a noun ('Mr Brown also issued call for')
        out.insert(0, t)
        j -= 1
        if low in DETS and j >= 0 and toks[j].is_word \
                and toks[j].low not in PREPS | SUBORD | {"of"}:
            # a determiner opens the phrase: 'In a filing to US regulators the airline warned'
            break
    if out and j >= 0 and toks[j].text == "," and (out[0].low in _POSTMODIFIERS | {"of"} or (
            not names_person(out)
            and not (out[0].is_cap or out[0].low in DETS | QUANTIFIERS | PRONOUNS_SUBJ))):
        # 'Dr Erel Avineri, of the Centre ... in Bristol said', 'Christoph Caselitz, president of
        # the mobile networks division at the firm says': the name before the comma
        name = backward_np(toks, j)
        if name and names_person(name) and len(last_run(name)) >= 2:
            return name
    while out and (out[0].low in ("of", "and", "from", "for", "on") or out[0].low in _POSTMODIFIERS
                   or not out[0].is_word):
        out.pop(0)
    if out and not any(t.is_cap or t.low not in DETS for t in out):
        return []
    return out


# Prepositions that may hang a phrase on a noun inside a subject ('a farmer from Edo state').
_POSTMODIFIERS = {"from", "at", "in", "with", "on"}
_PERCEIVED = {"heard", "seen", "caught", "filmed", "recorded", "shown"}


def _modified(t: Tok) -> bool:
    """Whether a word can carry a prepositional phrase inside a subject: a name or a noun."""
    return t.is_word and (t.is_cap or not (
        t.low in VERBS or t.low in SUBORD or t.low in PREPS or t.low in CUES or t.low in ADVERBS
        or t.low in PRONOUNS_SUBJ or (len(t.low) > 4 and t.low.endswith(("ed", "ing")))))


def before_verb(toks: list[Tok], k: int) -> int:
    """The last token of the cue's subject, past what may stand between them: adverbs ('Mr
    Blair instead said', 'he angrily said'), a progressive's auxiliary ('Clinton is now
    describing'), 'is heard asking', 'quoted as saying', a date ('Bob Geldof in July said')."""
    j = k - 1
    ing = toks[k].low.endswith("ing")
    while j >= 0:
        low = toks[j].low
        if low in ADVERBS or (ing and (low in _PROGRESSIVE or low in _PERCEIVED)):
            j -= 1
        elif (not toks[j].is_cap and len(low) > 4 and low.endswith("ly") and low not in _LY_NOUNS
              and j and ((toks[j - 1].is_cap and not re.search(r"[’']s?$", toks[j - 1].text))
                   or toks[j - 1].low in PRONOUNS_SUBJ or toks[j - 1].text in ",)")):
            j -= 1  # 'he angrily said', 'Marc Morial, the chief executive, forcefully told'
        elif low in ("not", "never") or low.endswith(("n't", "n’t")):
            j -= 1  # 'He didn't suggest', 'did not say'
        elif ing and low == "as" and j and toks[j - 1].low == "quoted":
            j -= 2  # 'Mr Dixon (was) quoted as saying'
        elif j and low in MONTHS_DAYS and toks[j - 1].low in ("in", "on"):
            j -= 2  # 'Bob Geldof in July said'
        elif j and low in _PERIODS and toks[j - 1].low in ("this", "last", "next", "that", "every"):
            j -= 2  # 'Wells Fargo just this month announced'
        else:
            return j
    return j


# Words of ADVERBS that also qualify a noun inside a subject ('the first minister')
_ADJECTIVAL = {"first", "last", "earlier", "later", "today", "yesterday", "tonight", "himself",
               "herself", "themselves", "itself", "alone", "together", "has", "have", "had",
               "would", "will", "did", "does", "not", "again"}
_PERIODS = {"week", "month", "year", "weekend", "morning", "afternoon", "evening", "night",
            "spring", "summer", "autumn", "fall", "winter", "term", "session", "decade", "century"}
_LY_NOUNS = {"family", "ally", "assembly", "rally", "supply", "monopoly", "anomaly", "bully"}


def verbish(toks: Sequence[Tok], j: int) -> bool:
    """Whether the token at ``j`` is an auxiliary ('may', 'will'), not a name that spells like
    one after a capitalised word ('Theresa May')."""
    t = toks[j]
    if t.low not in VERBS:
        return False
    return not (t.is_cap and (
        (j and toks[j - 1].is_cap and toks[j - 1].is_word)
        or (j + 1 < len(toks) and toks[j + 1].is_cap and toks[j + 1].is_word)))


def _verbish_name(toks: Sequence[Tok], j: int) -> bool:
    """Whether a word that spells like an auxiliary is a given name ('Will Smith')."""
    return toks[j].is_cap and j + 1 < len(toks) and toks[j + 1].is_cap and toks[j + 1].is_word


def joins_name(toks: Sequence[Tok], j: int) -> bool:
    """An 'and' or '&' inside an institution's name ('Education and Skills', 'Marsh & Co')."""
    return toks[j].low in ("and", "&") and 0 < j < len(toks) - 1 and toks[j - 1].is_cap \
        and toks[j + 1].is_cap


def _inside_name(toks: list[Tok], j: int, out: list[Tok]) -> bool:
    """Whether the token at ``j``, read backwards from a noun phrase ``out``, is inside a name
    or hangs a name on the one before: 'for' between capitalised words ('Department for
    Transport'), a comma in a list inside one ('Department for Media, Culture and Sport'), a
    plural possessive mark ("the Musicians' Union"), 'from' after a name ('Nigel McCune from
    the Musicians' Union': the phrase's head is the name, see mentions._head)."""
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
    return t.text == "," and before.is_cap and nxt.is_cap and j > 1 \
        and toks[j - 2].low in ("for", "of") and any(o.low == "and" for o in out[:4])


def forward_np(toks: list[Tok], j: int) -> list[Tok]:
    """The noun phrase starting at ``j`` (a cue's subject after it when inverted, or what
    'according to' names): a name with the role before it ('Nortel president and chief
    executive Bill Owens'), a description up to its verb or clause word."""
    out: list[Tok] = []
    while j < len(toks) and len(out) < 10:
        t = toks[j]
        low = t.low
        if out and joins(toks, j):
            out.append(t)  # two speakers: 'said Burton and Nick'
            j += 1
            continue
        if out and low == "and" and not out[-1].is_cap and (
                not any(o.is_cap for o in out) or out[-1].low in ROLE_WORDS | TITLE_WORDS) \
                and _role_then_name(toks, j + 1):
            out.append(t)  # 'said Nortel president and chief executive Bill Owens'
            j += 1
            continue
        if low == "for" and out and is_office(out[-1].text) and j + 1 < len(toks) \
                and toks[j + 1].is_word:
            out.append(t)  # 'a spokesman for the agency', 'minister for women Jacqui Smith'
            j += 1
            continue
        if t.is_mask or not t.is_word or (low in PREPS and low != "of") or low in SUBORD \
                or verbish(toks, j):
            break
        if not out and low in _TIME:
            break
        if low in CUES or (out and not t.is_cap and len(low) > 4 and low.endswith("ed")):
            break
        if out and ((low in ADVERBS and not _verbish_name(toks, j))
                    or out[0].low in ("he", "she", "they")):
            break
        if out and not t.is_cap and low not in ("of", "the") and low not in ROLE_WORDS \
                and any(o.is_cap and o.low not in DETS for o in out) \
                and not _name_follows(toks, j) \
                and out[0].low not in DETS | QUANTIFIERS:
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
        if not t.is_word or t.low in PREPS | SUBORD | VERBS | CUES:
            return False
        if t.is_cap and toks[i + 1].is_cap and toks[i + 1].is_word and i > j \
                and t.low not in ROLE_WORDS:
            return True
    return False


def _name_follows(toks: list[Tok], j: int) -> bool:
    """Whether the lower-case words from ``j`` are a role between an institution and a name:
    'SEC deputy enforcement director Linda Thomsen', 'French finance minister Herve Gaymard'."""
    for i in range(j, min(len(toks), j + 4)):
        t = toks[i]
        # a full name: two capitalised words at least ('spoke out Tuesday about' is none)
        if t.is_cap:
            return i > j and t.is_word and i + 1 < len(toks) and toks[i + 1].is_cap \
                and toks[i + 1].is_word and t.low not in ROLE_WORDS
        if not t.is_word or t.low in PREPS or t.low in SUBORD or t.low in VERBS or t.low in CUES \
                or t.low in ADVERBS or t.low in _TIME:
            return False
    return False


def joins(toks: Sequence[Tok], j: int) -> bool:
    """Whether the token at ``j`` is an 'and' between two capitalised words, joining two speakers
    ('Burton and Nick', 'Mr. Burton and Ms. Hale'); 'Burton and his wife', 'Hale, and Burton
    laughed' and 'said and walked out' join no names."""
    if toks[j].low != "and" or j == 0 or j + 1 >= len(toks):
        return False
    before, after = toks[j - 1], toks[j + 1]
    if before.is_word and before.is_cap and after.is_word and not after.is_cap \
            and j + 3 < len(toks):
        # 'singer Gary Lightbody and drummer Jonny Quinn': a role, then a full name
        return after.low not in DETS | SUBORD | PREPS | VERBS | PRONOUNS_SUBJ | CUES \
            and toks[j + 2].is_cap and toks[j + 3].is_cap and toks[j + 2].is_word \
            and toks[j + 3].is_word
    return before.is_word and before.is_cap and after.is_word and after.is_cap


def looks_person(caps: list[Tok]) -> bool:
    """Whether a run of capitalised words ends in what can be a person's name."""
    return person_name(" ".join(t.text for t in caps)) is not None


def last_run(mention: Sequence[Tok]) -> list[Tok]:
    """The last run of capitalised words ("Music Managers' Forum" with its possessive mark)."""
    run: list[Tok] = []
    best: list[Tok] = []
    for i, t in enumerate(mention):
        if t.is_cap and not (i == 0 and t.low in DETS):
            run.append(t)
            best = run
        elif run and t.text in ("'", "’") and run[-1].low.endswith("s") \
                and t.start == run[-1].end and i + 1 < len(mention) and mention[i + 1].is_cap:
            run.append(t)
        else:
            run = []
    return best
