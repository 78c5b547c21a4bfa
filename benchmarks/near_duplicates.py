"""How many near-copies does a dataset keep, and which splits do they join? Also checks the data layer's filter.

    python benchmarks/near_duplicates.py                           # bbc-news, as the lab loads it
    python benchmarks/near_duplicates.py duplicates=exact          # only exact repeats dropped
    python benchmarks/near_duplicates.py dataset=my.csv text_column=body

Every pair of texts is compared on its word 3-gram shingles (lab.data.duplicates.shingles) by exact Jaccard
similarity, through a sparse product, so this suits datasets of up to some 20,000 texts. It prints how many
pairs pass each threshold, how many of those straddle two splits or touch the test split (a near-copy of a
test text in train makes the test score optimistic), and a histogram of the pairs by similarity. With
duplicates=near (the default), no pair should reach 0.8: any that does is a pair that MinHash LSH missed.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lab.config import CommonConfig, build, parse_overrides  # noqa: E402
from lab.data import SPLITS  # noqa: E402
from lab.data.duplicates import drop_repeats, shingles  # noqa: E402
from lab.runs import load_data  # noqa: E402
from lab.data.sources import read_source  # noqa: E402

THRESHOLDS = (0.95, 0.8, 0.6)
BINS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.01)


def main(overrides: list[str], examples: int) -> None:
    cfg = build(CommonConfig, {}, parse_overrides(overrides))
    data = load_data(cfg)
    time_the_filter(cfg)
    texts = [text for split in SPLITS for text in data.texts(split)]
    split_of = np.array([split for split in SPLITS for _ in data.texts(split)])
    similarity = pairwise_jaccard(texts)
    print(f"{data.name}: {len(texts)} texts after the data layer ({'; '.join(data.notes) or 'no notes'})")
    first, second = np.nonzero(similarity > 0.1)
    counts, _ = np.histogram(similarity[first, second], bins=BINS)
    print("  pairs by Jaccard: " + ", ".join(f"[{low:g}, {high:g}) {n}" for low, high, n in zip(BINS, BINS[1:], counts)))
    for threshold in THRESHOLDS:
        first, second = np.nonzero(similarity >= threshold)
        across = split_of[first] != split_of[second]
        test = (split_of[first] == "test") | (split_of[second] == "test")
        test_texts = len({i for pair in zip(first[test], second[test]) for i in pair if split_of[i] == "test"})
        print(f"  Jaccard >= {threshold}: {len(first)} pairs, {across.sum()} across two splits, {test.sum()} touching "
              f"the test split ({test_texts} of its {(split_of == 'test').sum()} texts)")
    first, second = np.nonzero(similarity >= THRESHOLDS[-1])
    for a, b in list(zip(first, second))[:examples]:
        print(f"  {similarity[a, b]:.3f} {split_of[a]}/{split_of[b]}: {texts[a][:60]!r} | {texts[b][:60]!r}")


def time_the_filter(cfg) -> None:
    """The data layer's own cost: its repeat filter on the source's rows, as `lab run` applies it."""
    raw = read_source(cfg.dataset, cfg.text_column, cfg.label_column, cfg.encoding, cfg.dataset_config)
    began = time.perf_counter()
    drop_repeats(raw, cfg.duplicates, [])
    rows = sum(len(texts) for texts, _ in raw.values())
    print(f"duplicates={cfg.duplicates} filter: {time.perf_counter() - began:.2f} s for {rows} rows")


def pairwise_jaccard(texts: list[str]) -> np.ndarray:
    """Upper triangle of the texts' pairwise Jaccard similarity of word 3-gram shingles (dense: n x n floats)."""
    from scipy.sparse import csr_matrix

    vocabulary: dict[str, int] = {}
    rows, columns = [], []
    for row, text in enumerate(texts):
        for gram in shingles(text):
            rows.append(row)
            columns.append(vocabulary.setdefault(gram, len(vocabulary)))
    matrix = csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, columns)), shape=(len(texts), len(vocabulary)))
    shared = (matrix @ matrix.T).toarray()
    sizes = np.asarray(matrix.sum(axis=1)).ravel()
    return np.triu(shared / (sizes[:, None] + sizes[None, :] - shared), k=1)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("overrides", nargs="*", help="data keys, e.g. dataset=my.csv duplicates=keep")
    parser.add_argument("--examples", type=int, default=5, help="pairs above the lowest threshold to print")
    args = parser.parse_args()
    main(args.overrides, args.examples)
