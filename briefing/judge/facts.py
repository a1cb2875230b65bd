"""What a passage says, for telling repeated facts apart: its content roots and its anchors.

Two passages say the same thing when (a) most content words of the shorter are in the longer
(syndicated copies: Feedly's 85% rule), or (b) they share a rare anchor, a number or year that
few of the theme's candidates mention (the 2003 designation), and at least one other rare
content word: the same fact retold in other words. What is rare is counted over a theme's
candidates (:func:`common_roots`). The sections (``sections``) and The essentials
(``essentials``) both decide by these rules, so neither prints what the other says.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from briefing.judge.textnorm import roots

DUPLICATE_CONTAINMENT = 0.85

# Words too common to say whether two passages report the same thing.
STOPWORDS = frozenset(roots(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours s t said says""",
))


def _content_roots(rs: Iterable[str]) -> frozenset[str]:
    return frozenset(r for r in rs if r not in STOPWORDS and not r.isdigit())


def _anchors(rs: Iterable[str]) -> frozenset[str]:
    """Numbers of three digits or more (years, counts, distances): facts' fingerprints."""
    return frozenset(r for r in rs if r.isdigit() and len(r) >= 3)


def same_fact(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two passages are copies: most content words of the shorter one are in the
    longer one."""
    if not a or not b:
        return False
    return len(a & b) / min(len(a), len(b)) >= DUPLICATE_CONTAINMENT


@dataclass(frozen=True, slots=True)
class Fact:
    """What a passage says, for telling repeated facts apart: content roots and anchors."""

    words: frozenset[str]
    anchors: frozenset[str]

    @classmethod
    def of(cls, text: str) -> Fact:
        rs = set(roots(text))
        return cls(_content_roots(rs), _anchors(rs))

    def same_as(self, other: Fact, common: frozenset[str]) -> bool:
        """Copies, or the same fact retold: a shared rare anchor and a shared rare word."""
        if same_fact(self.words, other.words):
            return True
        shared_anchor = (self.anchors & other.anchors) - common
        return bool(shared_anchor) and bool((self.words & other.words) - common)


def common_roots(facts: Sequence[Fact], share: float = 0.3,
                 anchor_share: float = 0.1) -> frozenset[str]:
    """Roots too common among this theme's candidates to tell one fact from another: words in
    more than ``share`` of them, numbers in more than ``anchor_share`` (a year most passages
    mention, like the year of the story, is no fingerprint; the year of one event is), and
    never fewer than 3 passages."""
    counts: dict[str, int] = {}
    for f in facts:
        for r in f.words | f.anchors:
            counts[r] = counts.get(r, 0) + 1
    words, anchors = max(2, int(share * len(facts))), max(2, int(anchor_share * len(facts)))
    return frozenset(r for r, n in counts.items() if n > (anchors if r.isdigit() else words))
