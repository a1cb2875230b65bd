"""Frozen records that flow between the stages of the pipeline, and the domain's nouns. No I/O.

Data flows one way: ``Path -> Article -> Paragraph/Quote -> Passage -> Match -> Briefing``.
Every piece of text shown to a reader is cited by offsets: ``article.text[start:end]``, where
``text`` is the file decoded with ``article.encoding`` and no newline translation. The
:class:`Briefing` and the records it holds are the only thing templates see; each field's help
text is the template context's documentation (``tests/test_template_context.py`` keeps every
field documented).

Glossary (one name per concept; the code uses these words in these senses):

- **corpus**: the articles a build considers (``ingest.Corpus``: references to them, texts
  loaded on demand); **article**: one source document, its text and metadata
  (:class:`Article`); a web page, email or PDF is read into its **reading text**, which its
  offsets index. A **source** is an article as the edition cites it (:class:`Source`, S1...).
- **segmentation**: an article cut into **paragraphs** (body, headline, or **furniture**: page
  matter that is not the story) and their **sentences**, spans of the text (:class:`Span`).
- **token**: a word of the text with its offsets (``textnorm.tokens``); a passage keeps each
  token's **root** (``textnorm.root``: what terms match) and its lower-case **word** (what a
  ``prefix*`` matches). A **count** of tokens or passages is named so (``token_count``).
- **passage**: a span an item can show, with its tokens: a body paragraph, one sentence of a
  long paragraph, or a run of such sentences (:class:`Passage`; the store keeps every one,
  ``themes.passages_of`` makes them).
- **theme**: what a section is about, as configured (``config.ThemeConfig``) and compiled into
  a **query** (``themes.ThemeQuery``): weighted **terms**, **exclusions** (phrases and **sense
  rules**, ``word NEAR/n context``, that are not evidence), ``not`` phrases (a passage holding
  one is **vetoed**) and ``require`` (a boolean query, ``query.py``, a shown passage
  satisfies: the theme **accepts** it).
- **evidence**: what a theme's terms found in one passage (``themes.Evidence``; kept per theme
  in the store as an evidence **table**, ``ranking.Table``); a **match** is a passage scored
  for a theme (:class:`Match`), a **candidate** a match with its fate so far
  (``themes.Candidate``: ``reason`` None while eligible); a theme's **shortlist** is its best
  candidates, the only ones assembly reads (``ranking.shortlist``).
- **selection**: what an edition shows and why (``choose.Selection``): each candidate's
  **decision**, the **points** of The essentials, each section's **lede** and **items**.
- **quotation** (``Quote``): quoted words attributed to a **speaker**; a **voice** is a speaker
  with what they said (:class:`Voice`). An **event** is a dated sentence (``timeline.Event``);
  the **timeline** shows a clause of each.
- **edition**: one issue of the briefing, for a date and a reader (None: the main edition);
  a **reader** is a profile (``config.Reader``) whose **window** says which articles are new
  enough (``readers.Window``). The :class:`Briefing` is an edition's content; the **archive**
  keeps every edition built; the **ledger** every edition sent.
- **store**: the cache of everything read (``store.interface.Store``); what a later stage keeps
  per article in it is an **annotation** (quotations, events), what it keeps over many articles
  a **kept** result (``store.interface.Kept``); every one is keyed by the code computing it
  (``cachekeys``).
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any, NamedTuple, TypeVar, overload

from briefing.judge.textnorm import TOKEN_RE, root

T = TypeVar("T")


def indices(record: type[NamedTuple]) -> SimpleNamespace:
    """The index of each field of a NamedTuple ``record`` (``indices(FoundFile).size``): for
    code that reads such rows as plain tuples where it is hot (a warm build handles 100,000)
    and would otherwise write ``row[3]``; derived from the record, so they cannot drift."""
    return SimpleNamespace(**{name: i for i, name in enumerate(record._fields)})


@overload
def doc(text: str) -> Any: ...
@overload
def doc(text: str, *, default: T) -> T: ...
@overload
def doc(text: str, *, default_factory: Callable[[], T]) -> T: ...


def doc(text: str, **default: Any) -> Any:
    """A dataclass field carrying its help text in ``metadata["doc"]``, with its ``default``
    or ``default_factory`` when it has one. Typed as the default it is given, so a field keeps
    its declared type (``title: str | None = doc("...", default=None)``); without a default it
    is a required field, which only the dataclass machinery needs to know."""
    return field(metadata={"doc": text}, **default)


# --- Articles -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArticleMeta:
    """What is known about an article beyond its text. ``inferred`` names the fields guessed from
    the text rather than given by front matter or the config's sources manifest."""

    title: str | None = doc("Headline, given or inferred.", default=None)
    outlet: str | None = doc("Publication name, e.g. 'Associated Press'.", default=None)
    byline: str | None = doc("Author(s) as printed, without 'By'.", default=None)
    published: str | None = doc("Publication date, ISO 'YYYY-MM-DD', or None when unknown.",
                                default=None)
    url: str | None = doc("Canonical URL of the article, when known.", default=None)
    inferred: tuple[str, ...] = doc("Names of the fields above inferred from the text.", default=())


@dataclass(frozen=True, slots=True)
class Article:
    """One source document: its decoded text and metadata. ``id`` is stable across runs (the path
    relative to the corpus root it was found under, with forward slashes)."""

    id: str
    path: Path
    text: str
    encoding: str
    meta: ArticleMeta
    sha256: str
    body_start: int = 0  # offset where the body starts (after front matter), for segmentation


def corpus_sha256(pairs: Iterable[tuple[str, str]]) -> str:
    """The digest of a corpus (the contract's ``corpus.sha256``): sha256 of one
    ``"<id>\t<sha256>\n"`` line per article, in id order (a stable sort)."""
    lines = sorted(pairs, key=lambda p: p[0])
    return hashlib.sha256("".join(f"{i}\t{s}\n" for i, s in lines).encode()).hexdigest()


# --- Segmentation ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range ``[start, end)`` into an article's text."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A block of text between blank lines (or a single line, where the source has no blank
    lines). ``kind`` is ``"body"`` for content and ``"headline"`` for the title line; everything
    else is page furniture and ``furniture`` says which kind (``"share"``, ``"photo-credit"``,
    ``"caption"``, ``"embed"``, ``"copyright"``, ``"disclaimer"``, ``"section-label"``,
    ``"repeated-headline"``, ``"byline"``, ``"footnote"``, ``"front-matter"``...)."""

    start: int
    end: int
    kind: str  # "body" | "headline" | "furniture"
    sentences: tuple[Span, ...] = ()
    furniture: str | None = None

    @property
    def is_content(self) -> bool:
        return self.kind == "body"


@dataclass(frozen=True, slots=True)
class Segmented:
    """An article cut into paragraphs (in source order, disjoint) with their sentences."""

    article_id: str
    paragraphs: tuple[Paragraph, ...]

    @property
    def body(self) -> tuple[Paragraph, ...]:
        return tuple(p for p in self.paragraphs if p.kind == "body")


# --- Quotations -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Quote:
    """A quotation attributed to someone. ``start``/``end`` cover the quoted words without the
    enclosing quotation marks (for a quote running over several paragraphs, the whole run)."""

    start: int
    end: int
    speaker: str | None
    speaker_mention: Span | None
    cue: str | None
    kind: str  # "full" | "partial"
    confidence: float
    medium: str | None = None  # "RIA Novosti" in "..., said Kabulov, as quoted by RIA Novosti"


# --- Theme matching -------------------------------------------------------------------------


@dataclass(slots=True)
class Passage:
    """A candidate passage: a span of an article a section can show (a body paragraph, one
    sentence of a long paragraph, or a run of such sentences) with its tokens: each word's root
    and lower-case form, in order, and ``breaks``, the token indices where a new sentence of
    the source begins (for ``SAME``). ``sentence`` is the sentence's index in its paragraph
    when the passage is one sentence of a long paragraph (None otherwise). Built up while it is
    read (hence not frozen): tokenised, joined into runs, given the ``hits`` an index found.

    ``file`` is the store's key of its article (0 for a corpus held in memory); a passage read
    from the store gets its ``article_id`` from the corpus, which alone knows the ids."""

    article_id: str
    paragraph: int
    start: int
    end: int
    sentence: int | None = None
    roots: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    breaks: list[int] = field(default_factory=list)
    hits: frozenset[str] | None = None  # texts of terms that may occur here (an index's); None: any
    file: int = 0

    @classmethod
    def of(cls, text: str, start: int, end: int, sentences: Sequence[tuple[int, int]] = (),
           article_id: str = "", paragraph: int = 0) -> Passage:
        """``text[start:end]`` tokenised, ``sentences`` (spans covering it, as its paragraph's)
        saying where each sentence begins."""
        out = cls(article_id, paragraph, start, end)
        bounds = sorted(sentences)
        k = 0
        for m in TOKEN_RE.finditer(text, start, end):
            if k + 1 < len(bounds) and m.start() >= bounds[k + 1][0]:
                while k + 1 < len(bounds) and m.start() >= bounds[k + 1][0]:
                    k += 1
                out.breaks.append(len(out.roots))
            w = m.group()
            out.words.append(w.lower())
            out.roots.append(root(w))
        return out

    def sentence_ids(self) -> list[int]:
        """For each token, a number naming its sentence (tokens of one sentence share one)."""
        if not self.breaks:
            return [0] * len(self.roots)
        return [bisect_right(self.breaks, i) for i in range(len(self.roots))]



@dataclass(frozen=True, slots=True)
class Match:
    """A span of an article that matches a theme, with its score and the terms that made it."""

    article_id: str
    theme: str
    start: int
    end: int
    score: float
    terms: tuple[str, ...]
    paragraph: int  # index of the paragraph in Segmented.paragraphs


# --- The briefing (the template context) ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Source:
    """An article cited in the briefing, numbered in reading order."""

    id: str = doc("Citation id, 'S1', 'S2', ... in order of first citation.")
    number: int = doc("The citation number shown to readers (1, 2, ...).")
    path: str = doc("Path of the source file: relative to the working directory when under it.")
    title: str | None = doc("Headline of the article.")
    outlet: str | None = doc("Publication, when known.")
    byline: str | None = doc("Author(s), when known.")
    published: str | None = doc("Publication date 'YYYY-MM-DD', when known.")
    inferred: tuple[str, ...] = doc("Fields among title/outlet/byline/published inferred from "
                                    "text.")
    url: str | None = doc("URL of the article, when known.")
    encoding: str = doc("Encoding the file was decoded with; offsets index that decoding.")
    opening: str | None = doc("For an article without a title: its first words, which the "
                              "sources list shows (marked as its opening) instead of a title "
                              "guessed from the text; else None.", default=None)
    sha256: str | None = doc("SHA-256 of the file's bytes: its content, by which the next edition "
                             "tells what it already showed; None when unknown.", default=None)
    text_path: str | None = doc("For a source that is not plain text (a web page, an email, a "
                                "PDF): the reading text briefing extracted from it and wrote "
                                "beside the edition, which its offsets index; None for .txt/.md.",
                                default=None)
    latest: str | None = doc("For an undated source: the latest date it names (what the sources "
                             "list gives instead of a date); else None.", default=None)
    opinion: bool = doc("The article says it is its author's view (a disclaimer found in it).",
                        default=False)


@dataclass(frozen=True, slots=True)
class Cited:
    """A piece of verbatim source text with its exact citation: ``text == source[start:end]``."""

    text: str = doc("The verbatim text, exactly as in the source.")
    source: str = doc("Id of the Source it comes from ('S1').")
    path: str = doc("Path of the source file, as in Source.path.")
    start: int = doc("Start offset (Python string index) into the decoded source.")
    end: int = doc("End offset (exclusive).")
    id: str | None = doc("The id of a shown block ('e1' for a point of The essentials, "
                         "'security-lede'); None for a reference ('also reported by').",
                         default=None)
    attribution: str = doc("The source line as printed: outlet (or 'unknown outlet') and date "
                           "(or 'undated').", default="")
    cut_before: bool = doc("The span starts inside a source sentence (shown as '[…]').",
                           default=False)
    cut_after: bool = doc("The span ends inside a source sentence (shown as '[…]').",
                          default=False)
    also: tuple[Cited, ...] = doc("Other places reporting the same fact ('also reported by').",
                                  default=())


@dataclass(frozen=True, slots=True)
class Item:
    """One entry of a theme section: a passage or a quotation."""

    kind: str = doc("'passage' or 'quote'.")
    text: str = doc("The verbatim text; for a quote, the words without the quotation marks.")
    source: str = doc("Id of the Source it comes from ('S1').")
    path: str = doc("Path of the source file.")
    start: int = doc("Start offset into the decoded source.")
    end: int = doc("End offset (exclusive).")
    score: float = doc("Relevance score to the theme; higher is better.")
    why: tuple[str, ...] = doc("The theme terms that matched, in order of weight.")
    speaker: str | None = doc("For a quote: who said it (resolved name), else None.", default=None)
    cue: str | None = doc("For a quote: the reporting verb ('said'), else None.", default=None)
    also: tuple[Cited, ...] = doc("Other places reporting the same fact ('also reported by').",
                                  default=())
    id: str | None = doc("The item's id ('security-2'); every shown item has one.", default=None)
    attribution: str = doc("The source line as printed: outlet (or 'unknown outlet') and date "
                           "(or 'undated').", default="")
    cut_before: bool = doc("The span starts inside a source sentence (shown as '[…]').",
                           default=False)
    cut_after: bool = doc("The span ends inside a source sentence (shown as '[…]').",
                          default=False)
    see: str | None = doc("In Voices: the id of the item that shows this quotation in full, "
                          "when one does (then this entry only points to it).", default=None)
    new: bool | None = doc("True when the passage was not in the previous archived edition for the "
                           "same reader; False when it was, or when there is none to compare with "
                           "(the first edition, an unreadable one); None when built without the "
                           "archive.", default=None)


@dataclass(frozen=True, slots=True)
class Section:
    """The part of the briefing for one theme."""

    theme: str = doc("The theme's id from the config.")
    title: str = doc("The theme's display title.")
    description: str = doc("The theme's one-line description.")
    lede: Cited | None = doc("One sentence that opens the section, or None.")
    items: tuple[Item, ...] = doc("Items in the order shown, best first; may be empty.")
    empty_note: str | None = doc("The line shown when the section shows nothing (no lede, no "
                                 "items); None when it shows something.")
    in_summary: tuple[str, ...] = doc("Ids of the points of The essentials drawn from this "
                                      "theme, shown there instead of here.", default=())


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """A dated event mentioned in the briefing's articles."""

    date: str = doc("Normalised date: 'YYYY-MM-DD', 'YYYY-MM' or 'YYYY' per precision.")
    precision: str = doc("'day', 'month' or 'year'.")
    text: str = doc("A short verbatim clause around the date (at most about 25 words).")
    source: str = doc("Id of the Source.")
    path: str = doc("Path of the source file.")
    start: int = doc("Start offset into the decoded source.")
    end: int = doc("End offset (exclusive).")
    id: str | None = doc("The event's id ('t3').", default=None)
    attribution: str = doc("The source line as printed.", default="")
    cut_before: bool = doc("The clause starts inside its sentence (shown as '[…]').",
                           default=False)
    cut_after: bool = doc("The clause ends inside its sentence (shown as '[…]').",
                          default=False)
    see: str | None = doc("The id of the block that shows the whole sentence, when one does.",
                          default=None)


@dataclass(frozen=True, slots=True)
class Voice:
    """Someone quoted in the briefing's articles, with what they said."""

    speaker: str = doc("The speaker's resolved name ('Sergey Lavrov', 'a diplomatic source').")
    quotes: tuple[Item, ...] = doc("Their quotations in source order: kind 'quote', or "
                                   "'passage' for a short one shown in its sentence; an entry "
                                   "with ``see`` points to the item that shows it.")
    role: Cited | None = doc("Who they are, in an article's words: the role written beside "
                             "their full name ('Russian foreign minister'), cited; None when "
                             "no article gives one, or the speaker is not a person.",
                             default=None)


@dataclass(frozen=True, slots=True)
class NotCited:
    """An article read that the edition cites nothing from, and why."""

    path: str = doc("Path of the article.")
    title: str | None = doc("Its headline, when known.")
    reason: str = doc("Why nothing of it is shown (its best candidate's fate).")


@dataclass(frozen=True, slots=True)
class Previous:
    """How an edition compares with the previous archived edition for the same reader (the
    latest one dated before it): what the masthead's "since the last edition" line says."""

    edition: str | None = doc("Date of the previous edition, 'YYYY-MM-DD'; None when this is the "
                              "first edition.")
    new_articles: int | None = doc("Articles in this edition's corpus that were not in the "
                                   "previous edition's (by content); None for the first edition "
                                   "or when that could not be told.")
    new_items: int = doc("How many of this edition's items are marked new.")
    problem: str | None = doc("Why the previous edition could not be compared with (damaged, "
                              "another schema), so nothing is marked new; else None.", default=None)


@dataclass(frozen=True, slots=True)
class Briefing:
    """One edition of the briefing: everything a template or writer needs, nothing more."""

    title: str = doc("The briefing's title from the config.")
    edition: str = doc("Edition date 'YYYY-MM-DD'.")
    generated_at: str = doc("When it was built, ISO 8601 with zone (fixed by SOURCE_DATE_EPOCH).")
    reader: str | None = doc("Reader profile id for a reader's edition, else None.")
    generator: dict[str, str] = doc("{'name': 'briefing', 'version': ...}.")
    config_sha256: str = doc("SHA-256 of the config file's bytes.")
    corpus: dict[str, object] = doc("{'articles': N, 'sha256': ...} over the articles considered.")
    sources: tuple[Source, ...] = doc("Every cited article, in citation order.")
    summary: tuple[Cited, ...] = doc("Executive summary: the most important points, verbatim.")
    sections: tuple[Section, ...] = doc("One section per theme, in config (or reader) order.")
    timeline: tuple[TimelineEvent, ...] = doc("Dated events in date order.")
    notes: tuple[str, ...] = doc("Remarks for the reader (e.g. undated articles kept by --since).")
    voices: tuple[Voice, ...] = doc("Who said what in the cited articles, most quoted first.",
                                    default=())
    not_cited: tuple[NotCited, ...] = doc("Articles with passages on a theme that the edition "
                                          "does not cite, each with the reason.", default=())
    coverage: dict[str, int | str | None] = doc(
        "What the edition covers: {'articles', 'cited', 'not_cited', 'without_candidates' (read, "
        "nothing on these themes), 'first', 'last' (the cited sources' dates), 'undated'}.",
        default_factory=dict)
    previous: Previous | None = doc("The comparison with the previous archived edition for the "
                                    "same reader; None when built without the archive.",
                                    default=None)
