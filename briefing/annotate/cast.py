"""Who one article names: its people's full names (by their last and first words), the roles
written beside them, the titles they are given, and where each name is mentioned, all found by
one scan of the article's body when it is read.

The table :class:`~briefing.annotate.people.People` resolves speakers against: a last name to
the fullest name the article gives ('Lavrov' -> 'Sergey Lavrov'), a name to its sex when a title
or a given name tells it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from briefing.annotate.names import (
    BOUNDARY,
    FEMALE_NAMES,
    HONORIFICS,
    MALE_NAMES,
    NAME_RUN,
    NOT_NAME_WORDS,
    ROLE_WORDS,
    TITLE_WORDS,
    institution,
    is_org,
    person_name,
    role_noun,
    strip_possessive,
)

_MALE_TITLES = {"sir", "lord", "baron", "mr", "mr."}
_FEMALE_TITLES = {"lady", "dame", "baroness", "mrs", "mrs.", "ms", "ms.", "miss"}
_COURTESY = re.compile(r"\b(Mr|Mrs|Ms|Miss)\.?\s+([\w’'\-]+)")
# A surname alone after a person's title ('Mr. Burton walked in', 'Dr. Lindqvist said'): a person.
# British style writes the short titles without a stop ('Prof Reddy', 'Insp Dyer'); the ones
# that spell a word too ('Sen', 'Rep', 'Gov') are titles only with theirs.
_TITLED = re.compile(r"\b(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Rev|Revd|Cllr|Insp|Supt|Det|Sgt|Capt|Maj"
                     r"|Col|Lt|Gen|Adm)\.?|(?:Sen|Rep|Gov)\.)"
                     r"[ \u00a0]+([A-Z][\w’'\-]*)(?![\w’'\-]|[ \u00a0]+[A-Z])")


@dataclass
class Cast:
    """The article's names, indexed once so that every question costs a lookup: full names by
    their last word and by their first, how often each is written, the roles around each, the
    sex a courtesy title tells, the names given only as title and surname ('Mr Blair'), and
    every mention of a known name with its offsets, in order."""

    text: str
    by_last: dict[str, list[str]] = field(default_factory=dict)
    by_first: dict[str, list[str]] = field(default_factory=dict)  # 'Kim' -> ['Kim Yungmin']
    counts: dict[str, int] = field(default_factory=dict)
    roles: dict[str, list[str]] = field(default_factory=dict)
    #: 'Blair' -> 'Mr Blair': named by title and surname only
    surnames: dict[str, str] = field(default_factory=dict)
    honorific: dict[str, str] = field(default_factory=dict)  # 'David Gillingwater' -> 'Dr'
    #: 'Dr David Gillingwater' -> 'David Gillingwater'
    bare: dict[str, str] = field(default_factory=dict)
    #: (start, end, name) of every mention of a known name, in order, and their starts
    mentions: list[tuple[int, int, str]] = field(default_factory=list)
    mention_starts: list[int] = field(default_factory=list)
    _titled: dict[str, str] = field(default_factory=dict)  # 'Clinton' -> 'f' for 'Mrs. Clinton'
    _full: dict[str, str | None] = field(default_factory=dict)
    _office: dict[str, bool] = field(default_factory=dict)

    @classmethod
    def build(cls, text: str, paragraphs: Sequence[tuple[int, int]] | None = None) -> Cast:
        """Scan the article once for capitalised names, the roles written beside them, the
        courtesy titles that tell a person's sex, and where each name is mentioned. Only the
        ``paragraphs`` given (the body: a headline's 'Rocker Doherty' is no name) are read."""
        table = cls(text)
        spans = paragraphs if paragraphs is not None else [(0, len(text))]
        runs = [m for s, e in spans for m in NAME_RUN.finditer(text, s, e)]
        for m in runs:
            for part in _possessive_parts(m.group()):  # "Clint Eastwood's Million Dollar Baby"
                table._add_name(part, m)
            table._add_name(m.group(), m)
        for m in _COURTESY.finditer(text):
            sex = "m" if m.group(1) == "Mr" else "f"
            for word in _word_prefixes(m.group(2)):
                if table._titled.get(word) != "m":  # 'Mr. X' anywhere wins, as it always did
                    table._titled[word] = sex
        for s, e in spans:
            for m in _TITLED.finditer(text, s, e):
                surname = strip_possessive(m.group(1))
                if surname.lower() not in ROLE_WORDS:  # 'Mr. President' is no surname
                    title = m.group()[:m.start(1) - m.start()].strip()
                    table.surnames.setdefault(surname, f"{title} {surname}")
        for name, title in table.honorific.items():
            table.bare[f"{title} {name}"] = name
        for m in runs:
            table._index_mentions(m)
        table.mention_starts = [start for start, _, _ in table.mentions]
        return table

    def _add_name(self, run: str, m: re.Match[str]) -> None:
        """Record the person's name at the end of ``run`` (the capitalised run ``m``, or the part
        of it up to a possessive), with the role words around it and a title it is written with."""
        text = self.text
        name = person_name(run)
        if not name or is_org(run):
            return
        while name and name.split()[0].lower() in NOT_NAME_WORDS:
            name = name.partition(" ")[2]  # 'But Fowler', 'All Bets Are Off'
        if not name or any(w.lower() in NOT_NAME_WORDS for w in name.split()):
            return
        lead = name.split()[0]
        at_sentence_start = run.find(name) == 0 and sentence_start(text, m.start())
        if at_sentence_start and len(name.split()) >= 3 and role_noun(lead):
            name = name.split(" ", 1)[1]  # 'Presenter Judith Okafor'
        if len(name.split()) < 2 or (at_sentence_start and lead.lower() in ROLE_WORDS):
            return
        last = name.split()[-1]
        self.by_last.setdefault(last, [])
        if name not in self.by_last[last]:
            self.by_last[last].append(name)
            self.by_first.setdefault(name.split()[0], []).append(name)
        self.counts[name] = self.counts.get(name, 0) + 1
        self.roles.setdefault(name, []).append(_role_near(text, m.start(), m.start() + len(run)))
        words = run.split()
        at = len(words) - len(name.split()) - 1
        if at >= 0 and words[at].lower() in HONORIFICS and name not in self.honorific:
            self.honorific[name] = words[at]  # 'Dr David Gillingwater'

    def _index_mentions(self, run: re.Match[str]) -> None:
        """Record every known name inside one capitalised run ('Minister Sergey Lavrov’s'), and
        a given name alone that only one of the article's full names opens ('husband Ozzy')."""
        words = [(w.start() + run.start(), w.end() + run.start(), w.group())
                 for w in re.finditer(r"\S+", run.group())]
        if len(words) == 1:
            given = strip_possessive(words[0][2])
            full = self.by_first.get(given, [])
            if len(full) == 1 and given not in self.by_last \
                    and given.lower() not in NOT_NAME_WORDS and given.lower() not in ROLE_WORDS:
                self.mentions.append((words[0][0], words[0][1], full[0]))
            return
        for i in range(len(words)):
            for j in range(i + 1, min(i + 4, len(words))):  # names have two to four words
                name = " ".join(w for _, _, w in words[i:j + 1])
                if name not in self.roles:
                    bare = " ".join([w for _, _, w in words[i:j]] + [strip_possessive(words[j][2])])
                    if bare not in self.roles:
                        continue
                    name = bare
                self.mentions.append((words[i][0], words[i][0] + len(name), name))

    def full_name(self, word: str, pos: int | None = None) -> str | None:
        """The fullest name the article gives for a last name ('Lavrov' -> 'Sergey Lavrov'),
        with the title it writes with that name ('Dr David Gillingwater'); of two people with
        one surname, the one named last before ``pos`` (else the one named most often). For a
        family name written first, the name it opens ('Mr Kim' -> 'Kim Yungmin'); a given name
        the article uses alone ('his wife Sharon') -> the one full name it opens; a surname the
        article only gives with a title is the two ('Mr Blair')."""
        bare = strip_possessive(word)
        names = self.by_last.get(bare)
        if names and len(names) > 1 and pos is not None:
            recent = self._last_mentioned(set(names), pos)
            if recent:
                return self._titled_name(recent)
        if word not in self._full:
            if names:
                found: str | None = max(names, key=lambda n: (self.counts[n], len(n)))
            elif len(self.by_first.get(bare, [])) == 1 and (
                    bare.lower() in MALE_NAMES or bare.lower() in FEMALE_NAMES
                    or bare in self.surnames):
                found = self.by_first[bare][0]
            else:
                found = self.surnames.get(bare)
            self._full[word] = self._titled_name(found)
        return self._full[word]

    def _titled_name(self, name: str | None) -> str | None:
        """The name with the title the article writes it with ('Dr David Gillingwater')."""
        return f"{self.honorific[name]} {name}" if name in self.honorific else name

    def _last_mentioned(self, names: set[str], pos: int, reach: int = 200) -> str | None:
        """Which of ``names`` the article mentions last before ``pos`` (among the last
        ``reach`` name mentions: a bound on the work, as DESCRIPTION_REACH is in people.py)."""
        i = bisect.bisect_left(self.mention_starts, pos)
        for _, _, name in reversed(self.mentions[max(0, i - reach):i]):
            if name in names:
                return name
        return None

    def resolve_name(self, run: str, pos: int | None = None) -> str:
        """A capitalised mention -> the fullest form of the name (or the institution as written)."""
        if is_org(run):
            return run
        name = person_name(run) or run
        last = name.split()[-1]
        full = self.full_name(last, pos)
        bare = self.bare.get(full, full) if full else ""
        if full and (len(name.split()) == 1 or bare.endswith(name) or name.endswith(" " + bare)):
            return full  # 'Lavrov', 'Sergey Lavrov'; 'Musician Kristin King' (a role word left)
        title = run.split()[-len(name.split()) - 1] if len(run.split()) > len(name.split()) else ""
        if title.lower() in HONORIFICS:
            return f"{title} {name}"
        return name

    def role_text(self, name: str) -> str:
        """Every role word written around a name's mentions, lower-case."""
        return " ".join(self.roles.get(self.bare.get(name, name), [])).lower()

    def gender(self, name: str) -> str | None:
        """'m', 'f' or None (unknown) for a person: from a courtesy title used with the last name
        ('Mrs. Clinton'), else from a common given name."""
        words = name.split()
        if not words or not name[:1].isupper():
            return None
        if words[-1] in self._titled:
            return self._titled[words[-1]]
        first = words[0].lower()
        if first in _MALE_TITLES or first in _FEMALE_TITLES:
            return "m" if first in _MALE_TITLES else "f"
        if first in HONORIFICS and len(words) > 1:
            first = words[1].lower()
        return "m" if first in MALE_NAMES else "f" if first in FEMALE_NAMES else None

    def holds_office(self, name: str) -> bool:
        """Whether the article gives a person an office ('Senator', 'chief executive'), or the
        speaker is no person at all: someone a description by trade ('the singer') cannot be."""
        if institution(name) or not name[:1].isupper():
            return True
        if name not in self._office:  # the roles are every mention's: read them once per name
            self._office[name] = any(w in TITLE_WORDS
                                     for w in re.findall(r"[\w\-]+", self.role_text(name)))
        return self._office[name]


def _possessive_parts(run: str) -> list[str]:
    """The parts of a capitalised run that end in a possessive before its last word: "Clint
    Eastwood's Million Dollar Baby" -> ["Clint Eastwood's"] (whose name is Clint Eastwood)."""
    words = run.split(" ")
    return [" ".join(words[:i + 1]) for i, w in enumerate(words[:-1]) if strip_possessive(w) != w]


def _word_prefixes(token: str) -> list[str]:
    """The prefixes of a token that end where a word does ('Kabulov’s' -> 'Kabulov', 'Kabulov’',
    'Kabulov’s'): what a pattern ending in ``\\b`` after a title would have matched."""
    return [token[:m.start()] for m in BOUNDARY.finditer(token) if m.start() > 0]


def sentence_start(text: str, pos: int) -> bool:
    """Whether ``pos`` opens a sentence: the text's start, a line's, or after a stop."""
    before = text[max(0, pos - 3):pos]
    return pos == 0 or bool(re.search(r"(?:[.!?”\"]\s+|\n\s*|^\s*)$", before))


def _role_near(text: str, start: int, end: int) -> str:
    """Role words written around a name: the appositive after it (', a political affairs
    analyst,') and the title words before it ('Russian foreign minister')."""
    after = re.match(r",\s+((?:a|an|the)\s[^,.;“\"]{2,90})", text[end:end + 120])
    before = re.search(r"([\w’'\- ]{0,80})$", text[max(0, start - 80):start])
    parts = [after.group(1) if after else "", before.group(1) if before else ""]
    return " ".join(parts).strip()
