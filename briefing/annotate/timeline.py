"""Dated events: sentences that say when something happened, with the date normalised.

A date is taken as precisely as the text and the article's own date allow, never more:

- "February 14, 2003", "on July 8, 2021" -> day; "in June 2020", "early July 2021" -> month;
  "in 1995", "since 2017" -> year. "May" is the month only capitalised ("May 9", "in May").
- A month and day without a year ("On July 9") take the year written elsewhere in the same
  sentence ("On July 8, 2021, ... and on July 9"); failing that, they resolve against the
  article's publication date: to the nearest such day (within six months, either side), unless
  the sentence's tense says which side ("would halt crossings on March 10" in a 3 March 2026
  story is the coming 2026-03-10; "met on March 10" in it is the past one, 2025-03-10). Without
  a year in the sentence or an article date, the event is left out: a timeline cannot place it.
- Relative dates resolve against the article's publication date in the same way, and only when
  it is known (an undated article's "on Monday" is left out): a weekday ("on Wednesday") is the
  coming one in a future-tense sentence, the last one (the day itself included) in a past-tense
  one, the nearest otherwise; "last Wednesday" / "next Wednesday" the one before / after the
  article's day. "In August" is the nearest August (month) or the side its tense says, "last
  December" / "next March" the one before / after the article's month, "this March" the
  article's year's. "Last week" is the previous week (shown as its month when the week lies in
  one month), "next week" the following one; "last year" / "next year" the year before / after.
- Tense is read from the clause the date is in (a clause ends at ';', ':', a dash, "and",
  "but", "while"): the nearest marker before the date ("will", "would", "is to", "expected",
  "scheduled", "next" for the future; "was", "had", "met", a verb in -ed for the past; not a
  participle after "be" or "the"), else the first after it. The day itself counts on either
  side ("will meet on Tuesday" in a Tuesday story is that day), and whatever the tense, a date
  is at most a year from the article's (a weekday at most a week). A reporting verb dates the
  telling: it counts just before the date ("said on Monday") but not after it ("Talks resume on
  March 10, he said") nor before a clause of its own ("said it expects a meeting on May 21").
  Telling a participle from a verb needs a parser ("will play at the concert, held on March
  19" reads as past): the labelled cases keep such misses as known failures.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from briefing.models import Article, Segmented

MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], 1)}
_ABBR = {m[:3]: i for m, i in MONTHS.items()} | {"sept": 9}
WEEKDAYS = {d: i for i, d in enumerate(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}

_MONTH = (r"(?P<month>January|February|March|April|May|June|July|August|September|October"
          r"|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?")
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:1[89]|20)\d\d)"

# A weekday that names a paper or a programme ("the Sunday Telegraph") is no date.
_TITLES = (r"(?:Times|Telegraph|Mirror|Express|Herald|Post|Mail|Tribune|Independent|Sport|People"
           r"|Night)\b")

PATTERNS = [
    ("mdy", re.compile(rf"\b{_MONTH}\s+{_DAY}(?:\s*[-–]\s*"
                       rf"(?:{_MONTH[:-3].replace('?P<month>', '?:')})?\s*\d{{1,2}})?"
                       rf",?\s+{_YEAR}\b")),
    ("dmy", re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b")),
    ("my", re.compile(rf"\b{_MONTH},?\s+(?:of\s+)?{_YEAR}\b")),
    ("md", re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?!\s*,?\s*(?:1[89]|20)\d\d)(?![\d:])")),
    ("dm", re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}\b(?!,?\s*(?:of\s+)?(?:1[89]|20)\d\d)")),
    ("iso", re.compile(r"\b(?P<year>(?:1[89]|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b")),
    ("weekday", re.compile(r"\b(?:on\s+|(?P<rel>(?i:last|next))\s+)?(?P<weekday>Monday|Tuesday"
                           rf"|Wednesday|Thursday|Friday|Saturday|Sunday)\b(?!\s+{_TITLES})")),
    ("lastweek", re.compile(r"\b(?P<rel>last|next|earlier this|this)\s+week\b", re.I)),
    ("relmonth", re.compile(rf"\b(?P<rel>(?i:last|next|this))\s+{_MONTH}\b(?!\s+[0-3]?\d\b)"
                            r"(?!,?\s+(?:1[89]|20)\d\d)")),
    ("inmonth", re.compile(rf"\b(?:in|since|until|by|early|late|mid-?)\s+{_MONTH}\b"
                           r"(?!\s+[0-3]?\d\b)(?!,?\s+(?:1[89]|20)\d\d)", re.I)),
    ("lastyear", re.compile(r"\b(?P<rel>last|this|next)\s+year\b", re.I)),
    ("year", re.compile(rf"\b(?:in|since|of|by|until|from|during)\s+{_YEAR}\b(?![-–]\d)", re.I)),
]


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date found in a sentence: normalised ISO text, its precision, and where it was."""

    date: str
    precision: str  # "day" | "month" | "year"
    start: int
    end: int


def _month(name: str) -> int:
    low = name.lower().rstrip(".")
    return MONTHS.get(low) or _ABBR[low[:4] if low.startswith("sept") else low[:3]]


def _valid(y: int, m: int, d: int) -> bool:
    try:
        dt.date(y, m, d)
    except ValueError:
        return False
    return True


# --- Tense: which side of the article's date a date without a year is on --------------------

_FUTURE = (r"will|won't|shall|would|wouldn't|'ll|going\s+to|(?:is|are|am|was|were)\s+to"
           r"|(?:set|slated|poised|planning|plans?|intends?|aims?)\s+to"
           r"|scheduled|planned|expected|due|payable|upcoming|forthcoming|next|coming")
_PAST = (r"was|were|had|did|wasn't|weren't|hadn't|didn't|ha(?:s|ve)\s+(?!to\b)(?:been|\w+ed)"
         r"|ago|earlier|previous|previously|since")
# Common irregular past forms (a regular one ends in -ed). Forms that are also the present
# ("put", "set", "read", "hit", "cut") tell nothing and are left out.
_IRREGULAR = frozenset("""arose ate awoke became began bent bit bled blew bore bought bred broke
    brought built caught chose came dealt drank drew drove dug fed fell felt fled flew forbade
    forgave forgot fought found froze gave got grew heard held hid hung kept knelt knew laid led
    left lent lit lost made meant met overtook paid ran rang rose said sang sank sat saw sent
    shook shot slept sold sought spent spoke sped stood stole strove struck swam swept swore
    taught thought threw told took tore underwent understood upheld withdrew withheld woke won
    wore wrote""".split())
# Words in -ed that are not a verb's past: participles used as adjectives ("the armed
# forces", "so-called") and words that merely end so ("hundred", "proceed").
_NOT_PAST = frozenset("""armed based called concerned detailed advanced alleged experienced
    interested limited mixed qualified related skilled supposed united used named hundred
    sacred naked wicked kindred rugged ragged beloved crooked jagged""".split())
_PAST_EED = frozenset("agreed freed decreed guaranteed".split())  # not "proceed", "indeed"
# After these an -ed word is an adjective ("the planned talks") or a passive participle whose
# tense is its auxiliary's ("will be closed": the verb is "will").
_NOT_A_VERB_AFTER = frozenset("""a an the its their his her our my your this that these those so
    well be been being is are am was were""".split())
# Verbs that date the telling, not the event told (see ``_tense``).
_REPORTING = frozenset("""said told added stated noted announced reported claimed explained
    warned stressed emphasized emphasised confirmed insisted argued wrote asked replied""".split())
REPORTING_REACH = 3  # words between a reporting verb and the date it dates: "told reporters on"
_MARKER = re.compile(rf"\b(?:(?P<future>{_FUTURE})|(?P<past>{_PAST})|(?P<word>[a-z]+))\b", re.I)
_CLAUSE_END = re.compile(r"[;:—–]|\s-\s|\b(?:and|but|while|whereas)\b")


@dataclass(frozen=True, slots=True)
class _Marker:
    start: int
    end: int
    tense: str  # "future" | "past"
    reporting: bool


def _markers(sentence: str) -> list[_Marker]:
    """The words of a sentence that say its verbs' tense, in order."""
    out: list[_Marker] = []
    prev = ""
    for m in _MARKER.finditer(sentence):
        word = m.group().lower()
        if m.group("future"):
            out.append(_Marker(m.start(), m.end(), "future", False))
        elif m.group("past"):
            out.append(_Marker(m.start(), m.end(), "past", False))
        elif m.group().islower() and prev not in _NOT_A_VERB_AFTER and (
                word in _IRREGULAR or _regular_past(word)):
            # lower case only: "Met Office", "Khaled", "Mohammed" are names
            out.append(_Marker(m.start(), m.end(), "past", word in _REPORTING))
        if not word.endswith("ly"):  # "be officially opened": the word before the adverb
            prev = word
    return out


def _regular_past(word: str) -> bool:
    """Whether ``word`` is a verb's past in -ed."""
    if not word.endswith("ed") or len(word) <= 4 or word in _NOT_PAST:
        return False
    return not word.endswith("eed") or word in _PAST_EED


def _tense(sentence: str, markers: list[_Marker], a: int, b: int) -> str | None:
    """The tense of the clause holding ``sentence[a:b]``: its nearest marker before, else its
    first after; None when the clause has neither. A reporting verb dates the telling, so it
    counts only just before the date ("said on Tuesday", "told reporters on Monday"), not
    before a clause of its own ("said it expects a meeting around May 21") nor after the date
    ("Talks resume on March 10, he said")."""
    lo = max((m.end() for m in _CLAUSE_END.finditer(sentence, 0, a)), default=0)
    end = _CLAUSE_END.search(sentence, b)
    hi = end.start() if end else len(sentence)
    before = [k for k in markers if lo <= k.start and k.end <= a and not (
        k.reporting and len(sentence[k.end:a].split()) > REPORTING_REACH)]
    if before:
        return before[-1].tense
    after = [k for k in markers if b <= k.start and k.end <= hi and not k.reporting]
    return after[0].tense if after else None


def _choose(candidates: Iterable[int], ref: int, side: str | None) -> int | None:
    """Of ``candidates`` (days or months, as numbers), the one ``side`` of ``ref`` closest to
    it: "future" on or after, "past" on or before, "next" after, "last" before; None: the
    nearest (the earlier of two as near)."""
    keep = {"future": lambda c: c >= ref, "past": lambda c: c <= ref, "next": lambda c: c > ref,
            "last": lambda c: c < ref}.get(side or "", lambda c: True)
    pool = [c for c in candidates if keep(c)]
    return min(pool, key=lambda c: (abs(c - ref), c)) if pool else None


def _day_near(m: int, d: int, ref: dt.date, side: str | None) -> dt.date | None:
    """Month ``m`` day ``d`` in the year before, of or after ``ref``'s, as ``_choose`` picks."""
    days = [dt.date(y, m, d).toordinal() for y in (ref.year - 1, ref.year, ref.year + 1)
            if _valid(y, m, d)]
    best = _choose(days, ref.toordinal(), side)
    return dt.date.fromordinal(best) if best is not None else None


def _month_near(m: int, ref: dt.date, side: str | None) -> int | None:
    """The year of month ``m`` nearest ``ref``'s month (or on the side given)."""
    here = ref.year * 12 + ref.month - 1
    years = [y for y in (ref.year - 1, ref.year, ref.year + 1) if dt.MINYEAR <= y <= dt.MAXYEAR]
    best = _choose([y * 12 + m - 1 for y in years], here, side)
    return best // 12 if best is not None else None


def _weekday_near(weekday: int, ref: dt.date, side: str | None) -> dt.date | None:
    """The ``weekday`` (0 is Monday) in the week before, of or after ``ref``, as ``_choose``
    picks: at most a week from ``ref``."""
    day = ref.toordinal() + weekday - ref.weekday()
    days = [d for d in (day - 7, day, day + 7) if 1 <= d <= dt.date.max.toordinal()]
    best = _choose(days, ref.toordinal(), side)
    return dt.date.fromordinal(best) if best is not None else None


_RELATIVE = frozenset({"md", "dm", "weekday", "inmonth", "relmonth"})  # where tense can decide


def find_dates(text: str, start: int, end: int, published: dt.date | None) -> list[DateMention]:
    """Every date mentioned in ``text[start:end]`` that can be placed, in order of appearance."""
    sentence = text[start:end]
    years = {int(m.group()) for m in re.finditer(r"\b(?:1[89]|20)\d\d\b", sentence)}
    sentence_year = next(iter(years)) if len(years) == 1 else None
    markers: list[_Marker] | None = None  # read once, when a date needs the tense
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in PATTERNS:
        for m in pattern.finditer(sentence):
            a, b = m.start(), m.end()
            if any(a < e and s < b for s, e in taken):
                continue
            tense = None
            if published is not None and kind in _RELATIVE:
                markers = _markers(sentence) if markers is None else markers
                tense = _tense(sentence, markers, a, b)
            mention = _resolve(kind, m, sentence_year, published, tense)
            if mention is None:
                continue
            date, precision = mention
            taken.append((a, b))
            found.append(DateMention(date, precision, start + a, start + b))
    found.sort(key=lambda d: d.start)
    return found


def _resolve(kind: str, m: re.Match[str], sentence_year: int | None,
             published: dt.date | None, tense: str | None) -> tuple[str, str] | None:
    """The ISO date and precision of one match of the pattern ``kind``, or None when it cannot
    be placed: a year from the text first, else the article's date and the clause's tense."""
    g = m.groupdict()
    if g.get("month") and g["month"].islower():
        return None  # "in may": the verb (a month is capitalised: "May 9", "in May")
    if kind in ("mdy", "dmy", "iso"):
        y = int(g["year"])
        mo = int(g["month"]) if kind == "iso" else _month(g["month"])
        d = int(g["day"])
        return (f"{y:04d}-{mo:02d}-{d:02d}", "day") if _valid(y, mo, d) else None
    if kind == "my":
        return f"{int(g['year']):04d}-{_month(g['month']):02d}", "month"
    if kind == "year":
        return f"{int(g['year']):04d}", "year"
    if kind in ("md", "dm"):
        mo, d = _month(g["month"]), int(g["day"])
        if sentence_year is not None:
            return (f"{sentence_year:04d}-{mo:02d}-{d:02d}", "day") \
                if _valid(sentence_year, mo, d) else None
        day = _day_near(mo, d, published, tense) if published is not None else None
        return (day.isoformat(), "day") if day is not None else None
    if kind == "inmonth" and sentence_year is not None:
        return f"{sentence_year:04d}-{_month(g['month']):02d}", "month"
    if published is None:
        return None  # everything below is relative to the article's date
    rel = (g.get("rel") or "").lower()
    if kind in ("inmonth", "relmonth"):
        mo = _month(g["month"])
        since = m.group().lower().startswith("since")  # "since August": the past one
        side = {"last": "last", "next": "next"}.get(rel, "past" if since else tense)
        year = published.year if rel == "this" else _month_near(mo, published, side)
        return (f"{year:04d}-{mo:02d}", "month") if year is not None else None
    if kind == "weekday":
        day = _weekday_near(WEEKDAYS[g["weekday"].lower()], published, rel or tense)
        return (day.isoformat(), "day") if day is not None else None
    if kind == "lastweek":
        if rel not in ("last", "next") or not dt.MINYEAR < published.year < dt.MAXYEAR:
            return None  # "this week": the publication week, no event date to add
        monday = published - dt.timedelta(days=published.weekday() + (7 if rel == "last" else -7))
        sunday = monday + dt.timedelta(days=6)
        if (monday.year, monday.month) == (sunday.year, sunday.month):
            return f"{monday.year:04d}-{monday.month:02d}", "month"
        return None
    if kind == "lastyear":
        y = published.year + {"last": -1, "this": 0, "next": 1}[rel]
        return (f"{y:04d}", "year") if dt.MINYEAR <= y <= dt.MAXYEAR else None
    return None


PRECISION_RANK = {"day": 3, "month": 2, "year": 1}
LEAD_CHARS = 60  # a date this close to the start of its sentence "leads" it


@dataclass(frozen=True, slots=True)
class Event:
    """A sentence that dates an event: the sentence's span and the (first) date it gives."""

    article_id: str
    start: int
    end: int
    date: str
    precision: str
    lead: int = 0  # how far into the sentence the date is: "On July 8, 2021, ..." leads with it


def events(article_id: str, text: str, sentences: Iterable[tuple[int, int]],
           published: str | None) -> Iterator[Event]:
    """The dated sentences of one article (its body sentences), one event per sentence: the
    sentence's most precise date (the first among equals)."""
    ref = dt.date.fromisoformat(published) if published else None
    for s, e in sentences:
        dates = find_dates(text, s, e, ref)
        if dates:
            best = max(dates, key=lambda d: (PRECISION_RANK[d.precision], -d.start))
            yield Event(article_id, s, e, best.date, best.precision, best.start - s)


def article_events(article: Article, seg: Segmented) -> list[Event]:
    """The dated sentences of one article (its body sentences): what the timeline chooses
    from. They depend on the article alone, so the store keeps them (``annotations``)."""
    sentences = [(x.start, x.end) for p in seg.body for x in p.sentences]
    return list(events(article.id, article.text, sentences, article.meta.published))


def select(candidates: Iterable[Event], limit: int,
           prefer: set[tuple[str, int, int]]) -> list[Event]:
    """At most ``limit`` events, one per date: the most precise first, sentences already shown
    in the briefing first among equals; for each date, the sentence that leads with it
    ("On July 8, 2021, the ministry ...", the article's earliest such); returned in date order
    (earliest first)."""

    def merit(ev: Event) -> tuple[int, bool, bool, int]:
        # a sentence that names its date early tells the event; among those, the article's
        # earliest (news puts the main event first)
        return (PRECISION_RANK[ev.precision], (ev.article_id, ev.start, ev.end) in prefer,
                ev.lead <= LEAD_CHARS, -ev.start)

    best: dict[str, Event] = {}
    for ev in candidates:
        old = best.get(ev.date)
        if old is None or merit(ev) > merit(old):
            best[ev.date] = ev
    ranked = sorted(best.values(), key=lambda ev: (-PRECISION_RANK[ev.precision],
                                                   (ev.article_id, ev.start, ev.end) not in prefer,
                                                   ev.date))
    return sorted(ranked[:limit], key=lambda ev: (ev.date, ev.article_id, ev.start))
