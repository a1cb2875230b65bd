"""What a user would otherwise script: rank_bm25 over every paragraph of every file, top 10 per
theme. Prints the number of paragraphs. Used by bench_scale.py (run in its own process, so its
peak memory is measured apart)."""

from __future__ import annotations

import json
import os
import re
import sys

from rank_bm25 import BM25Okapi

WORD = re.compile(r"\w+")


def main() -> None:
    queries = json.loads(sys.argv[1])
    paragraphs: list[list[str]] = []
    for folder in sys.argv[2:]:
        for dirpath, _, names in os.walk(folder):
            for name in names:
                if not name.endswith((".txt", ".md")):
                    continue
                with open(os.path.join(dirpath, name), encoding="utf-8", errors="replace") as f:
                    text = f.read()
                for p in re.split(r"\n\s*\n", text):
                    tokens = WORD.findall(p.lower())
                    if tokens:
                        paragraphs.append(tokens)
    bm25 = BM25Okapi(paragraphs)
    for words in queries:
        scores = bm25.get_scores(words)
        sorted(range(len(scores)), key=lambda i: -scores[i])[:10]
    print(len(paragraphs))


if __name__ == "__main__":
    main()
