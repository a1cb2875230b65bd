"""Page furniture, one line at a time: the shape of a share prompt, a caption, a credit, a
byline, a dateline; and the dates an article gives itself at its top.

Each rule looks at the shape a line has on any site (short, no full stop, a credit's words, a
handle and a date), never at strings taken from particular articles. :func:`line_furniture`
names the kind of furniture a line is, or None when it may be content; ``segment`` applies it
to every line of a block and decides on the paragraphs around (headlines, embeds, footnotes).
The byline and dateline rules also give the byline's name and outlet and the article's date
(``corpus.infer_meta``, through ``segment.read_header``).
"""

from __future__ import annotations

import re

_BULLET = re.compile(r"^[\s•·▪►◦*\-–—]+")
_SHARE = re.compile(
    r"^(?:share(?: this(?: article| story| page| post)?| on \w+| via \w+| article)?|"
    r"(?:tweet|email|e-mail|print|whatsapp|facebook|twitter|linkedin|telegram)"
    r"(?: (?:this|it))?)[\s:!.…]*$",
    re.I,
)
_READ_MORE = re.compile(
    r"^(?:read more|read next|read also|also read|more on this(?: story)?|see also|"
    r"related(?: articles?| stories| content| news| coverage| topics)?|most read|"
    r"recommended(?: for you)?|you may also like|more from [\w .&'-]{1,40}|top stories)\b"
    r"(?:[\s:]|$)",
    re.I,
)
_NEWSLETTER = re.compile(
    r"\b(?:e-?mail you|our (?:daily |weekly |free )?newsletters?|newsletter sign|"
    r"(?:to|in) your inbox|"
    r"sign up (?:for|to|now|here)|subscribe (?:to|now|for|here)|"
    r"turn on (?:push )?notifications)\b",
    re.I,
)
_APP = re.compile(
    r"\b(?:download|get|install) (?:our|the [\w ]{1,20}) apps?\b|\bour apps?\b"
    r"|\bapp store\b|\bgoogle play\b",
    re.I,
)
_ADVERT = re.compile(r"^(?:advertisement|advert|sponsored(?: content)?|ad|promoted)[\s:.]*$", re.I)
_COPYRIGHT = re.compile(
    r"^(?:©|\(c\)|copyright\b|&copy;)\s*(?:©\s*)?(?:\d{4}\b|[^\n]{0,60}\b\d{4}\b)"
    r"|\ball rights reserved\b",
    re.I,
)
_CREDIT_START = re.compile(
    r"^(?:©|\(c\)\s|(?:photo|photograph|image|picture|credit|source|video|illustration)s?"
    r"(?: credit)?\s*:)",
    re.I,
)
_CREDIT_END = re.compile(
    r"(?:\((?:AP|AFP|Reuters|EPA|Getty|Xinhua|TASS|Sputnik|PA)?\s*Photo[^()]{0,80}\)"
    r"|\((?:photo|image|picture)s? (?:by|courtesy|credit)[^()]{0,80}\)"
    r"|(?:via |/)Getty Images|Press Association Images|/(?:AFP|Reuters|AP|EPA|TASS|Shutterstock)"
    r"|\bShutterstock(?:\.com)?|\bGetty Images)[\s.)]*$",
    re.I,
)
_EMBED = re.compile(
    r"pic\.twitter\.com|twitter\.com/\w+/status|\bt\.co/\w|instagram\.com/p/|"
    r"\ba post shared by\b|\bview this post on instagram\b|"
    r"\(@\s?\w{1,20}\)\s*(?:[A-Z][a-z]+\.? \d{1,2}, \d{4}|$)",
    re.I,
)
_DISCLAIMER = re.compile(
    r"\b(?:views?|opinions?|point of view|positions?)\b.{0,100}?\b(?:author|writer|contributor|"
    r"columnist)s?\b.{0,100}?\b(?:not|n't)\b.{0,40}?\b(?:reflect|coincide|represent|necessarily)"
    r"|\b(?:author|writer|contributor|columnist)(?:'s|s'|’s)?\s+(?:own\s+)?(?:views?|opinions?)"
    r".{0,100}?\b(?:not|n't)\b.{0,40}?\b(?:reflect|coincide|represent|necessarily)",
    re.I,
)
_BYLINE = re.compile(
    r"^(?i:by|written by|words by|reporting by)\s+"
    r"(?P<name>[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|and|&|de|van|von|der|al|bin|la|le|du|da|di|"
    r"dos|del)){0,8})"
    r"\s*(?:(?:,|\||–|—|\s-|/)\s*(?P<outlet>[A-Z][\w.&'’ -]{1,60}?))?\s*$"
)
_IMPERATIVE = re.compile(
    r"^(?:sign|subscribe|get|join|want|download|follow|click|tap|install|register|never)\b", re.I
)
TERMINAL = re.compile(r"[.!?…][\"'”’»)\]]*$")  # a line ends as a sentence does

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE = re.compile(
    rf"\b(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m1>{_MONTH})\.?,?\s+(?P<y1>\d{{4}})"
    rf"|(?P<m2>{_MONTH})\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y2>\d{{4}})"
    r"|(?P<y3>\d{4})-(?P<m3>\d{2})-(?P<d3>\d{2}))\b",
    re.I,
)
_DATELINE_WORDS = frozenset(
    "published updated posted last first date on at am pm a m p gmt utc bst cet cest msk est "
    "edt pst pdt ist mon tue wed thu fri sat sun monday tuesday wednesday thursday friday "
    "saturday sunday t z".split()
)
WORDS = re.compile(r"[^\W_]+")  # the words of a line (letters and digits)
_MONTHS = {m: i + 1
           for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}


def iso_date(m: re.Match[str]) -> str | None:
    """The ISO date ('YYYY-MM-DD') a ``_DATE`` match names, or None when it is not a real date."""
    if m.group("y3"):
        y, mo, d = int(m.group("y3")), int(m.group("m3")), int(m.group("d3"))
    else:
        y = int(m.group("y1") or m.group("y2"))
        mo = _MONTHS[(m.group("m1") or m.group("m2"))[:3].lower()]
        d = int(m.group("d1") or m.group("d2"))
    if not (1 <= mo <= 12 and 1 <= d <= 31 and 1800 <= y <= 2200):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def dateline(line: str) -> str | None:
    """The ISO date when ``line`` is nothing but a date ("Published 12 March 2021", "2021-03-12
    10:00 UTC", "Updated: March 12, 2021"), else None. Such a line dates the article."""
    if len(line) > 80:
        return None
    m = _DATE.search(line)
    if not m:
        return None
    rest = line[: m.start()] + " " + line[m.end() :]
    for word in WORDS.findall(rest.lower()):
        if word not in _DATELINE_WORDS and not word.isdigit():
            return None
    return iso_date(m)


def leading_date(paragraph: str) -> str | None:
    """The ISO date of a dateline opening a paragraph ("March 12, 2021 — ...", "MOSCOW, July 14,
    2021 (Reuters) - ..."), else None. A date elsewhere in the text does not date the article."""
    m = _DATE.match(paragraph)
    if not m:
        head = paragraph.split(",", 1)
        if len(head) < 2 or len(head[0]) > 40 or not head[0][:1].isupper():
            return None
        rest = head[1].lstrip()
        m = _DATE.match(rest)
        if not m:
            return None
        after = rest[m.end() :].lstrip()
    else:
        after = paragraph[m.end() :].lstrip()
    if not after[:1] or after[0] not in "—–-(/:|":
        return None
    return iso_date(m)


def byline(line: str) -> tuple[str, str | None] | None:
    """(name, outlet or None) when ``line`` is a byline ("By Vladimir Isachenkov, Associated
    Press"), else None."""
    if len(line) > 120:
        return None
    m = _BYLINE.match(line)
    if not m:
        return None
    outlet = m.group("outlet")
    return m.group("name").strip(), outlet.strip() if outlet else None


def line_furniture(line: str) -> str | None:
    """The furniture reason of one stripped line taken on its own, or None when it may be
    content. Rules look at the shape of the line, so they hold across sites."""
    n = len(line)
    if n > 400:
        return None  # furniture is short; this keeps long body paragraphs cheap
    bare = _BULLET.sub("", line) if line[:1] in "•·▪►◦*-–—" else line
    low = line.lower()
    if n <= 60:
        if _SHARE.match(bare):
            return "share"
        if _ADVERT.match(bare):
            return "advertisement"
    if n <= 120 and _READ_MORE.match(bare) and not TERMINAL.search(bare):
        return "read-more"
    if ("@" in line or "twitter" in low or "t.co/" in low or "instagram" in low
            or "a post shared" in low) and _EMBED.search(line):
        return "embed"
    if n <= 200 and _COPYRIGHT.search(bare):
        return "copyright"
    if n <= 300:
        if _CREDIT_START.match(bare):
            return "photo-credit"
        if "©" in line or _CREDIT_END.search(line):
            return "caption"
    if n <= 140 and (not line.endswith(".") or _IMPERATIVE.match(bare)):
        # "BT offers free calls if they sign up to broadband." is news, not a prompt
        if _NEWSLETTER.search(line):
            return "newsletter"
        if _APP.search(line):
            return "app-prompt"
    if ("author" in low or "writer" in low or "contributor" in low or "columnist" in low) \
            and _DISCLAIMER.search(line):
        return "disclaimer"
    if n <= 120 and byline(line):
        return "byline"
    if n <= 80 and dateline(line):
        return "dateline"
    return None

