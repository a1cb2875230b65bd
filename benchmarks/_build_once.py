"""One build in this fresh process; prints its per-stage timings as JSON (used by bench_build and
bench_cluster): ``_build_once.py CONFIG OUT FORMAT... [--scheduler tcp://HOST:PORT]``."""

from __future__ import annotations

import json
import sys
import time

t0 = time.perf_counter()
from pathlib import Path

from briefing.config.load import load_config
from briefing.pipeline import BuildOptions, build

imported = time.perf_counter() - t0


def main() -> None:
    config, out, *formats = sys.argv[1:]
    scheduler = None
    if "--scheduler" in formats:
        at = formats.index("--scheduler")
        scheduler = formats[at + 1]
        del formats[at:at + 2]
    t = time.perf_counter()
    cfg = load_config(Path(config))
    load = time.perf_counter() - t
    result = build(cfg, BuildOptions(out=Path(out), formats=tuple(formats), scheduler=scheduler))
    stages = {"import": imported, "config": load, **result.timings.stages}
    print(json.dumps(stages))


if __name__ == "__main__":
    main()
