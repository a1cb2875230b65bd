"""Benchmark corpora: the seeds, BBC News, Reuters-21578 converted to text, and a SYNTHETIC
100,000-article corpus made from the two real ones.

    .venv/bin/python benchmarks/corpora.py [--cache DIR]     # prepares them and prints where

Reuters-21578 is SGML (22 files of ~1,000 stories, Latin-1 with ``&#N;`` entities); briefing
reads .txt/.md, so each story with a body becomes one .txt file (title line, blank line, then the
body's paragraphs, which the SGML marks by indented lines). The synthetic corpus is every real
article once, plus variants until it holds 100,000: a variant re-identifies an article (new file
name, headline marked "[synthetic N]") and recombines its paragraphs with those of another
article of the same category (BBC folder or Reuters file), so its passages are real prose but
its files are new. Figures built on it are labelled SYNTHETIC wherever they appear.
"""

from __future__ import annotations

import argparse
import html
import os
import random
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPORA = SHARED / "corpora"
DEFAULT_CACHE = Path(os.environ.get("BRIEFING_BENCH_CACHE", "/tmp/briefing-bench"))
SYNTHETIC_SIZE = 100_000

_STORY = re.compile(r"<REUTERS[^>]*NEWID=\"(\d+)\"[^>]*>(.*?)</REUTERS>", re.S)
_TITLE = re.compile(r"<TITLE>(.*?)</TITLE>", re.S)
_BODY = re.compile(r"<BODY>(.*?)</BODY>", re.S)
_DATE = re.compile(r"<DATE>\s*(\d+-\w+-\d{4})", re.S)


def _unescape(s: str) -> str:
    s = re.sub(r"&#(\d+);", lambda m: "" if int(m.group(1)) < 32 else chr(int(m.group(1))), s)
    return html.unescape(s)


def reuters_stories(sgm: Path) -> list[tuple[str, str]]:
    """(NEWID, text) for each story of one SGML file that has a body."""
    raw = sgm.read_bytes().decode("latin-1")
    out = []
    for newid, story in _STORY.findall(raw):
        body = _BODY.search(story)
        if not body:
            continue
        title = _TITLE.search(story)
        date = _DATE.search(story)
        text = _unescape(body.group(1)).replace("\r", "")
        text = re.sub(r"\s*Reuter\s*$", "", text.strip())
        paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s{2,}", text) if p.strip()]
        head = " ".join(_unescape(title.group(1)).split()) if title else ""
        lines = ([head.title(), ""] if head else []) + ([date.group(1), ""] if date else [])
        top = "\n".join(lines) + "\n" if lines else ""
        out.append((newid, top + "\n\n".join(paragraphs) + "\n"))
    return out


def prepare_reuters(cache: Path) -> Path:
    """Reuters-21578 as one .txt per story (cached: done once)."""
    target = cache / "reuters21578"
    done = target / ".complete"
    if done.exists():
        return target
    for sgm in sorted((CORPORA / "reuters21578").glob("reut2-*.sgm")):
        folder = target / sgm.stem
        folder.mkdir(parents=True, exist_ok=True)
        for newid, text in reuters_stories(sgm):
            (folder / f"{newid}.txt").write_text(text, encoding="utf-8")
    done.touch()
    return target


def _groups(cache: Path) -> dict[str, list[Path]]:
    groups: dict[str, list[Path]] = {}
    for folder in sorted((CORPORA / "bbc-news").iterdir()):
        if folder.is_dir():
            groups[f"bbc-{folder.name}"] = sorted(folder.glob("*.txt"))
    for folder in sorted(prepare_reuters(cache).iterdir()):
        if folder.is_dir():
            groups[f"reuters-{folder.name}"] = sorted(folder.glob("*.txt"))
    return groups


def _paragraphs(path: Path) -> list[str]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def prepare_synthetic(cache: Path, size: int = SYNTHETIC_SIZE) -> Path:
    """The SYNTHETIC corpus of ``size`` articles (cached: done once)."""
    target = cache / f"synthetic-{size}"
    done = target / ".complete"
    if done.exists():
        return target
    rng = random.Random(20261122)
    groups = _groups(cache)
    real = [(g, p) for g, paths in groups.items() for p in paths]
    n = 0
    for g, p in real:  # every real article once
        folder = target / g
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{n:06d}.txt").write_bytes(p.read_bytes())
        n += 1
    while n < size:
        g, p = real[rng.randrange(len(real))]
        other = groups[g][rng.randrange(len(groups[g]))]
        mine, theirs = _paragraphs(p), _paragraphs(other)
        if len(mine) < 2:
            continue
        body = mine[1:]
        extra = theirs[1:] or theirs
        body.insert(rng.randrange(len(body) + 1), extra[rng.randrange(len(extra))])
        text = f"{mine[0]} [synthetic {n}]\n\n" + "\n\n".join(body) + "\n"
        (target / g / f"{n:06d}.txt").write_text(text, encoding="utf-8")
        n += 1
    done.touch()
    return target


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    args = p.parse_args()
    print("reuters:", prepare_reuters(args.cache))
    print("synthetic:", prepare_synthetic(args.cache))


if __name__ == "__main__":
    main()
