"""What a name is, whatever the article: the word lists and rules that tell a person's name
from an institution's, strip the role words around it ('Second Asia Department Zamir Kabulov'
-> 'Zamir Kabulov'), and find the noun a speaker phrase is about.

The vocabulary of :mod:`briefing.annotate.cast` and :mod:`briefing.annotate.people` (who is
who in one article) and of the quotation rules; nothing here reads an article.
"""

from __future__ import annotations

import re

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
PERSON_HEADS = {"source", "official", "aide", "spokesperson", "adviser", "advisor", "lawyer",
                 "man", "woman", "dealer", "farmer", "worker", "resident", "witness", "teacher"}
# Speakers that are many people or a body of them: no 'he' or 'she' stands for them.
GROUPS = {"family", "government", "campaign", "committee", "panel", "group", "council", "team",
          "board", "party", "police", "administration", "union", "company", "firm", "staff",
          "all", "both", "some", "many", "most", "several", "others", "each"}
PERSON_NOUNS = {
    "diplomat": {"diplomat", "minister", "ambassador", "envoy", "representative", "foreign",
                 "department", "ministry"},
    "expert": {"expert", "analyst", "director", "professor", "scholar", "researcher", "fellow",
               "studies", "specialist"},
    "analyst": {"analyst", "expert", "director", "scholar"},
    "official": {"official", "minister", "head", "director", "secretary", "spokes",
                 "representative", "officer"},
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
#: a run of capitalised words (initials and short titles with their stops): where names are
NAME_RUN = re.compile(r"(?:(?:[A-Z]\.){2,}|(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Lt|Col|Prof|Rev)\."
                      r"|[A-Z][\w’'\-]*)(?:[ \u00a0](?:(?:[A-Z]\.)+|[A-Z][\w’'\-]*))*")
#: where a word starts or ends
BOUNDARY = re.compile(r"\b")


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
                    words[-2].lower() not in ROLE_WORDS
                    or words[-2].lower().rstrip(".") in _COURTESY_WORDS):
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
_POST_NOMINALS = {"mp", "mps", "msp", "mep", "am", "qc", "kc", "obe", "cbe", "mbe", "kbe", "jr",
                  "sr", "phd"}
_COURTESY_WORDS = {"mr", "mrs", "ms", "miss", "dr", "sir", "lady", "lord", "dame"}


# Capitalised words that are no part of a name: a clause's first word ('But Fowler said'), the
# verbs and function words of a title in capitals ('All Bets Are Off').
NOT_NAME_WORDS = set("""
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


def role_noun(word: str) -> bool:
    """Whether a capitalised word is a role or a common noun for a person ('Presenter', 'Rocker'),
    not a given name."""
    low = word.lower()
    return (bool(_PERSON_NOUN_END.search(low)) and low not in MALE_NAMES
            and low not in FEMALE_NAMES) or low in ROLE_WORDS


def is_trade(word: str) -> bool:
    """Whether a lower-case word names a person by what they do ('singer', 'striker',
    'novelist', 'star'), by its ending: the head of a description that stands for someone."""
    return (bool(_PERSON_NOUN_END.search(word)) or word in _TRADES) and word not in MALE_NAMES \
        and word not in FEMALE_NAMES and word not in _NOT_TRADES and word not in TITLE_WORDS \
        and word not in GROUPS and word not in ORG_WORDS


_TRADES = {"star", "boss", "coach", "host", "chef", "poet", "pilot"}
# Words with a trade's ending that name no person ('the paper', 'the letter', 'the government')
_NOT_TRADES = {"paper", "letter", "report", "order", "number", "center", "centre", "quarter",
               "matter", "sector", "factor", "error", "corridor", "government", "parliament",
               "department", "statement", "agreement", "document", "event", "incident",
               "objective", "initiative", "executive", "motive", "detective", "weather", "winter",
               "summer", "chamber", "offer", "border", "river", "tower", "power", "answer",
               "member", "cover", "computer", "register", "charter", "monitor", "tractor", "motor",
               "regulator", "operator", "carrier", "provider", "retailer", "manufacturer",
               "supplier", "publisher", "broadcaster", "insurer"}


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


def institution(name: str) -> bool:
    """Whether a speaker is no person, whom no 'he' or 'she' stands for: an institution ('the
    Russian Foreign Ministry'), a document ('a Donald Trump tweet'), a group ('critics')."""
    head = head_word(name)
    if head in TITLE_WORDS or head in PERSON_NOUNS or head in PERSON_HEADS:
        return False  # 'a US Embassy spokesman', 'a diplomatic source'
    return is_org(name) or head in DOCUMENTS or head in GROUPS or (
        not name[:1].isupper() and head.endswith("s") and not head.endswith("ss"))
