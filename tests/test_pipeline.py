"""The pipeline end to end on the seeds and on small corpora made here: atomic writes,
reproducibility, shown-once, duplicates merged, sources numbered in reading order."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefing.config.load import load_config
from briefing.config.model import Config
from briefing.models import Briefing
from briefing.pipeline import BuildOptions, build, build_briefing, read_corpus
from briefing.publish import render


def briefing_of(cfg: Config, **kwargs: Any) -> Briefing:
    """The seed briefing built in this process, the store let go of at once (an open corpus
    holds the repository's store until it is collected: a build started by a later test in
    another process would find it busy)."""
    corpus = read_corpus(cfg, None)
    try:
        return build_briefing(cfg, corpus, **kwargs)
    finally:
        corpus.close()


def seed_config():
    return load_config(REPO / "config" / "briefing.yaml")


def test_failed_build_leaves_previous_outputs_intact(tmp_path: Path, in_repo: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = seed_config()
    options = BuildOptions(out=tmp_path, formats=("json", "txt", "html"))
    build(cfg, options)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}  # the archive too

    def broken(*_a: object, **_k: object) -> str:
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(render, "render_html", broken)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # would change json and txt
    with pytest.raises(RuntimeError):
        build(cfg, options)
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before  # nothing replaced, no temporary file left behind


def test_a_failed_rename_puts_back_the_files_renamed_before_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from briefing.publish import output

    output.write_atomically(tmp_path, {"a.txt": b"old a", "b.txt": b"old b"})
    real = os.replace

    def refuse(src: str, dst: object) -> None:
        if str(dst).endswith("b.txt") and str(src).endswith(".tmp"):
            raise OSError(13, "Permission denied")
        real(src, dst)

    monkeypatch.setattr(output.os, "replace", refuse)
    with pytest.raises(PermissionError):
        output.write_atomically(tmp_path, {"a.txt": b"new a", "b.txt": b"new b", "c.txt": b"c"})
    # a.txt was renamed before b.txt failed: it has its old content back; nothing else is left
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == {"a.txt": b"old a",
                                                                  "b.txt": b"old b"}


def test_build_is_reproducible_with_a_fixed_clock(tmp_path: Path, in_repo: Path,
                                                  fixed_clock: str) -> None:
    cfg = seed_config()
    a, b = tmp_path / "a", tmp_path / "b"
    build(cfg, BuildOptions(out=a, formats=("json", "txt")))
    build(cfg, BuildOptions(out=b, formats=("json", "txt")))
    for name in ("briefing.json", "briefing.txt"):
        assert (a / name).read_bytes() == (b / name).read_bytes()


def test_no_passage_is_shown_twice_and_sources_follow_reading_order(in_repo: Path) -> None:
    cfg = seed_config()
    briefing = briefing_of(cfg)
    spans: list[tuple[str, int, int]] = []
    order: list[str] = []
    for point in briefing.summary:  # the summary restates; it comes first in reading order
        if point.source not in order:
            order.append(point.source)
    for section in briefing.sections:
        cited = ([section.lede] if section.lede else []) + list(section.items)
        for item in cited:
            for path, s, e in spans:
                assert not (path == item.path and item.start < e and s < item.end), item.text
            spans.append((item.path, item.start, item.end))
            if item.source not in order:
                order.append(item.source)
    assert [s.id for s in briefing.sources][: len(order)] == order
    assert [s.number for s in briefing.sources] == list(range(1, len(briefing.sources) + 1))


def test_no_page_furniture_in_the_seed_briefing(in_repo: Path) -> None:
    cfg = seed_config()
    doc = json.loads(render.render_json(briefing_of(cfg)))
    text = json.dumps(doc, ensure_ascii=False)
    for furniture in ("Share this article", "Read More", "Download our Apps", "AP Photo",
                      "pic.twitter.com", "Square1", "point of view of the author",
                      "Press Association Images"):
        assert furniture not in text


def test_syndicated_copy_is_shown_once_with_also_reported_by(tmp_path: Path) -> None:
    corpus = tmp_path / "seeds"
    corpus.mkdir()
    story = ("Tajik border guards reinforced the border with Afghanistan after the Taliban "
             "took the border crossing at Sher Khan Bandar.")
    (corpus / "a.txt").write_text(f"Border tension\n\n{story}\n", encoding="utf-8")
    (corpus / "b.txt").write_text(f"Tension on the border\n\n{story} Officials said so.\n",
                                  encoding="utf-8")
    cfg_path = tmp_path / "config" / "briefing.yaml"
    cfg_path.parent.mkdir()
    cfg_path.write_text("title: T\ncorpus: ../seeds\nout: ../out\nthemes:\n  borders:\n"
                        "    title: Borders\n    description: Borders.\n"
                        "    terms: ['border^2', 'border guards^3']\n", encoding="utf-8")
    cfg = load_config(cfg_path)
    briefing = briefing_of(cfg)
    [section] = briefing.sections
    # printed once, where it is first shown (here the point The essentials take from the
    # theme), the other copy cited under it; the section points there instead of repeating it
    shown = [*briefing.summary, *section.items]
    [item] = [c for c in shown if story in c.text]
    [also] = item.also
    assert {Path(item.path).name, Path(also.path).name} == {"a.txt", "b.txt"}
    assert story in item.text and story in also.text
    assert section.in_summary == ("e1",) and not section.items


def test_summary_timeline_and_ledes_of_the_seed_briefing(in_repo: Path) -> None:
    cfg = seed_config()
    briefing = briefing_of(cfg)
    assert 3 <= len(briefing.summary) <= 5
    ledes = {(s.lede.path, s.lede.start) for s in briefing.sections if s.lede}
    assert not ledes & {(p.path, p.start) for p in briefing.summary}
    # every section opens on its lede, or on where its point went in The essentials
    assert all(s.lede is not None or s.in_summary for s in briefing.sections)
    # the news first: the Moscow talks of 20 October 2021, from the newest dated source
    assert briefing.summary[0].text.startswith("Russia hosted talks on Afghanistan on Wednesday")
    assert briefing.summary[0].attribution == "Associated Press, 20 October 2021"
    events = briefing.timeline
    assert 0 < len(events) <= 12
    assert [e.date for e in events] == sorted(e.date for e in events)
    assert len({e.date for e in events}) == len(events)
    assert ("2003-02-14", "day") in {(e.date, e.precision) for e in events}
    # sources are numbered in reading order, the summary first
    assert briefing.sources[0].id == briefing.summary[0].source


@pytest.mark.parametrize("reader_id", [None, "security-analyst", "central-asia-desk"])
def test_ledes_and_summary_points_are_statements(in_repo: Path, reader_id: str | None) -> None:
    from briefing.judge.textnorm import TOKEN_RE

    cfg = seed_config()
    reader = next((r for r in cfg.readers if r.id == reader_id), None)
    briefing = briefing_of(cfg, reader=reader)
    cited = list(briefing.summary) + [s.lede for s in briefing.sections if s.lede]
    assert cited
    for c in cited:
        assert len(TOKEN_RE.findall(c.text)) >= 6, c.text
    for section in briefing.sections:  # a trimmed passage is never left as a fragment
        for item in section.items:
            if item.kind == "passage" and section.lede and item.path == section.lede.path:
                assert len(TOKEN_RE.findall(item.text)) >= 6, item.text


def test_a_section_with_only_a_lede_never_says_nothing_matches(tmp_path: Path) -> None:
    """One matching passage becomes the section's point in The essentials and leaves no items:
    the section shows where it went, so no edition may print the empty-section line under it."""
    corpus = tmp_path / "seeds"
    corpus.mkdir()
    (corpus / "a.txt").write_text(
        "Ferry news\n\nThe harbour ferry will run every hour from Monday, the operator said.\n\n"
        "Nothing else happened in the town this week, according to the council.\n",
        encoding="utf-8")
    cfg_path = tmp_path / "config" / "briefing.yaml"
    cfg_path.parent.mkdir()
    cfg_path.write_text("title: T\ncorpus: ../seeds\nout: ../out\nthemes:\n  ferries:\n"
                        "    title: Ferries\n    description: Ferries.\n"
                        "    terms: ['ferry^2']\n  trains:\n    title: Trains\n"
                        "    description: Trains.\n    terms: ['railway']\n", encoding="utf-8")
    cfg = load_config(cfg_path)
    briefing = briefing_of(cfg)
    ferries, trains = briefing.sections
    assert ferries.in_summary and not ferries.items and ferries.empty_note is None
    assert trains.lede is None and not trains.items and trains.empty_note
    env = render.template_env()
    for out in (render.render_html(briefing, env), render.render_text(briefing),
                render.render_email(briefing, env), render.render_pdf_html(briefing, env)):
        assert out.count(trains.empty_note) == 1  # under Trains only


def test_an_untitled_source_is_listed_by_its_opening_words_never_a_guessed_title(
        in_repo: Path) -> None:
    cfg = seed_config()
    briefing = briefing_of(cfg)
    [column] = [s for s in briefing.sources if s.path.endswith("004_0a2e121bb2eab9c8.txt")]
    assert column.title is None and "title" not in column.inferred
    assert column.opening == "One Lebanese newspaper asked me to write my opinion on…"
    text = render.render_text(briefing)
    assert "Untitled (it opens: “One Lebanese newspaper asked me to write my" in text
    assert "Also reported by One Lebanese" not in text
    titled = [s for s in briefing.sources if s.title]
    assert titled and all(s.opening is None for s in titled)


def _workspace(tmp_path: Path, articles: dict[str, str], themes: str) -> Path:
    """A workspace of our own (config, articles, store, out) under ``tmp_path``."""
    corpus = tmp_path / "articles"
    corpus.mkdir()
    for name, text in articles.items():
        (corpus / name).write_text(text, encoding="utf-8")
    cfg_path = tmp_path / "config" / "briefing.yaml"
    cfg_path.parent.mkdir()
    cfg_path.write_text("title: T\ncorpus: ../articles\nout: ../out\nstore: ../store\n"
                        "themes:\n" + themes, encoding="utf-8")
    return cfg_path


def test_require_is_applied_before_the_shortlist_is_cut(tmp_path: Path) -> None:
    """A theme whose best-scoring passages all fail its ``require`` shows the passages that
    pass, however many fail above them (the shortlist was cut first, so the section was empty
    while explain ranked a passing passage first as shown), in the store's way and in memory
    alike, and explain says exactly what the edition shows."""
    from briefing.judge.explain import explain_theme
    from briefing.read.corpus import load_corpus
    from briefing.read.ingest import Corpus

    # more failing passages than a shortlist of one item holds (SHORTLIST_MIN + 20), and
    # articles on something else, so that the terms are rare enough to score
    failing = {f"fail-{i:03}.txt": f"Harbour report {i}\n\nThe harbour ferry and the harbour "
               f"ferry pier: ferry {i} of the harbour ferry fleet sailed.\n" for i in range(75)}
    passing = {"pass-a.txt": "Ferry crossing\n\nA ferry made the crossing to the island on "
               "Monday morning, the operator said, after the storm.\n",
               "pass-b.txt": "Night crossing\n\nThe night ferry resumed its crossing of the "
               "strait on Tuesday, with twelve passengers aboard.\n"}
    other = {f"other-{i:03}.txt": f"Weather {i}\n\nIt rained in the hills for {i} hours, and "
             "the farmers were glad of it.\n" for i in range(100)}
    cfg = load_config(_workspace(tmp_path, failing | passing | other,
                                 "  ferries:\n    title: Ferries\n    description: Ferries.\n"
                                 "    terms: ['ferry^2', 'harbour']\n    require: crossing\n"
                                 "    max_items: 1\n"))

    def shown(briefing: Briefing) -> list[tuple[str, int, int]]:
        [section] = briefing.sections
        points = [p for p in briefing.summary if p.id in section.in_summary]
        return [(Path(c.path).name, c.start, c.end) for c in [*points, *section.items]]

    stored = build(cfg, BuildOptions(formats=("json",))).briefings[0]
    assert sorted(name for name, _, _ in shown(stored)) == ["pass-a.txt", "pass-b.txt"]
    memory = Corpus.from_articles(load_corpus(list(cfg.corpus), None, lambda _: None))
    assert shown(build_briefing(cfg, memory)) == shown(stored)
    rows = explain_theme(cfg, "ferries")
    [section] = stored.sections
    assert [(Path(r.path).name, r.start, r.end) for r in rows if r.status.startswith("shown")] \
        == [(Path(i.path).name, i.start, i.end) for i in section.items]
    assert {r.status for r in rows if Path(r.path).name.startswith("fail")} == \
        {"left out: does not satisfy the theme's require query"}


SEED_TERMS = ["border*", "Taliban", "security", "troops^2", "recogni*", "Russia", "Afghanistan",
              "terrorist^2", "talks", "Lavrov", "embassy", "Islamic State^3", "drug*", "Kabul"]
SEED_REQUIRES = [None, "border* OR troops", "Taliban SAME (talks OR recogni*)", "NOT Lavrov",
                 "ATLEAST/2 Taliban", "Russia NEAR/5 Afghanistan", "\"Islamic State\""]
theme_spec = st.fixed_dictionaries({
    "terms": st.lists(st.sampled_from(SEED_TERMS), min_size=1, max_size=4, unique=True),
    "require": st.sampled_from(SEED_REQUIRES),
    "max_items": st.integers(1, 4),
    "min_score": st.sampled_from([None, 0.5, 2.0]),
})


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(themes=st.lists(theme_spec, min_size=1, max_size=3), cut=st.integers(1, 3))
def test_explain_says_shown_exactly_what_the_build_shows(
        tmp_path_factory: pytest.TempPathFactory, themes: list[dict[str, object]],
        cut: int) -> None:
    """For random themes over the seeds, with shortlists cut short (so that ``require`` and the
    cut meet), every item a section shows lies in a candidate explain calls shown, and every
    candidate explain calls shown is an item of the section or holds its lede."""
    import yaml

    from briefing.judge import ranking
    from briefing.judge.explain import explain_theme

    root = tmp_path_factory.mktemp("explain")
    shutil.copytree(REPO / "seeds", root / "articles")
    spec = {"title": "T", "corpus": "../articles", "out": "../out", "store": "../store",
            "themes": {f"t{n}": {"title": f"T{n}", "description": "d",
                                 **{k: v for k, v in t.items() if v is not None}}
                       for n, t in enumerate(themes)}}
    (root / "config").mkdir()
    (root / "config" / "briefing.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    cfg = load_config(root / "config" / "briefing.yaml")
    saved = ranking.SHORTLIST_MIN, ranking.SHORTLIST_PER_ITEM
    ranking.SHORTLIST_MIN, ranking.SHORTLIST_PER_ITEM = cut, 1
    try:
        briefing = build(cfg, BuildOptions(formats=("json",))).briefings[0]
        for section in briefing.sections:
            rows = [r for r in explain_theme(cfg, section.theme) if r.status.startswith("shown")]
            spans = [(Path(r.path).name, r.start, r.end) for r in rows]
            inside = [[s for s in spans if s[0] == Path(i.path).name and s[1] <= i.start
                       and i.end <= s[2]] for i in section.items]
            assert all(len(found) == 1 for found in inside), (section.items, rows)
            shown = {f[0] for f in inside}
            lede = section.lede
            for s in spans:
                assert s in shown or (lede is not None and s[0] == Path(lede.path).name
                                      and s[1] <= lede.start < s[2]), (s, section)
    finally:
        ranking.SHORTLIST_MIN, ranking.SHORTLIST_PER_ITEM = saved
