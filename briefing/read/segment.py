"""Article -> paragraphs and sentences, as exact spans, with page furniture labelled.

Scraped news text carries more than the story: section labels, a repeated headline, photo
captions and credits, share buttons, newsletter and app prompts, embedded tweets, copyright
footers, disclaimers and legal footnotes. Each is recognised here by a general rule (the shape
an editor would recognise on any site), never by a list of strings from particular articles, and
kept as a ``furniture`` paragraph so that nothing is lost and nothing of it is shown as content.
The rules for one line are in ``furniture``, those for sentences in ``sentences``; this module
cuts the text into paragraphs and decides what the lines around one another make them.

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
from briefing.read.furniture import TERMINAL, WORDS, byline, dateline, leading_date, line_furniture
from briefing.read.sentences import sentences

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


_FOOTNOTE = re.compile(r"^(?:\*{1,3}|†|‡)\s*\S")  # a marked note: "* Banned in Russia"


# --- Head of the article: section label, headline, repeated headline ------------------------


def _headline_like(t: str) -> bool:
    if "\n" in t or len(t) > 200 or len(t.split()) > 30:
        return False
    if t[-1] in ",;:" or any(_full_stop(t[s.start : s.end]) for s in sentences(t, 0, len(t))):
        # a headline has no full stop (a trailing ellipsis is a teaser headline), neither one
        # closing a quoted sentence (Burton said, "I love cats.") nor one between sentences
        return False
    first = WORDS.search(t)
    # "iTunes now selling..." and "$1m payoff..." are headlines; "and then..." is not
    return first is not None and (first.group()[0].isdigit() or not first.group().islower())


def _full_stop(sentence: str) -> bool:
    """Whether a sentence ends in a full stop, inside closing double quotation marks or not
    ('...' is none). Single marks are left alone: American headlines quote with them and close
    the quoted phrase with its full stop
    (``Obama on Climate Change: The Trends Are 'Terrifying.'``)."""
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
    return WORDS.findall(t.casefold())


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
            if len(t) > 280 or (TERMINAL.search(t) and below.gap < 3):
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


# --- Public API -----------------------------------------------------------------------------


def _paragraphs(text: str, start: int, stop: int) -> Iterator[_Para]:
    """Blocks cut at furniture lines; consecutive body lines of a block stay one paragraph."""
    for block in _blocks(text, start, stop):
        if len(block) == 1:
            a, b, gap = block[0]
            yield _Para(a, b, gap, False, *_kind(line_furniture(text[a:b])))
            continue
        cur: _Para | None = None
        for a, b, gap in block:
            reason = line_furniture(text[a:b])
            if reason is None and cur is not None and cur.kind == "body":
                cur.end, cur.multiline = b, True
                continue
            if cur is not None:
                yield cur
            cur = _Para(a, b, gap, False, *_kind(reason))
        if cur is not None:
            yield cur


def _kind(reason: str | None) -> tuple[str, str | None]:
    """A paragraph's (kind, furniture) for a line whose furniture reason is ``reason``."""
    return ("furniture", reason) if reason else ("body", None)


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
