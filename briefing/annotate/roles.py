"""Who a speaker is, in the article's own words: the role written beside a person's full name.

Voices names each speaker by the fullest name the article gives; a reader also needs to know
who that is ("Timofey Boikov" says little; "Head of the Second Asian Department of the Russian
Foreign Ministry" says why he matters). The role is never written by briefing: it is a span of
the article, cited like every other, found in one of two places around a mention of the name:

- **the appositive after it**: ``Timofey Boikov, Head of the Second Asian Department of the
  Russian Foreign Ministry, expressed ...`` -> the words between the commas (less a leading
  "a", "an" or "the"), when a role word (``head``, ``minister``, ``deputy`` ...) is among
  their first five;
- **a description before it**, opening its sentence and set off by a comma: ``The head of the
  CSTO Joint Staff, Colonel-General Anatoly Sidorov, noted`` -> "head of the CSTO Joint Staff"
  (its first word, after an article, a role word; as good as an appositive after the name);
- **the title before it**: ``Russian foreign minister Sergey Lavrov`` -> the words before the
  name back to a function word or a stop, when the last of them is a role word.

The appositive is preferred (it is the article's description); a role longer than
``MAX_WORDS`` is cut at its last ``and`` that leaves a role of at least three words (``the
Russian president's special representative for Afghanistan and director of ...``), or not
given. Organisations and descriptions ("the Russian Foreign Ministry", "a diplomatic source")
are not people and get no role.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from briefing.annotate.names import TITLE_WORDS, is_org
from briefing.annotate.words import (
    ADVERBS,
    CUES,
    DETS,
    MONTHS_DAYS,
    PREPS,
    PRONOUNS_SUBJ,
    SUBORD,
    VERBS,
)

MAX_WORDS = 12  # a role of more words is cut at an "and", or not given
HEAD_WITHIN = 5  # an appositive's role word among its first words
_HEADS = TITLE_WORDS | {"diplomat", "envoy", "official", "spokesperson", "adviser", "advisor",
                        "negotiator", "emissary", "premier", "colonel-general",
                        "lieutenant-general", "major-general"}
_WORD = re.compile(r"[^\W_]+(?:[’'\-][^\W_]+)*")
# The appositive: ", " then a phrase up to a comma, a stop, a bracket or a quotation mark.
_APPOSITIVE = re.compile(r",\s+([^,.;:()\[\]“”\"—–\n]{3,200}?)\s*(?=[,.;:)—–]|$)")
# Lower-case words a title in capitals may open with ("former Home Secretary").
_MODIFIERS = {"former", "ex", "deputy", "acting", "new", "interim", "shadow", "outgoing",
              "incoming", "junior", "senior", "chief", "assistant", "then", "late"}
_CLAUSE = {"who", "which", "whose", "whom", "that", "where", "when", "while", "until"}
# An office written in lower case right before a capitalised name: someone else's title.
_ANOTHER_PERSON = re.compile(
    r"\b(?:" + "|".join(sorted(map(re.escape, _HEADS), key=len, reverse=True)) +
    r")\s+[A-Z][\w’'-]+\s+[A-Z][\w’'-]+")
_NOT_A_ROLE = {"who", "which", "that", "whose", "said", "says", "told", "added", "noted",
               "stated", "and", "but", "while", "when", "as", "according", "in", "on", "at"}
# Words that end a title before a name, and an appositive after it where a comma is missing
# ("chief of BT's new unit told the forum"): a clause's small words, verbs of saying.
_STOP = PREPS | SUBORD | VERBS | DETS | ADVERBS | CUES | PRONOUNS_SUBJ | {
    "of", "or", "said", "says", "told", "met", "including", "both", "now", "however",
    "meanwhile", "according", "not"}


def role_span(text: str, name: str) -> tuple[int, int] | None:
    """The offsets of the role ``text`` writes beside the person ``name`` (its full name, as a
    speaker is resolved): the first of :func:`role_spans`, or None."""
    return next(role_spans(text, name), None)


def role_spans(text: str, name: str) -> Iterator[tuple[int, int]]:
    """Every role ``text`` writes beside the person ``name``, best first: each appositive, in
    the order of the mentions, then each title; nothing when ``name`` is not a person's."""
    if not _a_persons_name(name):
        return
    at = _mentions(text, name)
    for start in at:  # the article's description first, at any mention; then a title
        span = _after(text, start + len(name)) or _leading(text, start)
        if span is not None:
            yield span
    for start in at:
        span = _before(text, start)
        if span is not None:
            yield span


def _a_persons_name(name: str) -> bool:
    words = name.split()
    return (len(words) >= 2 and all(w[:1].isupper() for w in words)
            and words[0].lower() not in {"the", "a", "an"} and not is_org(name))


def _mentions(text: str, name: str) -> list[int]:
    pattern = re.compile(rf"(?<![\w’'-]){re.escape(name)}(?![\w’'-])")
    return [m.start() for m in pattern.finditer(text)]


def _after(text: str, end: int) -> tuple[int, int] | None:
    m = _APPOSITIVE.match(text, end, min(len(text), end + 240))
    if m is None:
        return None
    words = list(_WORD.finditer(m.group(1)))
    if len(words) < 2 or words[0].group().lower() in _NOT_A_ROLE:
        return None
    if _ANOTHER_PERSON.search(m.group(1)):
        return None  # "chief financial officer Brian Dunne and ...": other people, listed
    end_at = next((k for k, w in enumerate(words)
                   if k >= 2 and (w.group() in CUES or w.group() in _CLAUSE)), None)
    words = words[:end_at]  # the appositive ends before a verb of saying or a clause
    if not any(w.group().lower() in _HEADS for w in words[:HEAD_WITHIN]):
        return None
    if words[0].group().lower() in {"a", "an", "the"}:
        words = words[1:]  # "a political affairs analyst" -> "political affairs analyst"
    base = m.start(1)
    if len(words) > MAX_WORDS:
        ands = [w for w in words[3:MAX_WORDS + 1] if w.group() == "and"]
        if not ands:
            return None
        last = words[words.index(ands[-1]) - 1]
        return base + words[0].start(), base + last.end()
    return base + words[0].start(), base + words[-1].end()


# A description that opens its sentence or clause, then a comma, then the name (and maybe its
# title): "The head of the CSTO Joint Staff, Colonel-General Anatoly Sidorov, said".
_LEADING = re.compile(r"(?:^|(?<=[.!?;:\n])\s*|(?<=[.!?;:\n]))([^,.;:!?\n“”\"()]{3,120}),\s+$")


def _leading(text: str, start: int) -> tuple[int, int] | None:
    """The description before the name, across a comma (and a title written with the name)."""
    title = _before(text, start)
    at = title[0] if title is not None else start
    head = text[max(0, at - 140):at]
    m = _LEADING.search(head)
    if m is None or (at - 140 > 0 and m.start(1) == 0):
        return None  # no sentence or clause start within reach
    words = list(_WORD.finditer(m.group(1)))
    if words and words[0].group().lower() in {"a", "an", "the"}:
        words = words[1:]
    if not 1 <= len(words) <= MAX_WORDS or words[0].group().lower() not in _HEADS:
        return None
    if any(w.group() in CUES or w.group().lower() in VERBS for w in words):
        return None
    base = at - len(head) + m.start(1)
    return base + words[0].start(), base + words[-1].end()


def _inside_a_phrase(words: list[re.Match[str]], first: int) -> bool:
    """Whether the title's first word only ends a longer phrase the title is a part of: "The
    Passion of the Christ director Mel Gibson" is not a "Christ director"."""
    before = [w.group().lower() for w in words[max(0, first - 2):first]]
    return "of" in before or (before[-1:] == ["the"] and words[first].group()[:1].isupper()
                              and first >= 2 and words[first - 2].group()[:1].isupper())


def _before(text: str, start: int) -> tuple[int, int] | None:
    head = text[max(0, start - 120):start]
    if not head.endswith(" "):
        return None
    words = list(_WORD.finditer(head))
    if not words or words[-1].end() != len(head) - 1 or words[-1].group().lower() not in _HEADS:
        return None
    first = len(words) - 1
    while first > 0 and len(words) - first < 6:
        prev, here = words[first - 1], words[first]
        gap = head[prev.end():here.start()]
        low = prev.group().lower()
        if gap != " " or low in _STOP or low in MONTHS_DAYS:
            break
        if prev.group()[:1].islower() and here.group()[:1].isupper() and low not in _MODIFIERS:
            break  # "allow Home Secretary": a word of the sentence before a title in capitals
        first -= 1
    gap = head[:words[first].start()]
    if gap.strip() and not re.search(r"(?:^|[\s(“\"])$", gap):
        return None
    offset = start - len(head)
    if words[first].group().lower() in _STOP:
        return None
    if _inside_a_phrase(words, first):
        return None
    return offset + words[first].start(), offset + words[-1].end()
