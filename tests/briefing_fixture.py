"""A hand-built Briefing for the render tests, cut from the real seed articles at real offsets.

Every cited piece is located with ``str.index`` in the decoded seed file, so ``text ==
source[start:end]`` holds by construction and the fixture keeps the seeds' difficulties: curly
quotes, an outlet known only for one article, an inferred title, and an empty section.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from briefing.models import Briefing, Cited, Item, Section, Source, TimelineEvent

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"

_FILES = {
    "S1": "001_30d30edba93f37e1.txt",
    "S2": "000_441efcb03e5ccc3b.txt",
    "S3": "002_aa65c57779faa29c.txt",
    "S4": "004_0a2e121bb2eab9c8.txt",
}


def seed_text(name: str) -> str:
    """The seed file decoded as the contract says: UTF-8, no newline translation."""
    with open(SEEDS / name, encoding="utf-8", newline="") as handle:
        return handle.read()


def _span(sid: str, needle: str) -> tuple[str, int, int, str]:
    """(path, start, end, text) of ``needle`` in the source ``sid``; fails loudly if absent."""
    text = seed_text(_FILES[sid])
    start = text.index(needle)
    return f"seeds/{_FILES[sid]}", start, start + len(needle), needle


def cited(sid: str, needle: str) -> Cited:
    path, start, end, text = _span(sid, needle)
    return Cited(text=text, source=sid, path=path, start=start, end=end)


def passage(sid: str, needle: str, score: float, why: tuple[str, ...]) -> Item:
    path, start, end, text = _span(sid, needle)
    return Item(kind="passage", text=text, source=sid, path=path, start=start, end=end,
                score=score, why=why)


def quote(sid: str, needle: str, speaker: str | None, cue: str | None) -> Item:
    path, start, end, text = _span(sid, needle)
    return Item(kind="quote", text=text, source=sid, path=path, start=start, end=end, score=5.0,
                why=(), speaker=speaker, cue=cue)


def event(sid: str, date: str, precision: str, needle: str) -> TimelineEvent:
    path, start, end, text = _span(sid, needle)
    return TimelineEvent(date=date, precision=precision, text=text, source=sid, path=path,
                         start=start, end=end)


SOURCES = (
    Source(id="S1", number=1, path=f"seeds/{_FILES['S1']}",
           title="Russia hosts talks aimed at stabilising Afghanistan under the Taliban",
           outlet="Associated Press", byline="Vladimir Isachenkov", published=None,
           inferred=("title", "outlet", "byline"), url=None, encoding="utf-8"),
    Source(id="S2", number=2, path=f"seeds/{_FILES['S2']}",
           title="Russian Foreign Ministry Explained the purpose of Moscow’s talks "
                 "with the Taliban",
           outlet=None, byline=None, published=None, inferred=("title",), url=None,
           encoding="utf-8"),
    Source(id="S3", number=3, path=f"seeds/{_FILES['S3']}",
           title="Moscow developing ties with the Taliban: Russian foreign ministry",
           outlet="Example Afghan News", byline=None, published="2023-12-24", inferred=("title",),
           url="https://news.example.org/afghanistan/moscow-ties", encoding="utf-8"),
    Source(id="S4", number=4, path=f"seeds/{_FILES['S4']}", title=None, outlet=None, byline=None,
           published=None, inferred=(), url=None, encoding="utf-8"),
)


def seed_briefing() -> Briefing:
    """A small, realistic briefing: three themes (one empty), quotes, passages, sources."""
    security = Section(
        theme="security", title="Security", description="Terrorism, troops and borders.",
        lede=cited("S1", "Russia has vowed to provide military assistance to its ex-Soviet allies "
                         "in Central Asia to help counter the threats, and held a series of joint "
                         "drills in Uzbekistan and Tajikistan that neighbour Afghanistan."),
        items=(
            quote("S1", "Numerous terrorist groups, notably the Islamic State and al-Qaida are "
                        "trying to take advantage of the instability in the country mounting "
                        "bloody attacks,", "Sergey Lavrov", "said"),
            passage("S1", "Another sweeping military exercise in Tajikistan involving 5,000 troops,"
                          " more than 700 military vehicles and combat jets has started this week.",
                    6.2, ("troops", "military")),
            replace(passage("S2", "Kabulov noted that Moscow had expected several years ago that "
                                  "the situation in the region would worsen due to the withdrawal "
                                  "of U.S. troops from the country.", 4.8, ("troops", "security")),
                    also=(cited("S4", "Russia does not stake on the Taliban, Russia considers it "
                                      "necessary to speak with the Taliban, participate in a "
                                      "peaceful Afghan settlement, and logically strives to occupy"
                                      " its niche after the withdrawal of American troops."),)),
        ),
        empty_note=None,
    )
    diplomacy = Section(
        theme="diplomacy", title="Diplomacy", description="Talks, envoys and recognition.",
        lede=None,
        items=(
            quote("S3", "Russia is fostering relations with Kabul and the interim government. We "
                        "believe that the Taliban is capable of reaching agreements, asserting "
                        "their full control over the country. Our objective is to establish "
                        "equitable relations for the sake of trade and economic collaboration,",
                  "Timofey Boikov", None),
            passage("S1", "Russia hosted talks on Afghanistan on Wednesday involving senior "
                          "representatives of the Taliban and neighbouring nations, a round of "
                          "diplomacy that underlines Moscow’s clout.", 7.3, ("talks", "diplomacy")),
            passage("S4", "For the first time, Taliban comrades visited Moscow as part of talks on "
                          "Afghanistan in November 2018", 3.1, ("talks",)),
        ),
        empty_note=None,
    )
    economy = Section(theme="economy", title="Trade and economy",
                      description="Sanctions, oil and trade.", lede=None, items=(),
                      empty_note="No passage on trade and economy in these articles.")
    return Briefing(
        title="Russia and the Taliban", edition="2026-11-22",
        generated_at="2026-11-22T14:00:00+00:00", reader=None,
        generator={"name": "briefing", "version": "0.1.0"}, config_sha256="0" * 64,
        corpus={"articles": 5, "sha256": "1" * 64}, sources=SOURCES,
        summary=(
            cited("S1", "Russia hosted talks on Afghanistan on Wednesday involving senior "
                        "representatives of the Taliban and neighbouring nations, a round of "
                        "diplomacy that underlines Moscow’s clout."),
            cited("S4", "Russia considers the Taliban a negotiator and does business with them."),
        ),
        sections=(security, diplomacy, economy),
        timeline=(
            event("S4", "2003-02-14", "day", "on February 14, 2003, the Supreme Court of Russia "
                  "recognized the activities of the Taliban as terrorist"),
            event("S4", "2018-11", "month", "For the first time, Taliban comrades visited Moscow "
                  "as part of talks on Afghanistan in November 2018"),
        ),
        notes=("One article has no publication date and was kept.",),
    )


def hostile_briefing(text: str) -> Briefing:
    """The seed briefing with ``text`` standing in for the first item and a source title (the
    offsets no longer hold; for escaping and fetching tests only)."""
    base = seed_briefing()
    first = base.sections[0]
    items = (replace(first.items[0], text=text, speaker=text),
             replace(first.items[1], text=text)) + first.items[2:]
    sources = (replace(base.sources[0], title=text, outlet=text),) + base.sources[1:]
    return replace(base, sections=(replace(first, items=items),) + base.sections[1:],
                   sources=sources)
