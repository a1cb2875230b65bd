"""A real corpus through the store: ../shared/corpora/bbc-news (2,225 articles) built cold from
the store's index and warm from what it left gives exactly the briefing an in-memory build of
every passage gives. Timings are the benchmark's business (benchmarks/bench_scale.py); this
checks results at a size where the index, the shortlist and the parallel ingestion all act."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from conftest import FIXED_EPOCH, REPO

from briefing.config.load import load_config
from briefing.pipeline import BuildOptions, build_briefing, rank, theme_queries
from briefing.publish import render
from briefing.read.corpus import load_corpus
from briefing.read.ingest import Corpus, read_corpus

SHARED = REPO.parent / "shared"
BBC = SHARED / "corpora" / "bbc-news"
OPTIONS = BuildOptions(edition=dt.date(2026, 11, 22))


@pytest.fixture(scope="module")
def bbc_config(tmp_path_factory: pytest.TempPathFactory):
    if not BBC.is_dir():
        pytest.skip(f"needs ../shared/corpora/bbc-news beside the repository ({BBC} is absent)")
    work = tmp_path_factory.mktemp("bbc")
    config = work / "bbc.yaml"
    config.write_text((REPO / "benchmarks" / "configs" / "bbc.yaml").read_text(encoding="utf-8")
                      + f"\ncorpus: {json.dumps(str(BBC))}\n"
                      f"store: {json.dumps(str(work / 'store'))}\n",
                      encoding="utf-8")
    return load_config(config)


def _json(config, corpus: Corpus) -> str:
    try:
        return render.render_json(build_briefing(config, corpus, options=OPTIONS))
    finally:
        corpus.close()


def test_bbc_from_the_store_cold_and_warm_equals_in_memory(
        bbc_config, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
    memory = Corpus.from_articles(load_corpus([BBC], None, lambda _: None))
    queries = [q for _, q in theme_queries(bbc_config, None)]
    cold = read_corpus(bbc_config, None)
    assert len(cold) == len(memory) >= 2225
    assert rank(cold, queries) == rank(memory, queries)
    cold_json = _json(bbc_config, cold)
    assert cold_json == _json(bbc_config, memory)
    warm_json = _json(bbc_config, read_corpus(bbc_config, None))
    assert warm_json == cold_json
    doc = json.loads(warm_json)
    assert all(s["items"] for s in doc["sections"]), "every BBC theme finds passages"


def test_bbc_since_selects_from_the_store(bbc_config) -> None:
    from briefing.judge.readers import Window
    from briefing.read.ingest import NAMED_UNDATED, select_since

    corpus = read_corpus(dataclasses.replace(bbc_config), None)
    try:
        # BBC files carry no dates: a window leaves them all out, or keeps them all when asked,
        # and one note says so, naming the first few
        for keep in (False, True):
            kept, [note] = select_since(corpus, Window(dt.date(2100, 1, 1), "--since", keep))
            assert len(kept) == (len(corpus) if keep else 0)
            assert f"{len(corpus)} with no known publication date" in note
            assert (note.count("“") == NAMED_UNDATED
                    and f"and {len(corpus) - NAMED_UNDATED} more" in note)
    finally:
        corpus.close()
