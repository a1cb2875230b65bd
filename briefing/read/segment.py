"""Article -> paragraphs and sentences, as exact spans, with page furniture labelled.

Scraped news text carries more than the story: section labels, a repeated headline, photo
captions and credits, share buttons, newsletter and app prompts, embedded tweets, copyright
footers, disclaimers and legal footnotes. Each is recognised here by a general rule (the shape
an editor would recognise on any site), never by a list of strings from particular articles, and
kept as a ``furniture`` paragraph so that nothing is lost and nothing of it is shown as content.

Decisions worth knowing:

- A run of non-blank lines is one paragraph, except that each line of a run is classified on its
  own and the run is cut wherever a line is furniture or a headline (a block holding a repeated
  headline, a caption and "Share this article" becomes three paragraphs). Consecutive body lines
  stay together, so hard-wrapped prose remains one paragraph.
- Embedded social posts: the signature line (``— name (@handle) July 7, 2021``) and a line with
  ``pic.twitter.com`` mark an embed; the short paragraphs just above them (at most a tweet's 280
  characters each) that either lack closing punctuation or stand apart by two or more blank lines
  are the embedded post's text and are furniture ``"embed"`` too. The post quotes a third party
  and is not the article's own reporting.
- A footnote marked ``*``/``†`` at the tail of the article is furniture ``"footnote"``: it is
  boilerplate a publisher must add (e.g. a legal notice that an organisation is banned); where
  the fact matters the article states it in its own words, as seed 004 does.
- Sentences come from fast rules (abbreviations, initials, decimals, closing quotes, ellipses),
  not an NLP library. Furniture paragraphs carry no sentences; body and headline ones do.
- No sentence is longer than ``SENTENCE_MAX`` characters: a longer stretch without a sentence
  end (a list run together, a wall of text with no full stop, a file of a million short lines)
  is cut into windows at a line break or a space, so everything downstream, from the passages a
  theme ranks to the runs of sentences it shows, works on pieces of bounded size.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from briefing.models import Article, Paragraph, Segmented, Span

# --- Lines and blocks -----------------------------------------------------------------------

_RUN = re.compile(r"[^\r\n]+")  # a line's text, without its line break


@dataclass(slots=True)
class _Para:
    """A mutable paragraph under classification (private to this module)."""

    start: int
    end: int
    gap: int  # line breaks between the previous paragraph and this one (2 = one blank line)
    multiline: bool
    kind: str = "body"
    furniture: str | None = None


def _lines(text: str, start: int, stop: int) -> Iterator[tuple[int, int, int]]:
    """Yield (start, end, line breaks before) of each non-blank line, trimmed of whitespace."""
    prev_end = start
    for m in _RUN.finditer(text, start, stop):
        s = m.group()
        stripped = s.lstrip()
        if not stripped:
            continue
        a = m.start() + len(s) - len(stripped)
        b = m.start() + len(s.rstrip())
        gap_text = text[prev_end:a]
        breaks = gap_text.count("\n") + gap_text.count("\r") - gap_text.count("\r\n")
        yield a, b, breaks
        prev_end = b


def _blocks(text: str, start: int, stop: int) -> Iterator[list[tuple[int, int, int]]]:
    """Yield maximal runs of non-blank lines (lines separated by exactly one line break)."""
    block: list[tuple[int, int, int]] = []
    for line in _lines(text, start, stop):
        if block and line[2] >= 2:
            yield block
            block = []
        block.append(line)
    if block:
        yield block


# --- Line rules -----------------------------------------------------------------------------

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
    r"\b(?:e-?mail you|our (?:daily |weekly |free )?newsletters?|newsletter sign|(?:to|in) your inbox|"
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
_FOOTNOTE = re.compile(r"^(?:\*{1,3}|†|‡)\s*\S")
_TERMINAL = re.compile(r"[.!?…][\"'”’»)\]]*$")

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
_WORDS = re.compile(r"[^\W_]+")
_MONTHS = {m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}


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
    for word in _WORDS.findall(rest.lower()):
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
    if n <= 120 and _READ_MORE.match(bare) and not _TERMINAL.search(bare):
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


# --- Head of the article: section label, headline, repeated headline ------------------------


def _headline_like(t: str) -> bool:
    if "\n" in t or len(t) > 200 or len(t.split()) > 30:
        return False
    if t[-1] in ",;:" or any(_full_stop(t[s.start : s.end]) for s in sentences(t, 0, len(t))):
        # a headline has no full stop (a trailing ellipsis is a teaser headline), neither one
        # closing a quoted sentence (Burton said, "I love cats.") nor one between sentences
        return False
    first = _WORDS.search(t)
    # "iTunes now selling..." and "$1m payoff..." are headlines; "and then..." is not
    return first is not None and (first.group()[0].isdigit() or not first.group().islower())


def _full_stop(sentence: str) -> bool:
    """Whether a sentence ends in a full stop, inside closing double quotation marks or not
    ('...' is none). Single marks are left alone: American headlines quote with them and close
    the quoted phrase with its full stop (``Obama on Climate Change: The Trends Are 'Terrifying.'``)."""
    bare = sentence.rstrip("\"”»")
    return bare.endswith(".") and not bare.endswith("...")


def _body_after(paras: list[_Para], i: int) -> bool:
    return any(p.kind == "body" for p in paras[i + 1 :])


def _label_like(t: str) -> bool:
    words = t.split()
    if len(words) > 3 or len(t) > 30 or t[-1] in ".,;:!?":
        return False
    return all(w[:1].isupper() or not w[:1].isalpha() for w in words)


def _words(t: str) -> list[str]:
    return _WORDS.findall(t.casefold())


def split_title(headline: str) -> tuple[str, str | None]:
    """("Title", "SITE") for "Title | SITE": a site name after the last '|' (kept as written),
    else (headline, None). Leading markdown '#' marks are dropped."""
    title = " ".join(headline.lstrip("#").split())
    left, bar, right = title.rpartition(" | ")
    if bar and left.strip() and 0 < len(right.split()) <= 6:
        return left.strip(), right.strip()
    return title, None


def _repeats(t: str, heads: list[list[str]], longest: int) -> bool:
    if len(t) > 3 * longest + 8:
        return False  # at most a headline said three times; keeps body paragraphs cheap
    w = _words(t)
    if not w:
        return False
    for h in heads:
        if h and len(w) % len(h) == 0 and w == h * (len(w) // len(h)):
            return True
    return False


def _mark_head(text: str, paras: list[_Para]) -> int | None:
    """Mark the section label, headline and repeated headlines; return the headline's index.
    A headline heads a body: the only body paragraph of an article is its body, not its title."""
    i = next((k for k, p in enumerate(paras) if p.kind == "body"), None)
    if i is None or i > 6:
        return None
    t = text[paras[i].start : paras[i].end]
    nxt = paras[i + 1] if i + 1 < len(paras) else None
    if nxt is not None and nxt.kind == "body" and _label_like(t):
        t2 = text[nxt.start : nxt.end]
        if _headline_like(t2) and not _label_like(t2) and _body_after(paras, i + 1):
            paras[i].kind, paras[i].furniture = "furniture", "section-label"
            i, t = i + 1, t2
    if not _headline_like(t) or not _body_after(paras, i):
        return None
    paras[i].kind = "headline"
    title, _ = split_title(t)
    heads = [_words(t), _words(title)]
    for p in paras[i + 1 : i + 9]:
        if p.kind == "body" and _repeats(text[p.start : p.end], heads, len(t)):
            p.kind, p.furniture = "furniture", "repeated-headline"
    return i


# --- Tail and embeds ------------------------------------------------------------------------


def _mark_embeds(text: str, paras: list[_Para]) -> None:
    """Absorb the text of an embedded post (the short paragraphs just above its signature)."""
    for k, p in enumerate(paras):
        if p.furniture != "embed" or (k > 0 and paras[k - 1].furniture == "embed"):
            continue
        j, below = k - 1, p
        while j >= 0 and paras[j].kind == "body":
            t = text[paras[j].start : paras[j].end]
            if len(t) > 280 or (_TERMINAL.search(t) and below.gap < 3):
                break
            paras[j].kind, paras[j].furniture = "furniture", "embed"
            below, j = paras[j], j - 1


def _mark_tail(text: str, paras: list[_Para]) -> None:
    """Footnotes: marked single paragraphs among the closing furniture of the article; a bare
    '© Owner' there is the page's copyright rather than a photo credit."""
    for p in reversed(paras):
        if p.kind == "furniture":
            if p.furniture == "photo-credit" and text[p.start] in "©(":
                p.furniture = "copyright"  # "© Example News" closing the page owns the page
            continue
        if p.kind == "body" and not p.multiline and _FOOTNOTE.match(text[p.start : p.end]):
            p.kind, p.furniture = "furniture", "footnote"
            continue
        break


# --- Sentences ------------------------------------------------------------------------------

_CANDIDATE = re.compile(r"(?:\.\.\.|[.!?…])+[\"'”’»)\]]*(?=\s)")
_NEVER = frozenset(
    "mr mrs ms messrs dr prof gen col lt maj sgt cpl capt cmdr adm gov sen rep rev hon pres supt "
    "insp amb st mme mlle fr vs v e.g i.e cf al approx".split()
)
_BEFORE_NUMBER = frozenset("no nos art fig figs p pp vol ch sec para jan feb mar apr jun jul aug "
                           "sep sept oct nov dec".split())
_MAYBE = frozenset("inc corp co ltd llc plc bros etc jr sr dept est univ assn ave blvd rd mt ft "
                   "a.m p.m".split())
_STARTERS = frozenset(
    "the a an it he she they we i you but and in on at this that these those there his her their "
    "its our as if when while after before however meanwhile so yet also earlier later last some "
    "many according both for with to from since despite".split()
)
_ACRONYM = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]$")
_OPENERS = "\"'“‘«([¿¡"


def _is_boundary(token: str, punct: str, nxt: str) -> bool:
    """Whether a sentence ends after ``token`` + ``punct`` given the next word ``nxt``."""
    first = nxt.lstrip(_OPENERS)[:1]
    if not first or first.islower():
        return False
    if punct[0] != "." or punct.startswith("..."):
        return True
    word = token.lstrip(_OPENERS)
    low = word.lower()
    if low in _NEVER:
        return False
    if len(word) == 1 and word.isupper():
        return False  # an initial: "J. Smith"
    next_word = nxt.lstrip(_OPENERS).split(None, 1)[0].rstrip(",;:").lower() if nxt else ""
    if low in _BEFORE_NUMBER:
        return not first.isdigit()
    if low in _MAYBE or _ACRONYM.match(word):
        return next_word in _STARTERS
    return True


SENTENCE_MAX = 1000  # characters: a longer stretch with no sentence end is cut into windows


def sentences(text: str, start: int, end: int) -> tuple[Span, ...]:
    """Cut ``text[start:end]`` into sentences: trimmed, ordered, disjoint spans that together
    cover every non-whitespace character of the range, none longer than ``SENTENCE_MAX``."""
    spans: list[Span] = []
    s = start
    for m in _CANDIDATE.finditer(text, start, end):
        cut = m.end()
        if cut >= end:
            break
        # only the sentence's last word matters: never split the whole stretch before it
        # (quadratic in a stretch with many candidates and no boundary, like "a.b a.b ...")
        before = text[max(s, m.start() - 80) : m.start()].rsplit(None, 1)
        token = before[-1] if before else ""
        nxt = text[cut : min(end, cut + 40)].lstrip()
        if _is_boundary(token, m.group(), nxt):
            _windows(text, s, cut, spans)
            s = cut
            while s < end and text[s].isspace():
                s += 1
    if s < end:
        _windows(text, s, end, spans)
    return tuple(spans)


def _windows(text: str, start: int, end: int, out: list[Span]) -> None:
    """Append ``text[start:end]`` (trimmed) to ``out`` as one sentence, or as windows of at most
    ``SENTENCE_MAX`` characters when longer: each cut at the last line break in the window's
    second half, else its last space, else (a run with no space at all) at the limit."""
    while end - start > SENTENCE_MAX:
        low, high = start + SENTENCE_MAX // 2, start + SENTENCE_MAX
        cut = max(text.rfind("\n", low, high), text.rfind("\r", low, high))
        if cut < 0:
            cut = max(text.rfind(" ", low, high), text.rfind("\t", low, high))
        if cut < 0:
            cut = high
        stop = cut
        while stop > start and text[stop - 1].isspace():
            stop -= 1
        out.append(Span(start, stop))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        out.append(Span(start, end))


# --- Public API -----------------------------------------------------------------------------


def _paragraphs(text: str, start: int, stop: int) -> Iterator[_Para]:
    """Blocks cut at furniture lines; consecutive body lines of a block stay one paragraph."""
    for block in _blocks(text, start, stop):
        if len(block) == 1:
            a, b, gap = block[0]
            yield _Para(a, b, gap, False, *_line_kind(text[a:b]))
            continue
        cur: _Para | None = None
        for a, b, gap in block:
            reason = line_furniture(text[a:b])
            if reason is None and cur is not None and cur.kind == "body":
                cur.end, cur.multiline = b, True
                continue
            if cur is not None:
                yield cur
            cur = _Para(a, b, gap, False, *_line_kind(text[a:b], reason))
        if cur is not None:
            yield cur


_UNSET = object()


def _line_kind(t: str, reason: object = _UNSET) -> tuple[str, str | None]:
    r = line_furniture(t) if reason is _UNSET else reason
    return ("furniture", r) if r else ("body", None)  # type: ignore[return-value]


def _classify(text: str, start: int, stop: int, limit: int | None = None) -> list[_Para]:
    paras: list[_Para] = []
    for p in _paragraphs(text, start, stop):
        paras.append(p)
        if limit is not None and len(paras) >= limit:
            break
    _mark_head(text, paras)
    return paras


@dataclass(frozen=True, slots=True)
class Header:
    """What the top of an article says about itself (spans are None when absent)."""

    headline: Span | None
    byline: tuple[str, str | None] | None
    published: str | None


def read_header(text: str, body_start: int = 0) -> Header:
    """The headline, byline and self-given date of an article, read from its first paragraphs
    only, with the same rules :func:`segment` applies (so both agree)."""
    paras = _classify(text, body_start, len(text), limit=12)
    headline = by = published = None
    for p in paras:
        t = text[p.start : p.end]
        if p.kind == "headline" and headline is None:
            headline = Span(p.start, p.end)
        elif p.furniture == "byline" and by is None:
            by = byline(t)
        elif p.furniture == "dateline" and published is None:
            published = dateline(t)
        elif p.kind == "body":
            if published is None:
                published = leading_date(t)
            break
    return Header(headline, by, published)


def segment(article: Article) -> Segmented:
    """Cut an article into paragraphs (body, headline or labelled furniture) and the body's
    sentences, all as exact offsets into ``article.text``. Nothing is dropped: every
    non-whitespace character lies in exactly one paragraph."""
    text = article.text
    out: list[Paragraph] = []
    if article.body_start > 0:
        head = text[: article.body_start]
        a = len(head) - len(head.lstrip())
        b = len(head.rstrip())
        if b > a:
            out.append(Paragraph(a, b, "furniture", (), "front-matter"))
    paras = _classify(text, article.body_start, len(text))
    _mark_embeds(text, paras)
    _mark_tail(text, paras)
    for p in paras:
        sents = sentences(text, p.start, p.end) if p.kind != "furniture" else ()
        out.append(Paragraph(p.start, p.end, p.kind, sents, p.furniture))
    return Segmented(article.id, tuple(out))
