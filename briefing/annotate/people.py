"""Who is speaking in one article, as it is read: the speakers reported so far, and the
resolution of a speaker mention ("he", "the diplomat", "it") to the name a reader should see.

Built by :mod:`briefing.annotate.quotes`, filled by :mod:`briefing.annotate.cues` and asked by
:mod:`briefing.annotate.mentions`. No coreference model works offline here, so this is rules:
the article's names come from :mod:`briefing.annotate.cast` (capitalised runs, roles stripped),
and a pronoun or a description goes to the most recent compatible speaker or named person.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from briefing.annotate.cast import Cast, sentence_start
from briefing.annotate.names import (
    BOUNDARY,
    NAME_RUN,
    NOT_NAME_WORDS,
    PERSON_NOUNS,
    institution,
    is_org,
    person_name,
    strip_possessive,
)

# How far back (characters) a description ("the diplomat") looks for the person it stands for:
# well past the 4,000 the farthest PolNeAR dev reference reaches, and a bound on the work per
# description however long the article (a compilation of many stories) grows.
DESCRIPTION_REACH = 10_000
_STEM = 7  # a description's word matches a role by its first 7 letters ('diplomat' ~ 'diplomatic')
# A deputy's office is not the office: 'the mayor' is not the 'Deputy Mayor Nicky Gavron' named
# before, 'the chancellor' not the shadow chancellor (the qualifier stays: 'the deputy' is hers).
_UNDER = re.compile(r"\b(deputy|vice|assistant|shadow)[\s-]+[\w’'-]+")


@dataclass
class People:
    """The per-article table: the article's cast, and the speakers heard so far.

    Everything a resolution asks is indexed once, so that the cost of an article stays linear
    in its length: the speakers are kept in position order as they are heard (insertion at the
    end, never a re-sort), each with the speakers a "he" or a "she" may stand for beside them,
    and every mention of a known name is listed with its offsets when the article is scanned
    (:class:`~briefing.annotate.cast.Cast`).
    """

    cast: Cast
    #: (offset, name, role text) of every speaker heard, in order
    speakers: list[tuple[int, str, str]] = field(default_factory=list)
    heard_words: set[str] = field(default_factory=set)  # every word of every speaker's name
    _agreeing: dict[str, list[tuple[int, str, str]]] = field(
        default_factory=lambda: {"m": [], "f": []})  # the speakers 'he' / 'she' may stand for
    _keys: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, text: str, paragraphs: Sequence[tuple[int, int]] | None = None) -> People:
        """The table of an article no one has been heard in yet: its cast, read from the
        ``paragraphs`` given (the body), else from the whole text."""
        return cls(Cast.build(text, paragraphs))

    def heard(self, pos: int, name: str, role: str = "", plural: bool = False) -> None:
        """Record that ``name`` was reported speaking (quoted or not) at ``pos``; ``plural`` for
        two speakers together ('Burton and Nick'), whom no 'he' or 'she' stands for. Speakers
        are heard in reading order, so each goes in at (or next to) the end of its lists."""
        entry = (pos, name, role.lower())
        bisect.insort(self.speakers, entry)
        sex = None if plural else self.cast.gender(name)
        person = not (plural or institution(name))
        for pronoun, agreeing in self._agreeing.items():
            if person and sex in (None, pronoun):
                bisect.insort(agreeing, entry)
        self.heard_words.update(w for w in name.split() if not (plural and w == "and"))

    def resolve_it(self, pos: int, reach: int = 600, named: bool = False) -> str | None:
        """'it' as a speaker -> the institution heard last, within ``reach`` characters before
        ``pos`` ('Deutsche Boerse said ... "...," it said'): a speaker the article does not show
        to be a person (no title, no given name that tells a sex). ``named``: only a named
        body, or a one-word name that is no person's (what 'the company' stands for: 'Next')."""
        cast = self.cast
        i = bisect.bisect_left(self.speakers, (pos,))
        for at, name, _ in reversed(self.speakers[max(0, i - 20):i]):
            if at < pos - reach:
                break
            if named:
                if name[:1].isupper() and (institution(name) or (
                        len(name.split()) == 1 and name not in cast.by_last
                        and name not in cast.by_first and name not in cast.surnames)):
                    return name
                continue
            if institution(name) or (name[:1].isupper() and cast.gender(name) is None
                                     and name.split()[-1] not in cast.surnames
                                     and cast.bare.get(name, name) not in cast.honorific):
                return name
        return None

    def resolve_pronoun(self, pos: int, pronoun: str = "") -> str | None:
        """'he'/'she' -> the most recent speaker or named person before ``pos`` whose gender, when
        the article shows it, agrees with the pronoun."""
        want = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f"}.get(pronoun.lower())
        agrees = lambda name: want is None or self.cast.gender(name) in (None, want)
        candidates = self.speakers if want is None else self._agreeing[want]
        i = bisect.bisect_left(candidates, (pos,))
        best = candidates[i - 1][:2] if i else None
        recent = self._recent_person(pos, agrees)
        if recent and (best is None or recent[0] > best[0]):
            return recent[1]
        return best[1] if best else None

    def resolve_description(self, desc: str, pos: int) -> str | None:
        """'the diplomat' / "Russia's top diplomat" -> the most recent compatible speaker or
        named person, within :data:`DESCRIPTION_REACH` characters before ``pos``."""
        words = [strip_possessive(w).lower() for w in re.findall(r"[\w’'\-]+", desc)]
        content = [w for w in words if w not in ("the", "a", "an", "this", "that")]
        if not content:
            return None
        head = content[-1]
        wanted = set(PERSON_NOUNS.get(head, {head})) | {w for w in content if len(w) > 5}
        stems = {w[:_STEM] for w in wanted}
        lo = pos - DESCRIPTION_REACH
        candidates: list[tuple[int, str, str | None]] = list(
            self.speakers[bisect.bisect_left(self.speakers, (lo,)):
                          bisect.bisect_left(self.speakers, (pos,))])
        starts = self.cast.mention_starts
        candidates += [(start, name, None) for start, end, name in self.cast.mentions[
            bisect.bisect_left(starts, lo):bisect.bisect_left(starts, pos)] if end <= pos]
        # the most recent first; at one offset, names in reverse order (as a sorted scan gives)
        candidates.sort(key=lambda c: (c[0], c[1]))
        for _, name, role in reversed(candidates):
            known = self._name_keys(name)
            if not stems.isdisjoint(known) or (
                    role and not stems.isdisjoint(_keys(_UNDER.sub(r"\1", role)))):
                return name
        return None

    def _name_keys(self, name: str) -> frozenset[str]:
        """What a description can match of a named person: its roles and its name (see _keys)."""
        if name not in self._keys:
            roles = _UNDER.sub(r"\1", self.cast.role_text(name))
            self._keys[name] = _keys(roles) | _keys(name.lower())
        return self._keys[name]

    def _recent_person(self, pos: int, agrees: Callable[[str], bool] = lambda n: True
                       ) -> tuple[int, str] | None:
        """The last full person name mentioned as a sentence subject before ``pos``."""
        text = self.cast.text
        window = text[max(0, pos - 600):pos]
        found = None
        for m in NAME_RUN.finditer(window):
            abs_start = pos - len(window) + m.start()
            if not (sentence_start(text, abs_start) or _after_comma_clause(text, abs_start)
                    or _apposed_to_opening(text, abs_start)):
                continue
            kin = self._kin_named(m, abs_start)
            if kin:
                if agrees(kin):
                    found = (abs_start, kin)
                continue
            if is_org(m.group()) or m.group().split()[0].lower() in NOT_NAME_WORDS:
                # 'Of Hepburn, she'
                continue
            name = person_name(m.group())
            if not name:
                continue
            full = self.cast.full_name(name.split()[-1], abs_start + 1)
            if full and agrees(full):
                found = (abs_start, full)
        return found

    def _kin_named(self, run: re.Match[str], at: int) -> str | None:
        """The person a possessive opening a sentence introduces by a given name only ("Hart's
        sister Louise spoke", 'His wife Sharon agreed'): that name, or the one full name the
        article gives it."""
        words = run.group().split()
        if not (strip_possessive(words[-1]) != words[-1]
                or (len(words) == 1 and words[0] in ("His", "Her", "Their"))):
            return None
        m = _KIN.match(self.cast.text, at + len(run.group()))
        if not m or m.group(1).lower() in NOT_NAME_WORDS:
            return None
        given = m.group(1)
        full = self.cast.by_first.get(given, [])
        return full[0] if len(full) == 1 else given


def _keys(text: str) -> frozenset[str]:
    """Every string of up to :data:`_STEM` characters that starts at a word boundary of
    ``text``: a description's word (cut to its stem) matches ``text`` when it is one of them."""
    return frozenset(text[b:b + n] for b in (m.start() for m in BOUNDARY.finditer(text))
                     for n in range(1, _STEM + 1) if b + n <= len(text))


def _after_comma_clause(text: str, pos: int) -> bool:
    """A name opening a main clause after a leading phrase ('On July 14, Zamir Kabulov')."""
    return bool(re.search(r",\s+$", text[max(0, pos - 2):pos])) and bool(
        re.search(r"(?:^|[.!?]\s+)(?:On|In|At|Earlier|Later|Last|Meanwhile|But|And|However|Also)"
                  r"\b[^.!?]{0,40}$", text[max(0, pos - 60):pos])
    )


# After a possessive: one or two lower-case words (a relation, a role) and a given name alone
# ("Hart's sister Louise", 'his younger brother Tom'), not a full name.
_KIN = re.compile(r"[ \u00a0]+(?:[a-z][\w\-]*[ \u00a0]+){1,2}([A-Z][a-z]+)\b"
                  r"(?![’'\-]|[ \u00a0]+[A-Z])")


def _apposed_to_opening(text: str, pos: int) -> bool:
    """A name set off after the description opening its sentence, which it names ('The mayor,
    Ann Cole, spoke first', 'Its chairman, Sir Anthony Greener, said'): the sentence's subject."""
    return bool(re.search(r"(?:^|[.!?”\"]\s+|\n\s*)(?:The|Its|His|Her|Their|Our)"
                          r"\s+[a-z][\w’'\- ]{0,40},\s+$", text[max(0, pos - 60):pos]))
