"""Who is who in one article: full names, roles, and the resolution of a speaker mention
("Lavrov", "he", "the diplomat", "a diplomatic source") to the name a reader should see.

A helper of :mod:`briefing.quotes`. No coreference model works offline here, so this is rules:
capitalised-name runs give full names (role words stripped), appositives and the words before a
name give roles, and a pronoun or a description goes to the most recent compatible speaker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

# Capitalised words that are titles, offices or parts of institutions' names, never part of a
# person's name: stripping them from "Center for Modern Afghanistan Studies Director Omar Nessar"
# leaves the name.
ROLE_WORDS = set("""
president vice minister foreign secretary state director head chairman chairwoman chair general
colonel-general colonel lieutenant gen. sen. senator rep. representative gov. governor mr. mrs. ms.
dr. prof. professor department ministry committee council center centre studies institute
university office party democratic republican democrat republicans democrats mayor judge justice
ambassador spokesman spokeswoman spokesperson attorney speaker leader chief officer press agency
service staff commander admiral captain king queen prince pope rev. deputy acting former second
first third asia asian russian american u.s. us afghan federation house senate congress court
supreme national international security campaign news times post journal television radio tv
channel group union company corporation foundation association commission bureau army navy force
forces government administration white world united nations republic kingdom city county north
south east west northern southern eastern western new the a an of and for on in at monday tuesday
wednesday thursday friday saturday sunday january february march april may june july august
september october november december analyst expert nominee candidate candidates mrs ms mr dr sen
rep gov gen lt col sgt capt gop fbi cia nato un eu isis al-qaida taliban islamic
""".split())
ORG_WORDS = set("""
ministry department committee council office party campaign agency service post times news journal
channel group union company corporation foundation institute university association commission
bureau army navy government administration court senate congress house embassy movement center
centre network press tribune herald gazette telegraph guardian network cnn bbc fbi cia
""".split())
DOCUMENTS = {"communique", "communiqué", "statement", "report", "letter", "memo", "release",
             "document", "text", "tweet", "post", "email", "resolution", "declaration", "note",
             "transcript", "announcement", "website", "message", "ad", "advertisement", "filing"}
PRONOUNS = {"he", "she", "they", "him", "her", "i", "we", "it"}
PERSON_NOUNS = {
    "diplomat": {"diplomat", "minister", "ambassador", "envoy", "representative", "foreign", "department", "ministry"},
    "expert": {"expert", "analyst", "director", "professor", "scholar", "researcher", "fellow", "studies", "specialist"},
    "analyst": {"analyst", "expert", "director", "scholar"},
    "official": {"official", "minister", "head", "director", "secretary", "spokes", "representative", "officer"},
    "minister": {"minister"},
    "representative": {"representative", "envoy"},
    "envoy": {"envoy", "representative"},
    "spokesman": {"spokes", "press"},
    "spokeswoman": {"spokes", "press"},
    "senator": {"senator", "sen."},
    "candidate": {"candidate", "nominee"},
    "nominee": {"nominee", "candidate"},
    "general": {"general", "commander", "colonel"},
    "president": {"president"},
}
# Common given names whose bearers are, overwhelmingly, men or women: enough to keep 'she' from
# resolving to a Donald and 'he' to a Hillary; unknown names agree with either pronoun.
MALE_NAMES = set("""
donald barack bill bernie joe mike michael john james robert david richard thomas charles
christopher daniel matthew mark paul steven stephen andrew kenneth george edward brian ronald
anthony kevin jason jeff jeffrey ryan gary timothy larry frank scott eric jacob jonathan justin
brandon ben benjamin samuel gregory patrick alexander jack dennis jerry tyler aaron henry adam
peter nathan zachary kyle walter harold carl arthur roger keith jeremy terry sean austin noah
lawrence jesse dylan bruce albert willie gabriel logan ralph roy eugene russell bobby mitch mitt
marco ted rand chris newt rudy reince corey sergey vladimir zamir omar timofey wahid abdul
alexander anatoly sergei dmitry hamid ashraf recep emmanuel boris xi narendra
""".split())
FEMALE_NAMES = set("""
hillary mary patricia jennifer linda elizabeth barbara susan jessica sarah karen nancy lisa
betty margaret sandra ashley kimberly emily donna michelle dorothy carol amanda melissa deborah
stephanie rebecca sharon laura cynthia kathleen amy angela shirley anna brenda pamela emma
nicole helen samantha katherine christine debra rachel carolyn janet catherine maria heather
diane ruth julie olivia joyce virginia victoria kelly lauren christina joan evelyn judith megan
andrea cheryl hannah jacqueline martha gloria teresa ann sara madison frances kathryn janice
jean abigail alice judy sophia grace denise amber doris marilyn danielle beverly isabella
theresa diana natalie brittany charlotte marie kayla alexis lori melania ivanka kellyanne huma
loretta nikki sarah elena tammy debbie chelsea michele jill claire condoleezza angela theresa
maria melanie kathryn
""".split())
_NAME_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Lt|Col|Prof|Rev)\.|[A-Z][\w’'\-]*")
_RUN = re.compile(r"(?:(?:[A-Z]\.){2,}|(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Lt|Col|Prof|Rev)\.|[A-Z][\w’'\-]*)"
                  r"(?:[ \u00a0](?:(?:[A-Z]\.)+|[A-Z][\w’'\-]*))*")


def strip_possessive(word: str) -> str:
    """'Russia’s' -> 'Russia'."""
    return re.sub(r"[’']s?$", "", word)


def person_name(run: str) -> str | None:
    """The person's name at the end of a capitalised run, role and institution words stripped:
    'Second Asia Department Zamir Kabulov' -> 'Zamir Kabulov'; None when nothing is left."""
    words = run.split()
    kept: list[str] = []
    for w in reversed(words):
        if w.lower() in ROLE_WORDS or strip_possessive(w) != w or len(kept) == 4:
            break
        kept.insert(0, w)
    return " ".join(kept) or None


def is_org(phrase: str) -> bool:
    """Whether a capitalised run names an institution rather than a person."""
    return any(w.lower().strip(".") in ORG_WORDS for w in phrase.split())


@dataclass
class Entity:
    """Someone who can speak: a named person, an institution or an anonymous description."""

    name: str
    roles: list[str] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)  # offsets where it is mentioned as a speaker


@dataclass
class People:
    """The per-article table: full names by their last word, and the speakers seen so far."""

    text: str
    by_last: dict[str, list[str]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    roles: dict[str, list[str]] = field(default_factory=dict)
    speakers: list[tuple[int, str, str]] = field(default_factory=list)  # (offset, name, role text)
    _genders: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def build(cls, text: str) -> "People":
        """Scan the article once for capitalised names and the roles written beside them."""
        table = cls(text)
        for m in _RUN.finditer(text):
            name = person_name(m.group())
            if not name or is_org(m.group()):
                continue
            lead = name.split()[0]
            at_sentence_start = m.start() + m.group().find(name) == m.start() and _sentence_start(text, m.start())
            if len(name.split()) < 2 or (at_sentence_start and lead.lower() in ROLE_WORDS):
                continue
            last = name.split()[-1]
            table.by_last.setdefault(last, [])
            if name not in table.by_last[last]:
                table.by_last[last].append(name)
            table.counts[name] = table.counts.get(name, 0) + 1
            table.roles.setdefault(name, []).append(_role_near(text, m.start(), m.end()))
        return table

    def full_name(self, word: str) -> str | None:
        """The fullest name the article gives for a last name ('Lavrov' -> 'Sergey Lavrov')."""
        names = self.by_last.get(strip_possessive(word))
        if not names:
            return None
        return max(names, key=lambda n: (self.counts[n], len(n)))

    def resolve_name(self, run: str) -> str:
        """A capitalised mention -> the fullest form of the name (or the institution as written)."""
        if is_org(run):
            return run
        name = person_name(run) or run
        last = name.split()[-1]
        full = self.full_name(last)
        if full and (len(name.split()) == 1 or full.endswith(name)):
            return full
        return name

    def role_text(self, name: str) -> str:
        return " ".join(self.roles.get(name, [])).lower()

    def heard(self, pos: int, name: str, role: str = "") -> None:
        """Record that ``name`` was reported speaking (quoted or not) at ``pos``."""
        self.speakers.append((pos, name, role.lower()))
        self.speakers.sort()

    def resolve_pronoun(self, pos: int, pronoun: str = "") -> str | None:
        """'he'/'she' -> the most recent speaker or named person before ``pos`` whose gender, when
        the article shows it, agrees with the pronoun."""
        want = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f"}.get(pronoun.lower())
        agrees = lambda name: want is None or self.gender(name) in (None, want)  # noqa: E731
        best = None
        for p, name, _ in self.speakers:
            if p < pos and agrees(name):
                best = (p, name)
        recent = self._recent_person(pos, agrees)
        if recent and (best is None or recent[0] > best[0]):
            return recent[1]
        return best[1] if best else None

    def gender(self, name: str) -> str | None:
        """'m', 'f' or None (unknown) for a person: from a courtesy title used with the last name
        ('Mrs. Clinton'), else from a common given name."""
        if name in self._genders:
            return self._genders[name]
        words = name.split()
        found = None
        if len(words) >= 1 and name[:1].isupper():
            last = re.escape(words[-1])
            if re.search(r"\b(?:Mr|Sen\.\s+Mr)\.?\s+" + last + r"\b", self.text):
                found = "m"
            elif re.search(r"\b(?:Mrs|Ms|Miss)\.?\s+" + last + r"\b", self.text):
                found = "f"
            else:
                first = words[0].lower()
                found = "m" if first in MALE_NAMES else "f" if first in FEMALE_NAMES else None
        self._genders[name] = found
        return found

    def _recent_person(self, pos: int, agrees: Callable[[str], bool] = lambda n: True
                       ) -> tuple[int, str] | None:
        """The last full person name mentioned as a sentence subject before ``pos``."""
        window = self.text[max(0, pos - 600):pos]
        found = None
        for m in _RUN.finditer(window):
            abs_start = pos - len(window) + m.start()
            if not _sentence_start(self.text, abs_start) and not _after_comma_clause(self.text, abs_start):
                continue
            if is_org(m.group()):
                continue
            name = person_name(m.group())
            if not name:
                continue
            full = self.full_name(name.split()[-1])
            if full and agrees(full):
                found = (abs_start, full)
        return found

    def resolve_description(self, desc: str, pos: int) -> str | None:
        """'the diplomat' / "Russia's top diplomat" -> the most recent compatible speaker."""
        words = [strip_possessive(w).lower() for w in re.findall(r"[\w’'\-]+", desc)]
        content = [w for w in words if w not in ("the", "a", "an", "this", "that")]
        if not content:
            return None
        head = content[-1]
        wanted = set(PERSON_NOUNS.get(head, {head})) | {w for w in content if len(w) > 5}
        candidates: list[tuple[int, str, str]] = list(self.speakers)
        for name, roles in self.roles.items():
            for m in re.finditer(re.escape(name), self.text[:pos]):
                candidates.append((m.start(), name, " ".join(roles).lower()))
        candidates = [c for c in candidates if c[0] < pos]
        candidates.sort()
        for p, name, role in reversed(candidates):
            role = (role + " " + self.role_text(name) + " " + name.lower())
            if any(_stem_in(w, role) for w in wanted):
                return name
        return None


def _stem_in(word: str, text: str) -> bool:
    stem = word[:7] if len(word) > 7 else word
    return re.search(r"\b" + re.escape(stem), text) is not None


def _sentence_start(text: str, pos: int) -> bool:
    before = text[max(0, pos - 3):pos]
    return pos == 0 or bool(re.search(r"(?:[.!?”\"]\s+|\n\s*|^\s*)$", before))


def _after_comma_clause(text: str, pos: int) -> bool:
    """A name opening a main clause after a leading phrase ('On July 14, Zamir Kabulov')."""
    return bool(re.search(r",\s+$", text[max(0, pos - 2):pos])) and bool(
        re.search(r"(?:^|[.!?]\s+)(?:On|In|At|Earlier|Later|Last|Meanwhile|But|And|However|Also)\b[^.!?]{0,40}$",
                  text[max(0, pos - 60):pos])
    )


def _role_near(text: str, start: int, end: int) -> str:
    """Role words written around a name: the appositive after it (', a political affairs
    analyst,') and the title words before it ('Russian foreign minister')."""
    after = re.match(r",\s+((?:a|an|the)\s[^,.;“\"]{2,90})", text[end:end + 120])
    before = re.search(r"([\w’'\- ]{0,80})$", text[max(0, start - 80):start])
    parts = [after.group(1) if after else "", before.group(1) if before else ""]
    return " ".join(parts).strip()
