"""Real short-text datasets the benchmarks build offline from BBC News, written once as CSV files.

BBC sentences: the sentences of each article, labelled with the article's class. Sentences of one article share
its split only if the article does, so a sentence set is split afresh by the lab like any user CSV; repeated
sentences (bylines, boilerplate) are dropped by the lab's own duplicate filter.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def bbc_sentences(folder: Path, per_article: int | None = 2, min_words: int = 15, max_words: int = 25) -> Path:
    """Up to `per_article` sentences (None: all) of min_words..max_words words from every BBC article."""
    from lab.data import load

    name = f"bbc_sentences_{per_article or 'all'}_{min_words}-{max_words}.csv"
    path = Path(folder) / name
    if path.is_file():
        return path
    data = load("bbc-news")
    rows = []
    for split in ("train", "validation", "test"):
        for text, label in zip(data.texts(split), data.labels(split)):
            sentences = [s for s in SENTENCE_END.split(" ".join(text.split())) if min_words <= len(s.split()) <= max_words]
            rows += [(s, data.label_names[label]) for s in sentences[:per_article]]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(rows)
    return path
