"""Words to roots, so that a theme term matches every form of a word and both spellings.

``recognise``, ``recognize``, ``recognised``, ``recognising`` and ``recognition`` share one root;
``neighbour`` and ``neighbor`` too. Matching is by whole tokens, never by substring, so ``arms``
does not match ``farmers``. The same function normalises theme terms and article text, so any
quirk of the stemmer is applied consistently on both sides.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache

import Stemmer

_STEMMER = Stemmer.Stemmer("english")

# Letters and digits; hyphens and apostrophes split words ("Tajik-Afghan" -> "Tajik", "Afghan";
# "Russia's" -> "Russia", "s") so that each part can match on its own.
TOKEN_RE = re.compile(r"[^\W_]+")

# -ise words that are spelled -ise in American English too: never rewritten to -ize.
_ISE_KEEP = frozenset(
    """advertise advise apprise arise chastise circumcise comprise compromise concise demise
    despise devise disguise enterprise excise exercise expertise franchise improvise merchandise
    otherwise precise premise promise reprise revise supervise surmise surprise televise treatise
    wise rise raise noise praise cruise bruise poise anise paradise""".split()
)
_OUR_KEEP = frozenset("contour detour devour paramour tambour troubadour".split())
_SPELLING = {"defence": "defense", "offence": "offense", "licence": "license",
             "pretence": "pretense"}

_ISE_RE = re.compile(r"^(\w{3,}?)is(e|es|ed|ing|ation|ations|er|ers)$")
_OUR_RE = re.compile(r"^(\w{3,}?)our(s|ed|ing|ite|ites|able|er|ers|hood|ly)?$")
_TRE_RE = re.compile(r"^(\w{2,}?)tre(s|d)?$")


def americanise(word: str) -> str:
    """British to American spelling for the regular patterns (-ise, -our, -tre, -ence)."""
    if word in _SPELLING:
        return _SPELLING[word]
    m = _ISE_RE.match(word)
    if m and (m.group(1) + "ise") not in _ISE_KEEP and not m.group(1).endswith(("w", "r")):
        return f"{m.group(1)}iz{m.group(2)}"
    m = _OUR_RE.match(word)
    if m and (m.group(1) + "our") not in _OUR_KEEP:
        return f"{m.group(1)}or{m.group(2) or ''}"
    m = _TRE_RE.match(word)
    if m:
        return f"{m.group(1)}ter{m.group(2) or ''}"
    return word


@lru_cache(maxsize=200_000)
def root(word: str) -> str:
    """The root of one word: lower-cased, American-spelled, stemmed, a few derivations folded.

    ``recognition`` -> ``recogn`` like ``recognize``; ``organization`` like ``organize``.
    """
    w = americanise(word.lower())
    stem = _STEMMER.stemWord(w)
    if stem.endswith("it") and w.endswith(("ition", "itions")) and len(stem) >= 7:
        stem = stem[:-2]  # recognit(ion) -> recogn, definit(ion) -> defin
    elif stem.endswith("iz") and len(stem) >= 6:
        stem = stem[:-2]  # organiz(ation) -> organ(ize)
    return stem


def tokens(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int, str]]:
    """Yield ``(start, end, word)`` for every word of ``text[start:end]``, offsets into ``text``."""
    for m in TOKEN_RE.finditer(text, start, len(text) if end is None else end):
        yield m.start(), m.end(), m.group()


def roots(text: str) -> list[str]:
    """The roots of every word of ``text``, in order."""
    return [root(m.group()) for m in TOKEN_RE.finditer(text)]


def phrase_starts(term: Sequence[str], prefix: bool, roots: Sequence[str],
                  words: Sequence[str]) -> list[int]:
    """Token indices where a phrase of roots ``term`` starts in a passage's ``roots``; with
    ``prefix`` its last element is matched as the start of the lower-case word (``legitim*``),
    or of the root where the passage's words are not at hand."""
    n = len(term)
    last = words if words else roots
    if prefix and n == 1:
        return [i for i, w in enumerate(last) if w.startswith(term[0])]
    first = term[0]
    if first not in roots:  # a scan in C: most terms are absent from most passages
        return []
    starts = [i for i, r in enumerate(roots) if r == first]
    if n == 1:
        return starts
    found = []
    for i in starts:
        if i + n > len(roots):
            continue
        for j in range(1, n):
            if prefix and j == n - 1:
                ok = last[i + j].startswith(term[j])
            else:
                ok = roots[i + j] == term[j]
            if not ok:
                break
        else:
            found.append(i)
    return found
