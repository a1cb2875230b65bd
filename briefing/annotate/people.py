"""Who is who in one article: full names, roles, and the resolution of a speaker mention
("Lavrov", "he", "the diplomat", "a diplomatic source") to the name a reader should see.

A helper of :mod:`briefing.annotate.quotes`. No coreference model works offline here, so this is rules:
capitalised-name runs give full names (role words stripped), appositives and the words before a
name give roles, and a pronoun or a description goes to the most recent compatible speaker.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

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
mp mps mep msp labour tory tories conservative conservatives liberal lib dem dems shadow
executive ceo cfo coo
prof rev revd cllr insp supt det maj adm brig
""".split())
# Titles that belong to a name where the article writes them with it ('Dr David Gillingwater'):
# kept in the speaker's name. 'Sir', 'Lord', 'Lady', 'Dame' are never stripped at all: they are
# part of the name ('Lord Falconer'). Courtesy titles (Mr, Mrs, Ms) are dropped when the article
# gives the given name, and kept when it gives only the surname ('Mr Blair').
HONORIFICS = {"dr", "dr.", "prof", "prof.", "professor", "rev", "rev.", "revd", "reverend"}
_MALE_TITLES = {"sir", "lord", "baron", "mr", "mr."}
_FEMALE_TITLES = {"lady", "dame", "baroness", "mrs", "mrs.", "ms", "ms.", "miss"}
ORG_WORDS = set("""
ministry department committee council office party campaign agency service post times news journal
channel group union company corporation foundation institute university association commission
bureau army navy government administration court senate congress house embassy movement center
centre network press tribune herald gazette telegraph guardian network cnn bbc fbi cia
authority authorities board trust fund bank society federation confederation forum alliance
coalition league organisation organization securities plc ltd inc consortium
""".split())
DOCUMENTS = {"communique", "communiqué", "statement", "report", "letter", "memo", "release",
             "document", "text", "tweet", "post", "email", "resolution", "declaration", "note",
             "transcript", "announcement", "website", "message", "ad", "advertisement", "filing"}
PRONOUNS = {"he", "she", "they", "him", "her", "i", "we", "it"}
PERSON_HEADS = {"source", "official", "aide", "spokesperson", "adviser", "advisor", "lawyer",
                 "man", "woman", "dealer", "farmer", "worker", "resident", "witness", "teacher"}
# Speakers that are many people or a body of them: no 'he' or 'she' stands for them.
GROUPS = {"family", "government", "campaign", "committee", "panel", "group", "council", "team",
          "board", "party", "police", "administration", "union", "company", "firm", "staff",
          "all", "both", "some", "many", "most", "several", "others", "each"}
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
peter nathan zachary kyle walter harold carl arthur roger keith jeremy sean austin noah
lawrence jesse dylan bruce albert willie gabriel logan ralph roy eugene russell bobby mitch mitt
marco ted rand chris newt rudy reince corey sergey vladimir zamir omar timofey wahid abdul
alexander anatoly sergei dmitry hamid ashraf recep emmanuel boris xi narendra
oliver victor hector trevor conor connor spencer lester jasper homer igor julian adrian christian
damian ian sebastian fabian vincent clement brent grant bryant clive kent gordon tony nigel ken
charles jon josh jake tim tom jim bob rob dan nick steve dave doug greg pete phil matt andy rick
ron don hank ed al chuck simon william
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
tessa eleanor esther gillian lillian marian vivian olive renee desiree amber kate liz beth jane
sue anne meg louise
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
    while len(words) > 2 and words[-1].strip(".,").lower() in _POST_NOMINALS:
        words.pop()  # 'Tom McCabe MSP', 'Jane Rowe QC'
    kept: list[str] = []
    for i, w in enumerate(reversed(words)):
        if i == 0:
            w = strip_possessive(w)  # 'Ricky Gervais’' is Ricky Gervais
            if w.lower() in _SURNAME_ROLES and len(words) > 1 and (
                    words[-2].lower() not in ROLE_WORDS or words[-2].lower().rstrip(".") in _COURTESY_WORDS):
                kept.insert(0, w)  # 'Theresa May', 'Kristin King'
                continue
        if w.lower() in ROLE_WORDS or strip_possessive(w) != w or len(kept) == 4:
            break
        kept.insert(0, w)
    if len(kept) >= 3 and _ACRONYM.match(kept[0]):
        kept.pop(0)  # an office or trade in capitals: 'DJ Norman Cook', 'MEP Caroline Lucas'
    return " ".join(kept) or None


# Role and calendar words that are surnames too, when they end a name ('Theresa May').
_SURNAME_ROLES = {"may", "king", "june", "august", "bishop", "judge", "marshall", "prince", "pope",
                  "duke", "major", "chancellor", "general"}
_ACRONYM = re.compile(r"^[A-Z]{2,4}$")
# Letters after a name that are an office or an honour, not part of it
_POST_NOMINALS = {"mp", "mps", "msp", "mep", "am", "qc", "kc", "obe", "cbe", "mbe", "kbe", "jr", "sr",
                  "phd"}
_COURTESY_WORDS = {"mr", "mrs", "ms", "miss", "dr", "sir", "lady", "lord", "dame"}


# Capitalised words that are no part of a name: a clause's first word ('But Fowler said'), the
# verbs and function words of a title in capitals ('All Bets Are Off').
_NOT_NAME_WORDS = set("""
but and or so yet then also however when while all some if as at in on to of for by with from
the a an this that these those his her its their our my your we i you he she they it is are was
were be been has have had do does did not no would can could might must should after
before since because though although once until unless where whether what which who how why
meanwhile still even here there now unlike like despite against during without under over about
through according into onto upon between among across amid
""".split())


# A capitalised word opening a sentence that is a common noun for a person, not a given name
# ('Presenter Judith Okafor', 'Rocker Pete Doherty', 'Economist Ann Pettifor'): by its ending.
_PERSON_NOUN_END = re.compile(r"(?:er|or|ist|ian|ant|ent|man|woman|ess|ee|ive)$")


def _role_noun(word: str) -> bool:
    low = word.lower()
    return (bool(_PERSON_NOUN_END.search(low)) and low not in MALE_NAMES and low not in FEMALE_NAMES) \
        or low in ROLE_WORDS


def is_trade(word: str) -> bool:
    """Whether a lower-case word names a person by what they do ('singer', 'striker',
    'novelist', 'star'), by its ending: the head of a description that stands for someone."""
    return (bool(_PERSON_NOUN_END.search(word)) or word in _TRADES) and word not in MALE_NAMES \
        and word not in FEMALE_NAMES and word not in _NOT_TRADES and word not in TITLE_WORDS \
        and word not in GROUPS and word not in ORG_WORDS


_TRADES = {"star", "boss", "coach", "host", "chef", "poet", "pilot"}
# Words with a trade's ending that name no person ('the paper', 'the letter', 'the government')
_NOT_TRADES = {"paper", "letter", "report", "order", "number", "center", "centre", "quarter", "matter",
               "sector", "factor", "error", "corridor", "government", "parliament", "department",
               "statement", "agreement", "document", "event", "incident", "objective", "initiative",
               "executive", "motive", "detective", "weather", "winter", "summer", "chamber",
               "offer", "border", "river", "tower", "power", "answer", "member", "cover", "computer",
               "register", "charter", "monitor", "tractor", "motor", "regulator", "operator", "carrier",
               "provider", "retailer", "manufacturer", "supplier", "publisher", "broadcaster", "insurer"}


def is_org(phrase: str) -> bool:
    """Whether a capitalised run names an institution rather than a person: it has an
    institution's word, and does not end in a person's name after an office ('House Speaker
    Paul Ryan', 'Center for Modern Afghanistan Studies Director Omar Nessar')."""
    words = [strip_possessive(w).lower().strip(".,") for w in phrase.split()]
    if not any(w in ORG_WORDS for w in words):
        return False
    n = 0
    while n < len(words) and words[-1 - n] not in ROLE_WORDS and words[-1 - n] not in ORG_WORDS:
        n += 1
    before = words[-1 - n] if n < len(words) else ""
    return not (n and before in TITLE_WORDS)


# Offices written before a person's name ('Director Omar Nessar', 'Speaker Paul Ryan').
TITLE_WORDS = set("""
president vice minister secretary director head chairman chairwoman chair general colonel
lieutenant senator representative governor mayor judge ambassador spokesman spokeswoman
spokesperson attorney speaker leader chief officer commander admiral captain deputy analyst
expert nominee candidate executive ceo cfo coo
""".split())


@dataclass
class Entity:
    """Someone who can speak: a named person, an institution or an anonymous description."""

    name: str
    roles: list[str] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)  # offsets where it is mentioned as a speaker


# How far back (characters) a description ("the diplomat") looks for the person it stands for:
# well past the 4,000 the farthest PolNeAR dev reference reaches, and a bound on the work per
# description however long the article (a compilation of many stories) grows.
DESCRIPTION_REACH = 10_000
_COURTESY = re.compile(r"\b(Mr|Mrs|Ms|Miss)\.?\s+([\w’'\-]+)")
# A surname alone after a person's title ('Mr. Burton walked in', 'Dr. Lindqvist said'): a person.
# British style writes the short titles without a stop ('Prof Reddy', 'Insp Dyer'); the ones
# that spell a word too ('Sen', 'Rep', 'Gov') are titles only with theirs.
_TITLED = re.compile(r"\b(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Rev|Revd|Cllr|Insp|Supt|Det|Sgt|Capt|Maj|Col|Lt|Gen|Adm)\.?"
                     r"|(?:Sen|Rep|Gov)\.)"
                     r"[ \u00a0]+([A-Z][\w’'\-]*)(?![\w’'\-]|[ \u00a0]+[A-Z])")
_BOUNDARY = re.compile(r"\b")
_STEM = 7  # a description's word matches a role by its first 7 letters ('diplomat' ~ 'diplomatic')


@dataclass
class People:
    """The per-article table: full names by their last word, and the speakers seen so far.

    Everything a resolution asks is indexed once, so that the cost of an article stays linear
    in its length: the speakers are kept in position order as they are heard (insertion at the
    end, never a re-sort), each with the speakers a "he" or a "she" may stand for beside them,
    and every mention of a known name is listed with its offsets when the article is scanned.
    """

    text: str
    by_last: dict[str, list[str]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    roles: dict[str, list[str]] = field(default_factory=dict)
    speakers: list[tuple[int, str, str]] = field(default_factory=list)  # (offset, name, role text), in order
    heard_words: set[str] = field(default_factory=set)  # every word of every speaker's name
    _agreeing: dict[str, list[tuple[int, str, str]]] = field(
        default_factory=lambda: {"m": [], "f": []})  # the speakers 'he' / 'she' may stand for
    _titled: dict[str, str] = field(default_factory=dict)  # 'Clinton' -> 'f' for 'Mrs. Clinton'
    _surnames: dict[str, str] = field(default_factory=dict)  # 'Blair' -> 'Mr Blair': named by title and surname only
    _honorific: dict[str, str] = field(default_factory=dict)  # 'David Gillingwater' -> 'Dr'
    _bare: dict[str, str] = field(default_factory=dict)  # 'Dr David Gillingwater' -> 'David Gillingwater'
    by_first: dict[str, list[str]] = field(default_factory=dict)  # 'Kim' -> ['Kim Yungmin']
    _mentions: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, name), in order
    _mention_starts: list[int] = field(default_factory=list)
    _full: dict[str, str | None] = field(default_factory=dict)
    _keys: dict[str, frozenset[str]] = field(default_factory=dict)
    _office: dict[str, bool] = field(default_factory=dict)

    @classmethod
    def build(cls, text: str, paragraphs: Sequence[tuple[int, int]] | None = None) -> People:
        """Scan the article once for capitalised names, the roles written beside them, the
        courtesy titles that tell a person's sex, and where each name is mentioned. Only the
        ``paragraphs`` given (the body: a headline's 'Rocker Doherty' is no name) are read."""
        table = cls(text)
        spans = paragraphs if paragraphs is not None else [(0, len(text))]
        runs = [m for s, e in spans for m in _RUN.finditer(text, s, e)]
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
                    table._surnames.setdefault(surname, f"{title} {surname}")
        for name, title in table._honorific.items():
            table._bare[f"{title} {name}"] = name
        for m in runs:
            table._index_mentions(m)
        table._mention_starts = [start for start, _, _ in table._mentions]
        return table

    def _add_name(self, run: str, m: re.Match[str]) -> None:
        """Record the person's name at the end of ``run`` (the capitalised run ``m``, or the part
        of it up to a possessive), with the role words around it and a title it is written with."""
        text = self.text
        name = person_name(run)
        if not name or is_org(run):
            return
        while name and name.split()[0].lower() in _NOT_NAME_WORDS:
            name = name.partition(" ")[2]  # 'But Fowler', 'All Bets Are Off'
        if not name or any(w.lower() in _NOT_NAME_WORDS for w in name.split()):
            return
        lead = name.split()[0]
        at_sentence_start = run.find(name) == 0 and _sentence_start(text, m.start())
        if at_sentence_start and len(name.split()) >= 3 and _role_noun(lead):
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
        if at >= 0 and words[at].lower() in HONORIFICS and name not in self._honorific:
            self._honorific[name] = words[at]  # 'Dr David Gillingwater'

    def _index_mentions(self, run: re.Match[str]) -> None:
        """Record every known name inside one capitalised run ('Minister Sergey Lavrov’s'), and
        a given name alone that only one of the article's full names opens ('husband Ozzy')."""
        words = [(w.start() + run.start(), w.end() + run.start(), w.group())
                 for w in re.finditer(r"\S+", run.group())]
        if len(words) == 1:
            given = strip_possessive(words[0][2])
            full = self.by_first.get(given, [])
            if len(full) == 1 and given not in self.by_last and given.lower() not in _NOT_NAME_WORDS \
                    and given.lower() not in ROLE_WORDS:
                self._mentions.append((words[0][0], words[0][1], full[0]))
            return
        for i in range(len(words)):
            for j in range(i + 1, min(i + 4, len(words))):  # names have two to four words
                name = " ".join(w for _, _, w in words[i:j + 1])
                if name not in self.roles:
                    bare = " ".join([w for _, _, w in words[i:j]] + [strip_possessive(words[j][2])])
                    if bare not in self.roles:
                        continue
                    name = bare
                self._mentions.append((words[i][0], words[i][0] + len(name), name))

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
                    bare.lower() in MALE_NAMES or bare.lower() in FEMALE_NAMES or bare in self._surnames):
                found = self.by_first[bare][0]
            else:
                found = self._surnames.get(bare)
            self._full[word] = self._titled_name(found)
        return self._full[word]

    def _titled_name(self, name: str | None) -> str | None:
        return f"{self._honorific[name]} {name}" if name in self._honorific else name

    def _last_mentioned(self, names: set[str], pos: int, reach: int = 200) -> str | None:
        """Which of ``names`` the article mentions last before ``pos`` (among the last
        ``reach`` name mentions: a bound on the work, as DESCRIPTION_REACH is)."""
        i = bisect.bisect_left(self._mention_starts, pos)
        for start, _, name in reversed(self._mentions[max(0, i - reach):i]):
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
        bare = self._bare.get(full, full) if full else ""
        if full and (len(name.split()) == 1 or bare.endswith(name) or name.endswith(" " + bare)):
            return full  # 'Lavrov', 'Sergey Lavrov'; 'Musician Kristin King' (a role word left)
        title = run.split()[-len(name.split()) - 1] if len(run.split()) > len(name.split()) else ""
        if title.lower() in HONORIFICS:
            return f"{title} {name}"
        return name

    def role_text(self, name: str) -> str:
        return " ".join(self.roles.get(self._bare.get(name, name), [])).lower()

    def heard(self, pos: int, name: str, role: str = "", plural: bool = False) -> None:
        """Record that ``name`` was reported speaking (quoted or not) at ``pos``; ``plural`` for
        two speakers together ('Burton and Nick'), whom no 'he' or 'she' stands for. Speakers
        are heard in reading order, so each goes in at (or next to) the end of its lists."""
        entry = (pos, name, role.lower())
        bisect.insort(self.speakers, entry)
        sex = None if plural else self.gender(name)
        person = not (plural or self.institution(name))
        for pronoun, agreeing in self._agreeing.items():
            if person and sex in (None, pronoun):
                bisect.insort(agreeing, entry)
        self.heard_words.update(w for w in name.split() if not (plural and w == "and"))

    def holds_office(self, name: str) -> bool:
        """Whether the article gives a person an office ('Senator', 'chief executive'), or the
        speaker is no person at all: someone a description by trade ('the singer') cannot be."""
        if self.institution(name) or not name[:1].isupper():
            return True
        if name not in self._office:  # the roles are every mention's: read them once per name
            self._office[name] = any(w in TITLE_WORDS for w in re.findall(r"[\w\-]+", self.role_text(name)))
        return self._office[name]

    def institution(self, name: str) -> bool:
        """Whether a speaker is no person, whom no 'he' or 'she' stands for: an institution ('the
        Russian Foreign Ministry'), a document ('a Donald Trump tweet'), a group ('critics')."""
        words = name.split()
        head = head_word(name)
        if head in TITLE_WORDS or head in PERSON_NOUNS or head in PERSON_HEADS:
            return False  # 'a US Embassy spokesman', 'a diplomatic source'
        return is_org(name) or head in DOCUMENTS or head in GROUPS or (
            not name[:1].isupper() and head.endswith("s") and not head.endswith("ss"))

    def resolve_it(self, pos: int, reach: int = 600, named: bool = False) -> str | None:
        """'it' as a speaker -> the institution heard last, within ``reach`` characters before
        ``pos`` ('Deutsche Boerse said ... "...," it said'): a speaker the article does not show
        to be a person (no title, no given name that tells a sex). ``named``: only a named
        body, or a one-word name that is no person's (what 'the company' stands for: 'Next')."""
        i = bisect.bisect_left(self.speakers, (pos,))
        for at, name, _ in reversed(self.speakers[max(0, i - 20):i]):
            if at < pos - reach:
                break
            if named:
                if name[:1].isupper() and (self.institution(name) or (
                        len(name.split()) == 1 and name not in self.by_last and name not in self.by_first
                        and name not in self._surnames)):
                    return name
                continue
            if self.institution(name) or (name[:1].isupper() and self.gender(name) is None
                                          and name.split()[-1] not in self._surnames
                                          and self._bare.get(name, name) not in self._honorific):
                return name
        return None

    def resolve_pronoun(self, pos: int, pronoun: str = "") -> str | None:
        """'he'/'she' -> the most recent speaker or named person before ``pos`` whose gender, when
        the article shows it, agrees with the pronoun."""
        want = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f"}.get(pronoun.lower())
        agrees = lambda name: want is None or self.gender(name) in (None, want)
        candidates = self.speakers if want is None else self._agreeing[want]
        i = bisect.bisect_left(candidates, (pos,))
        best = candidates[i - 1][:2] if i else None
        recent = self._recent_person(pos, agrees)
        if recent and (best is None or recent[0] > best[0]):
            return recent[1]
        return best[1] if best else None

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

    def _recent_person(self, pos: int, agrees: Callable[[str], bool] = lambda n: True
                       ) -> tuple[int, str] | None:
        """The last full person name mentioned as a sentence subject before ``pos``."""
        window = self.text[max(0, pos - 600):pos]
        found = None
        for m in _RUN.finditer(window):
            abs_start = pos - len(window) + m.start()
            if not (_sentence_start(self.text, abs_start) or _after_comma_clause(self.text, abs_start)
                    or _apposed_to_opening(self.text, abs_start)):
                continue
            kin = self._kin_named(m, abs_start)
            if kin:
                if agrees(kin):
                    found = (abs_start, kin)
                continue
            if is_org(m.group()) or m.group().split()[0].lower() in _NOT_NAME_WORDS:  # 'Of Hepburn, she'
                continue
            name = person_name(m.group())
            if not name:
                continue
            full = self.full_name(name.split()[-1], abs_start + 1)
            if full and agrees(full):
                found = (abs_start, full)
        return found

    def _kin_named(self, run: re.Match[str], at: int) -> str | None:
        """The person a possessive opening a sentence introduces by a given name only ("Hart's
        sister Louise spoke", 'His wife Sharon agreed'): that name, or the one full name the
        article gives it."""
        words = run.group().split()
        if not (strip_possessive(words[-1]) != words[-1] or (len(words) == 1 and words[0] in ("His", "Her", "Their"))):
            return None
        m = _KIN.match(self.text, at + len(run.group()))
        if not m or m.group(1).lower() in _NOT_NAME_WORDS:
            return None
        given = m.group(1)
        full = self.by_first.get(given, [])
        return full[0] if len(full) == 1 else given

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
        candidates: list[tuple[int, str, str | None]] = [
            s for s in self.speakers[bisect.bisect_left(self.speakers, (lo,)):
                                     bisect.bisect_left(self.speakers, (pos,))]]
        candidates += [(start, name, None) for start, end, name in self._mentions[
            bisect.bisect_left(self._mention_starts, lo):bisect.bisect_left(self._mention_starts, pos)]
            if end <= pos]
        # the most recent first; at one offset, names in reverse order (as a sorted scan gives)
        candidates.sort(key=lambda c: (c[0], c[1]))
        for _, name, role in reversed(candidates):
            known = self._name_keys(name)
            if not stems.isdisjoint(known) or (role and not stems.isdisjoint(_keys(_UNDER.sub(r"\1", role)))):
                return name
        return None

    def _name_keys(self, name: str) -> frozenset[str]:
        """What a description can match of a named person: its roles and its name (see _keys)."""
        if name not in self._keys:
            self._keys[name] = _keys(_UNDER.sub(r"\1", self.role_text(name))) | _keys(name.lower())
        return self._keys[name]


# A deputy's office is not the office: 'the mayor' is not the 'Deputy Mayor Nicky Gavron' named
# before, 'the chancellor' not the shadow chancellor (the qualifier stays: 'the deputy' is hers).
_UNDER = re.compile(r"\b(deputy|vice|assistant|shadow)[\s-]+[\w’'-]+")


def is_office(word: str) -> bool:
    """Whether a word is an office or a kind of person that a phrase can be 'for' or 'of' a
    body ('spokesman', 'minister', 'head', 'lawyer')."""
    low = word.lower()
    return low in TITLE_WORDS or low in PERSON_NOUNS or low in PERSON_HEADS


def head_word(phrase: str) -> str:
    """The noun a speaker phrase is about, lower-case: its last word, or the person's office
    before the body it is of ('a spokesman for the SEC's Boston office' -> 'spokesman', 'the
    head of the agency' -> 'head'; 'a Department for Education spokeswoman' -> 'spokeswoman')."""
    words = [strip_possessive(w).lower() for w in phrase.split()]
    for i, w in enumerate(words[1:-1], 1):
        if w in ("of", "for", "at") and is_office(words[i - 1]):
            return words[i - 1]
    return words[-1] if words else ""


def _keys(text: str) -> frozenset[str]:
    """Every string of up to :data:`_STEM` characters that starts at a word boundary of
    ``text``: a description's word (cut to its stem) matches ``text`` when it is one of them."""
    return frozenset(text[b:b + n] for b in (m.start() for m in _BOUNDARY.finditer(text))
                     for n in range(1, _STEM + 1) if b + n <= len(text))


def _possessive_parts(run: str) -> list[str]:
    """The parts of a capitalised run that end in a possessive before its last word: "Clint
    Eastwood's Million Dollar Baby" -> ["Clint Eastwood's"] (whose name is Clint Eastwood)."""
    words = run.split(" ")
    return [" ".join(words[:i + 1]) for i, w in enumerate(words[:-1]) if strip_possessive(w) != w]


def _word_prefixes(token: str) -> list[str]:
    """The prefixes of a token that end where a word does ('Kabulov’s' -> 'Kabulov', 'Kabulov’',
    'Kabulov’s'): what a pattern ending in ``\\b`` after a title would have matched."""
    return [token[:m.start()] for m in _BOUNDARY.finditer(token) if m.start() > 0]


def _sentence_start(text: str, pos: int) -> bool:
    before = text[max(0, pos - 3):pos]
    return pos == 0 or bool(re.search(r"(?:[.!?”\"]\s+|\n\s*|^\s*)$", before))


def _after_comma_clause(text: str, pos: int) -> bool:
    """A name opening a main clause after a leading phrase ('On July 14, Zamir Kabulov')."""
    return bool(re.search(r",\s+$", text[max(0, pos - 2):pos])) and bool(
        re.search(r"(?:^|[.!?]\s+)(?:On|In|At|Earlier|Later|Last|Meanwhile|But|And|However|Also)\b[^.!?]{0,40}$",
                  text[max(0, pos - 60):pos])
    )


# After a possessive: one or two lower-case words (a relation, a role) and a given name alone
# ("Hart's sister Louise", 'his younger brother Tom'), not a full name.
_KIN = re.compile(r"[ \u00a0]+(?:[a-z][\w\-]*[ \u00a0]+){1,2}([A-Z][a-z]+)\b(?![’'\-]|[ \u00a0]+[A-Z])")


def _apposed_to_opening(text: str, pos: int) -> bool:
    """A name set off after the description opening its sentence, which it names ('The mayor,
    Ann Cole, spoke first', 'Its chairman, Sir Anthony Greener, said'): the sentence's subject."""
    return bool(re.search(r"(?:^|[.!?”\"]\s+|\n\s*)(?:The|Its|His|Her|Their|Our)\s+[a-z][\w’'\- ]{0,40},\s+$",
                          text[max(0, pos - 60):pos]))


def _role_near(text: str, start: int, end: int) -> str:
    """Role words written around a name: the appositive after it (', a political affairs
    analyst,') and the title words before it ('Russian foreign minister')."""
    after = re.match(r",\s+((?:a|an|the)\s[^,.;“\"]{2,90})", text[end:end + 120])
    before = re.search(r"([\w’'\- ]{0,80})$", text[max(0, start - 80):start])
    parts = [after.group(1) if after else "", before.group(1) if before else ""]
    return " ".join(parts).strip()
