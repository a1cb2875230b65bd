"""The editor's rules for verbatim parts: every printed span stands alone, and every source is
labelled as a reader needs it.

Nothing here writes text. A span is only ever cut (at a word or clause boundary) or widened (to
the sentence before it); the cut is marked (``cut_before``/``cut_after``) so that renderers can
show "[…]", an editor's mark (told apart from the source's own "..."), not source text.

- **Openings that point back.** A reader meets each item on its own, so an item may not open on
  words that lean on text the reader has not seen. A detachable lead ("At the same time,",
  "True,", "Let me remind you that", "Anyway, one thing is clear:") is cut off; a subject that
  refers back ("This", "These", "He", "The next visit") takes the sentence before it along, when
  that one stands alone; otherwise the span cannot stand alone and is not shown.
- **Quotations** may open on "I" or "we": the speaker is named beside them. A quotation that
  opens pointing back loses its leading sentences (marked as cut) when the rest stands alone.
- **Short quotations** ("blockbuster.") say nothing on their own: they are shown inside the
  sentence that holds them, or not at all.
- **A clause around a date** for the timeline: at most about ``CLAUSE_WORDS`` words of the
  sentence, cut at clause boundaries, keeping the date.
- **Attribution**: the outlet (or "unknown outlet") and the date (or "undated") of a source, the
  label every cited block carries.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from briefing.models import ArticleMeta

CLAUSE_WORDS = 25  # a timeline clause at most this many words (the whole sentence up to 30)
SHORT_QUOTE_WORDS = 5  # a quotation of fewer words is shown inside its sentence
MIN_WORDS = 6  # what is left after a cut must still be a statement

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")

# Leads that can be cut off a sentence's start: connectives and asides that tie the sentence
# to what came before, each followed by a comma (or, for the four conjunctions, a space).
_LEAD_WORDS = (
    r"at the same time|true|in general|of course|anyway|however|meanwhile|nevertheless|"
    r"nonetheless|moreover|furthermore|in addition|additionally|besides|also|still|indeed|"
    r"in fact|in short|in other words|likewise|similarly|instead|otherwise|thus|hence|"
    r"therefore|consequently|as a result|for this reason|on the other hand|by contrast|"
    r"in turn|after all|above all|first|second|third|finally|lastly|again|notably|"
    r"importantly|admittedly|naturally|then|now|so|yet|but|"
    r"and|or|well|ok|okay|anyhow|all the same|even so|that said|having said that|"
    r"for example|for instance|in particular|specifically|in any case|at any rate|in sum|"
    r"to sum up|in conclusion|ultimately|essentially|basically|frankly|honestly"
)
_LEAD = re.compile(rf"(?:(?:{_LEAD_WORDS})\s*,\s*)+", re.I)
_CONJUNCTION = re.compile(r"(?:but|and|so|yet|or|nor|plus|also)\s+(?=\w)", re.I)
# Hedges ("It appears that", "Perhaps") are the writer's doubt, never cut: a cut would make a
# guess read as a fact. What follows a hedge is read as the opening.
_HEDGE = re.compile(r"(?:(?:perhaps|maybe|probably|possibly|apparently|evidently|seemingly|"
                    r"reportedly|allegedly|presumably)\s*,?\s+|it (?:appears|seems|seemed|"
                    r"appeared) (?:that\s+)?)", re.I)
# References a few words in: "the neighbouring province", "need this in order to": each leans
# on a sentence not shown. (A mild "also" or "Another exercise" still reports a whole fact.)
_EARLY_REFERENCE = re.compile(
    r"^(?:(?:\S+\s+){0,6}?the\s+(?:neighbou?ring|aforementioned|above|said)\s|"
    r"(?:\S+\s+){0,6}?(?:this|these|those)(?=\s+(?:in|is|was|are|were|to|for|and|of|as|at|by|"
    r"with|on)\b|\s*[,.;:]))", re.I)
_LEAD_CLAUSE = re.compile(
    r"(?:let me (?:remind you|recall|note|add|say)|let us (?:recall|remember|note)|"
    r"let's (?:recall|remember|not forget|start with the fact)|recall|remember|"
    r"it (?:should|must) be (?:noted|said|recalled|remembered)|"
    r"it is (?:worth|important) (?:noting|recalling|remembering|to note|to recall)|"
    r"it (?:turns out|emerged|is (?:clear|known|understood|reported|said|believed)|"
    r"was (?:reported|announced|said|known|clear))|note|notice|mind you|we (?:know|recall))"
    r"\s+that\s+", re.I)
# Subjects that refer back and cannot be cut away: the sentence needs the one before it.
_POINTING = re.compile(
    r"(?:this|these|those|that|such|he|she|they|them|him|his|her|hers|their|theirs|its|"
    r"there(?=\s*,)|here|thereby|thereafter|whereupon|both|neither|either|why|about what|"
    r"the (?:next|same|former|latter|previous|following|other|move|decision|remarks|comments|"
    r"statement|two|three|four|rest|others)|"
    r"the (?:issue|question|matter|answer|reason|idea|step|plan|deal|visit|trip|situation)\b"
    r"(?!\s+(?:of|in|on|at|with|between|for)\b)|"
    r"after that|before that|since then|until then|by then|at that time|at the time|"
    r"in (?:that|this) (?:case|regard)|to this end|for (?:this|that) reason|despite (?:this|that)|"
    r"because of (?:this|that)|as such|if so|if not|immediately after|soon after|"
    r"shortly after|later that|earlier that)\b", re.I)
# "It" refers back, except in "it is clear that", "it's hard to", "it seems likely": the
# expletive it, which points forward.
_IT = re.compile(r"it\b(?:\s*['’]s|\s+(?:is|was|has been|had been|will be|would be|may be|"
                 r"might be|could be|seems|seemed|appears|appeared|remains|remained|became|"
                 r"takes|took|costs))?", re.I)
_EXPLETIVE = re.compile(
    r"\s+(?:\w+\s+){0,3}?(?:that|to|for|whether|if|when|how|why|what|who|unclear|clear|"
    r"likely|unlikely|possible|impossible|important|crucial|vital|necessary|essential|hard|"
    r"difficult|easy|time|common|rare|true|false|worth)\b", re.I)
_ANOTHER = re.compile(r"\s+(?:\w+\s+)?(?:another|other|the same|different|no different)\b", re.I)
_FIRST_PERSON = re.compile(r"(?:i|we|my|our|us|me)\b|(?:i|we)['’](?:m|re|ve|d|ll)\b", re.I)
# The writer's comment before the fact ("the situation is interesting - on February 14,
# 2003, ...", "one thing is clear: Russia ..."): a few plain words and a dash or colon.
_HINGE = re.compile(r"\s[-–—]\s|:\s")
_HINGE_WORDS = 6


@dataclass(frozen=True, slots=True)
class Cut:
    """A span chosen to stand alone: offsets into the article, and whether either end was cut
    inside the source's sentence (a renderer shows "[…]" there)."""

    start: int
    end: int
    cut_before: bool = False
    cut_after: bool = False


def words(text: str, start: int = 0, end: int | None = None) -> int:
    """How many words ``text[start:end]`` holds."""
    return len(_WORD.findall(text, start, len(text) if end is None else end))


def points_back(text: str, start: int, *, quote: bool = False) -> bool:
    """Whether the text from ``start`` opens on words that lean on what came before it. In a
    quotation, the speaker's "I" and "we" do not: the speaker is named beside it."""
    at = _skip_marks(text, start)
    hedge = _HEDGE.match(text, at)
    if hedge:
        at = _skip_marks(text, hedge.end())
    if _FIRST_PERSON.match(text, at):  # the speaker's own voice, named beside a quotation;
        return not quote               # in a passage, an "I" nobody has introduced
    if _LEAD.match(text, at) or _CONJUNCTION.match(text, at) or _LEAD_CLAUSE.match(text, at) \
            or _POINTING.match(text, at):
        return True
    if not quote and _EARLY_REFERENCE.match(text[at:at + 160]):
        return True
    it = _IT.match(text, at)
    if not it:
        return False
    expletive = it.end() > at + 2 and _EXPLETIVE.match(text, it.end())
    return not expletive or bool(_ANOTHER.match(text, it.end()))  # "it's another matter that"


def _skip_marks(text: str, at: int) -> int:
    while at < len(text) and (text[at].isspace() or text[at] in "\"'“”‘’«»(-–—…"):
        at += 1
    return at


def _past_leads(text: str, start: int, end: int) -> int:
    """Where the sentence goes on after its detachable leads (connectives, "Let me remind you
    that") and, after such a lead, the writer's comment before a dash or colon ("Anyway, one
    thing is clear: ..."); ``start`` when there are none."""
    at = _skip_marks(text, start)
    while True:
        m = _LEAD.match(text, at) or _CONJUNCTION.match(text, at) or _LEAD_CLAUSE.match(text, at)
        if not m or m.end() >= end:
            break
        at = _skip_marks(text, m.end())
    hinge = _HINGE.search(text, at, end)
    if hinge and at > _skip_marks(text, start) and words(text, at, hinge.start()) <= _HINGE_WORDS:
        before = _WORD.findall(text, at, hinge.start())
        if not any(w[0].isdigit() or (i and w[0].isupper()) for i, w in enumerate(before)):
            at = _skip_marks(text, hinge.end())
    return at if at > _skip_marks(text, start) else start


def standalone(text: str, start: int, end: int, sentences: Sequence[tuple[int, int]], *,
               quote: bool = False) -> Cut | None:
    """The span of ``text[start:end]`` that a reader can take on its own, or None.

    ``sentences`` are the sentence spans of the paragraph(s) the span lies in, in order (the
    sentence before ``start`` may be taken along). A quotation (``quote``) is never widened
    beyond its marks: it loses its leading sentences instead.
    """
    if not points_back(text, start, quote=quote):
        return Cut(start, end)
    cut = _past_leads(text, start, end)
    if cut != start and not points_back(text, cut, quote=quote) and \
            words(text, cut, end) >= MIN_WORDS:
        return Cut(cut, end, cut_before=True)
    inside = [s for s, _ in sentences if start < s < end]
    if not quote:
        before = [x for x in sentences if x[1] <= start]
        if before:  # the sentence before, when it stands alone, carries the reference
            widened = standalone(text, before[-1][0], end, before)
            if widened is not None and words(text, widened.start, end) <= 90:
                return widened
    for s in inside:  # else the span from its first sentence that stands alone
        at = _skip_marks(text, s)
        if not points_back(text, at, quote=quote) and words(text, at, end) >= MIN_WORDS:
            return Cut(at, end, cut_before=quote)
        cut = _past_leads(text, at, end)
        if cut != at and not points_back(text, cut, quote=quote) and \
                words(text, cut, end) >= MIN_WORDS:
            return Cut(cut, end, cut_before=True)
    return None


_CLAUSE_BREAK = re.compile(r",\s+|;\s+|:\s+|\s[-–—]\s|\s\((?=\w)|\)\s+")


def clause_around(text: str, start: int, end: int, at: int, at_end: int,
                  limit: int = CLAUSE_WORDS) -> Cut:
    """A short verbatim clause of the sentence ``text[start:end]`` holding the date mention at
    ``at:at_end``: the whole sentence (its leads cut) when it is at most ``limit`` + 5 words;
    else the run of clauses around the date, within ``limit`` words (+5 for one that begins the
    sentence, where the subject is): the one from the sentence's start preferred, then one that
    ends where the sentence pauses most (a dash, a semicolon, a colon: not a comma), then the
    longest; never one whose last clause is a stub of two words ("..., in March")."""
    lead = _past_leads(text, start, end) if points_back(text, start) else start
    lead = min(lead, at)
    if words(text, lead, end) <= limit + 5:
        return Cut(lead, end, cut_before=lead != start)
    bounds, after_comma, a, comma = [], [], lead, False
    for m in _CLAUSE_BREAK.finditer(text, lead, end):
        if m.start() > a:
            bounds.append((a, m.start()))
            after_comma.append(comma)
        a, comma = m.end(), m.group().startswith(",")
    if a < end:
        bounds.append((a, end))
        after_comma.append(comma)

    def pause(e: int) -> bool:  # the sentence pauses there: its end, a dash, ";" or ":"
        rest = text[e:end]
        return not rest.strip(" .!?\"'”’)") or bool(re.match(r"\s[-–—]\s|\s*[;:]", rest))

    home = next((i for i, (a, b) in enumerate(bounds) if at < b), len(bounds) - 1)
    best: tuple[tuple[bool, bool, int], int, int] | None = None
    for lo in range(home + 1):
        for hi in range(home, len(bounds)):
            s, e = bounds[lo][0], max(bounds[hi][1], at_end)
            n = words(text, s, e)
            if n > limit + (5 if lo == 0 else 0):
                break
            if not _balanced(text[s:e]):  # never end inside a parenthesis or a quotation
                continue
            if hi > lo and after_comma[hi] and words(text, *bounds[hi]) < 3 and \
                    hi < len(bounds) - 1 and bounds[hi][0] >= at_end:
                continue  # a two-word stub after a comma: "..., in March"
            key = (lo == 0, pause(e), n)
            if best is None or key > best[0]:
                best = (key, s, e)
    s, e = (best[1], best[2]) if best else (min(bounds[home][0], at), max(bounds[home][1], at_end))
    tail = text[e:end].strip(" .!?\"'”’)")
    return Cut(s, e, cut_before=s != start, cut_after=bool(tail))


def _balanced(span: str) -> bool:
    return span.count("(") == span.count(")") and span.count("“") == span.count("”")


def long_date(iso: str | None) -> str | None:
    """'2021-10-20' -> '20 October 2021', '2021-10' -> 'October 2021', else as given."""
    if not iso:
        return None
    months = ("January February March April May June July August September October November "
              "December").split()
    parts = iso.split("-")
    try:
        if len(parts) == 3:
            return f"{int(parts[2])} {months[int(parts[1]) - 1]} {int(parts[0])}"
        if len(parts) == 2:
            return f"{months[int(parts[1]) - 1]} {int(parts[0])}"
    except (ValueError, IndexError):
        return iso
    return iso


def attribution(meta: ArticleMeta, latest: str | None = None, opinion: bool = False) -> str:
    """The source line every cited block carries, short: outlet (or 'unknown outlet'), date (or
    'undated'), and 'opinion' for a source that says it is its author's view (a disclaimer the
    segmenter finds): 'Associated Press, 20 October 2021'. Every block of an undated source
    also gives the latest date the article names, when it names one: the only way a reader can
    place what it says ("today", "this week", or a claim that has since changed)."""
    line = f"{meta.outlet or 'unknown outlet'}, {long_date(meta.published) or 'undated'}"
    if not meta.published and latest:
        line += f" (latest date in it: {long_date(latest)})"
    if opinion:
        line += ", opinion"
    return line


def placeable(meta: ArticleMeta) -> bool:
    """Whether a reader can tell who published the source and when: an outlet or a byline, and
    a date. Only such a source opens the edition or a section while one has something to say."""
    return bool(meta.published and (meta.outlet or meta.byline))


def anonymous(meta: ArticleMeta) -> bool:
    """A source with no outlet, no byline and no date (a column copied without its masthead):
    cited, but it supplies at most a third of a section while others can fill it."""
    return not (meta.outlet or meta.byline or meta.published)
