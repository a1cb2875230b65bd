"""Who a reporting cue is about: the subject of its clause, found across what English puts
between a speaker and the verb: an appositive ('Abdul Salam Hanafi, a deputy prime minister,
said'), a relative clause ('Ms Robinson, who presents The Weakest Link, tells'), an aside
between dashes, a coordination ('X did this and said'), an inverted order ('said Kabulov'), a
medium quoting someone ('Reuters quoted a central bank official as saying').

Helpers of :mod:`briefing.annotate.cues`; the noun phrases themselves are read by
:mod:`briefing.annotate.phrases`. What a subject stands for (a pronoun's referent, a full name) is
:mod:`briefing.annotate.mentions`' question.
"""

from __future__ import annotations

import re

from briefing.annotate.marks import Tok
from briefing.annotate.names import ROLE_WORDS, is_org
from briefing.annotate.phrases import (
    backward_np,
    before_verb,
    forward_np,
    joins_name,
    last_run,
    looks_person,
    names_person,
    verbish,
)
from briefing.annotate.words import (
    CUES,
    DETS,
    ING_ADJECTIVES,
    MONTHS_DAYS,
    PREPS,
    PRONOUNS_SUBJ,
    SUBORD,
    VERBS,
)


def subject(toks: list[Tok], k: int) -> list[Tok]:
    """Who the cue at ``k`` is about: the noun phrase before it, or after it when inverted
    ('said Kabulov'), or the subject of the clause across an appositive, a relative clause
    ('Ms Robinson, who presents The Weakest Link tells'), an aside between dashes or a
    coordination."""
    rel = _relative_subject(toks, k) or _quoted_object(toks, k)
    if rel:
        return rel
    back = backward_np(toks, k)
    if back and toks[k].low.endswith("ing"):
        i = toks.index(back[0])
        if i and toks[i - 1].low in PREPS - {"of", "with", "without"}:
            # 'a plan for an invasion of the country saying': no subject, the clause's ('with
            # Mr Kennedy stressing' has one)
            return _clause_subject(toks, i - 1) or back
    if back:
        return back
    j = before_verb(toks, k)
    prev = toks[j] if j >= 0 else None
    if prev is not None and prev.text in _DASHES:
        opening = next((i for i in range(j - 1, max(-1, j - 30), -1) if toks[i].text in _DASHES),
                       None)
        if opening is not None and not any(t.is_mask for t in toks[opening:j]):
            aside = backward_np(toks, opening)  # 'Alan Beith - who chairs the committee - said'
            if aside:
                return aside
    if prev is None or prev.is_mask or prev.text in ",:;" or prev.text in _DASHES:
        fwd = _appositive(toks, forward_np(toks, k + 1))
        if fwd and (prev is None or prev.is_mask or prev.text in _DASHES):
            return fwd
        if prev is not None and prev.text == ",":
            after = toks.index(fwd[-1]) + 1 if fwd else 0
            set_off = after < len(toks) and toks[after].text == ","
            if fwd and (_ends_clause(toks, after) or set_off) \
                    and not (after < len(toks) and toks[after].is_mask) \
                    and toks[k].low in _INVERTING and (names_person(fwd) or fwd[0].low in DETS):
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
_INVERTING = {"said", "says", "argued", "argues", "added", "adds", "insisted", "insists",
              "explained", "noted", "notes", "warned", "warns", "stressed", "continued",
              "concluded", "conceded", "admitted", "claimed", "claims", "maintained", "replied",
              "recalled", "suggested"}
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
    np = forward_np(toks, i)
    if np and (names_person(np) or (len(np) == 1 and np[0].low in ("he", "she"))):
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
                np = backward_np(toks, i - 1)
                if np and np[-1].is_cap and np[0].low not in PRONOUNS_SUBJ:
                    return np
            return []
        if t.is_mask or not t.is_word or t.low in CUES or t.low in SUBORD:
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
            return np if np and np[-1].is_word and not verbish(toks, i + 1) else []
        if t.is_mask or not (t.is_word or t.text in "'’&-") or t.low in CUES or t.low in VERBS \
                or t.low in SUBORD:
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
    if not np or names_person(np):
        return np
    j = toks.index(np[-1]) + 1
    # the rest of the description, up to its comma ('... the Commons transport select committee,')
    while j < len(toks) and j - toks.index(np[-1]) <= 12 \
            and (toks[j].is_word or toks[j].text in "'’&") and not (
                (toks[j].low in SUBORD and not joins_name(toks, j)) or toks[j].low in VERBS
                or toks[j].low in CUES):
        j += 1
    if j >= len(toks) or toks[j].text != ",":
        return np
    name = forward_np(toks, j + 1)
    if name and names_person(name):
        after = toks.index(name[-1]) + 1
        if _ends_clause(toks, after) or toks[after].text == ",":
            return name
    return np


def _chunk_subject(toks: list[Tok], k: int) -> list[Tok]:
    """Across appositives ('Abdul Salam Hanafi, a deputy prime minister ..., said'): the first
    comma-separated chunk of the clause holding a person's name, else the first noun phrase."""
    chunks = [_chunk_start(toks, c, k) for c in
              [0] + [i + 1 for i in range(k) if toks[i].text in ",;" or toks[i].is_mask]]
    # a chunk that is a name first ('James Hardie chairwoman, Meredith Hellicar,')
    for c in chunks:
        if c < k and toks[c].low not in PREPS | SUBORD:
            np = forward_np(toks, c)
            if np and names_person(np) and len(last_run(np)) >= 2 \
                    and np[0].low not in PRONOUNS_SUBJ and np[0].low not in DETS:
                return np
    first = None
    for c in chunks:
        if c >= k or toks[c].low in PREPS or toks[c].low in SUBORD:
            continue
        np = forward_np(toks, c)
        if not np:
            continue
        if any(t.is_cap and t.low not in DETS for t in np[1:] + np[:1]) \
                and not all(t.low in DETS for t in np):
            caps = [t for t in np if t.is_cap and t.low not in DETS]
            if caps and not is_org(" ".join(t.text for t in caps)) and looks_person(caps):
                return np
        first = first or np
    return first or []


def _chunk_start(toks: list[Tok], c: int, k: int) -> int:
    """Where a chunk's noun phrase starts: past a leading conjunction ('And Paul Collison',
    'However, one dealer') and a short prepositional phrase ('On tape Mr Livingstone')."""
    while c < k and toks[c].low in _LEADING:
        c += 1
    if c < k and toks[c].is_cap and len(toks[c].low) > 5 and toks[c].low.endswith("ing") \
            and toks[c].low not in ING_ADJECTIVES and (c == 0 or toks[c - 1].low in _LEADING):
        # a participle's phrase opening the sentence, no comma after it ('Speaking after the
        # vote was announced Bob Neill, leader of the group, said'): the subject is the full
        # name that closes the chunk
        end = next((i for i in range(c, k) if toks[i].text in ",;" or toks[i].is_mask), k)
        i = end
        while i - 1 > c and toks[i - 1].is_cap and toks[i - 1].is_word:
            i -= 1
        if end - i >= 2 and looks_person(toks[i:end]) \
                and not is_org(" ".join(t.text for t in toks[i:end])):
            return i
    if c < k and toks[c].low in PREPS:
        for i in range(c + 1, min(k, c + 4)):
            t = toks[i]
            if not t.is_word:
                break
            if t.is_cap:
                if i + 1 < k and toks[i + 1].is_cap \
                        and t.low not in MONTHS_DAYS | ROLE_WORDS - _TITLES:
                    return i  # 'On tape Mr Livingstone, ...'
                break
    return c


_TITLES = {"mr", "mrs", "ms", "dr", "mr.", "mrs.", "ms.", "dr."}
# Words that may open a clause before its subject ('And Paul Collison said', 'However, ...')
_LEADING = {"and", "but", "so", "yet", "then", "meanwhile", "however", "also", "now", "still"}


def _clause_subject(toks: list[Tok], j: int) -> list[Tok]:
    """For 'X did this and said ...': the nearest pronoun or name opening a clause before the
    'and' ('after he publicly accused Pakistan ... and called it')."""
    bounds = SUBORD | {"after", "before", "since", "until", "once"}
    for i in range(j - 1, -1, -1):
        t = toks[i]
        if t.is_mask or _PARTY_LABEL.match(t.text):
            continue  # the clause's own quotations; 'Paul Ryan, R-Wis., despite admitting'
        opens = i == 0 or toks[i - 1].low in bounds or toks[i - 1].text in ",;:—–-("
        if opens and (t.low in ("he", "she", "they") or (t.is_cap and t.low not in DETS | SUBORD)):
            np = forward_np(toks, i)
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
            nxt = toks[i + 1] if toks[i + 1].text != "," else (
                toks[i + 2] if i + 2 < len(toks) else None)
            if nxt is not None and (nxt.low in ("he", "she", "they")
                                    or (nxt.is_cap and nxt.is_word)):
                np = forward_np(toks, toks.index(nxt))
                if np and (len(np) == 1 and np[0].low in ("he", "she", "they")
                           or names_person(np)):
                    return np
            return []
    return []


def _opening_subject(toks: list[Tok], j: int) -> list[Tok]:
    """The subject of the sentence's main clause, past a leading phrase of time or place ('On
    September 27 they published ... by announcing'), when nothing but words stands before
    ``j``."""
    i = 0
    while i < j and (toks[i].low in _LEADING or toks[i].text == ","):
        i += 1
    if i < j and toks[i].low in PREPS:
        for n in range(i + 1, min(j, i + 6)):
            t = toks[n]
            if t.low in ("he", "she", "they", "we") or (
                    t.is_cap and t.low not in MONTHS_DAYS | DETS and not t.text[:1].isdigit()):
                i = n
                break
            if t.is_mask:
                return []
        else:
            return []
    if any(t.is_mask or t.text in ";:" for t in toks[i:j]):
        return []
    return forward_np(toks, i)
