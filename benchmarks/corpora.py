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


SHARED = ROOT.parent / "shared" / "data"
REUTERS_TOPICS = 10  # the ten most frequent first topics; the long tail has classes of a handful of articles
MIN_CLASS_ROWS = 300  # classes with fewer rows in the whole corpus are left out


def short_texts(folder: Path) -> Path:
    """116,792 real short texts in 35 classes, for cost at 100k (issue 24): the BBC sentences above (5 classes),
    the 5-60-word sentences of Reuters articles labelled with the article's first topic (its ten most frequent),
    GoEmotions comments labelled with their first emotion (28), and CLEAR excerpts' sentences as "literature".
    Each class is prefixed with its corpus; classes of under MIN_CLASS_ROWS rows are left out. Built from
    ../shared/data at run time; never copied into the repo."""
    path = Path(folder) / "short_texts_mixed.csv"
    if path.is_file():
        return path
    with bbc_sentences(folder, per_article=None, min_words=5, max_words=60).open(newline="") as handle:
        rows = [(text, f"bbc:{label}") for text, label in list(csv.reader(handle))[1:]]
    rows += corpus_sentences("reuters_modapte_multilabel.csv", "reuters")
    rows += corpus_sentences("clear_readability_regression.csv", "literature")
    with (SHARED / "goemotions_multilabel.csv").open(newline="", encoding="utf-8") as handle:
        rows += [(row["text"], f"emotion:{row['label'].split(';')[0]}") for row in csv.DictReader(handle)]
    counts: dict[str, int] = {}
    for _, label in rows:
        counts[label] = counts.get(label, 0) + 1
    # a class of a few rows lands in too few of a 10k sample's splits to stratify (emotion:pride: 1 of 10,000)
    rows = [(text, label) for text, label in rows if counts[label] >= MIN_CLASS_ROWS]
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(rows)
    return path


def corpus_sentences(file: str, prefix: str) -> list[tuple[str, str]]:
    """5-60-word sentences of each row; Reuters: labelled with the row's first topic if it is a frequent one."""
    with (SHARED / file).open(newline="", encoding="utf-8") as handle:
        source = list(csv.DictReader(handle))
    frequent = None
    if prefix == "reuters":
        counts: dict[str, int] = {}
        for row in source:
            first = row["label"].split(";")[0]
            counts[first] = counts.get(first, 0) + bool(first)
        frequent = set(sorted(counts, key=counts.get, reverse=True)[:REUTERS_TOPICS])
    rows = []
    for row in source:
        label = prefix if frequent is None else row["label"].split(";")[0]
        if frequent is not None and label not in frequent:
            continue
        sentences = SENTENCE_END.split(" ".join(row["text"].split()))
        rows += [(s, label if frequent is None else f"reuters:{label}") for s in sentences if 5 <= len(s.split()) <= 60]
    return rows
