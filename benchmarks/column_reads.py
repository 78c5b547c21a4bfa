"""How long does reading a split's texts and labels take, the way LabData did before (list() and np.asarray() over
the lazy Column that datasets 4+ returns for ds["text"]) and the way it does now (one [:] read)?

Every recipe reads data.texts(...) and data.labels(...) several times (classical: once per model and split), so at
100,000 texts the per-row formatting adds up. Each way is read REPEATS times; the figure is the median.

    python benchmarks/column_reads.py [DATASET.csv] [key=value ...]    (default: bbc-news; single-label or regression)
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lab.data.dataset import load  # noqa: E402

REPEATS = 5


def per_row(split) -> tuple[list, np.ndarray]:
    return list(split["text"]), np.asarray(split["label"])


def one_read(split) -> tuple[list, np.ndarray]:
    return split["text"][:], np.asarray(split["label"][:])


def median_seconds(read, split) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        read(split)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str]) -> None:
    dataset = argv[0] if argv and "=" not in argv[0] else "bbc-news"
    options = dict(arg.split("=", 1) for arg in argv if "=" in arg)
    data = load(dataset, **options)
    train = data.splits["train"]
    old, new = per_row(train), one_read(train)
    assert old[0] == new[0] and np.array_equal(old[1], new[1]), "the two reads differ"
    before, after = median_seconds(per_row, train), median_seconds(one_read, train)
    print(f"{dataset}: train split {len(train):,} rows (task {data.task})")
    print(f"texts and labels per row (list, np.asarray): {before:.3f} s")
    print(f"texts and labels in one read ([:]):           {after:.3f} s  ({before / after:.0f}x)")


if __name__ == "__main__":
    main(sys.argv[1:])
