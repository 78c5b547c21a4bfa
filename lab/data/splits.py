"""Splits: keep the splits a source has, carve the missing ones with a seeded split stratified by task.

- single_label: per class (every class in every split);
- multi_label: iterative stratification (Sechidis et al., 2011; the iterative-stratification package), which
  places the rarest labels first, so a label of ten texts lands in each of 80/10/10;
- regression: per quantile bin of the target (equal-count bins of the ranks), so every split spans the range.
"""

from __future__ import annotations

import numpy as np

from lab.errors import LabError

SPLITS = ("train", "validation", "test")
DEFAULT_FRACTIONS = (0.8, 0.1, 0.1)
MAX_BINS = 10  # regression: at most this many quantile bins ...
BIN_SIZE = 10  # ... each of at least this many examples


def assign_splits(cleaned: dict, seed: int, carve=None) -> dict[str, tuple[list, list]]:
    """Respect the splits a source has; carve the missing ones with carve(texts, labels, fractions, seed)."""
    carve = carve or stratified_split
    if set(cleaned) >= {"train", "validation", "test"}:
        return {name: cleaned[name] for name in SPLITS}
    if "all" in cleaned:
        return carve(*cleaned["all"], DEFAULT_FRACTIONS, seed)
    train, validation = cleaned["train"], cleaned.get("validation")
    if "test" in cleaned:
        test = cleaned["test"]
    else:  # e.g. GLUE: the labelled validation split becomes the test set
        test, validation = validation, None
    if validation is None:
        val_share = DEFAULT_FRACTIONS[1] / (DEFAULT_FRACTIONS[0] + DEFAULT_FRACTIONS[1])
        parts = carve(*train, (1 - val_share, val_share, 0.0), seed)
        train, validation = parts["train"], parts["validation"]
    if test is None:
        raise LabError("the dataset has no labelled validation or test split; give a dataset with one")
    return {"train": train, "validation": validation, "test": test}


def stratified_split(texts: list, labels: list, fractions: tuple, seed: int) -> dict[str, tuple[list, list]]:
    """Per class: shuffle with the seed, then cut. Each split gets at least one example of every class."""
    return grouped_split(texts, labels, labels, fractions, seed, "class '{}'", class_fix)


def binned_split(texts: list, targets: list, fractions: tuple, seed: int) -> dict[str, tuple[list, list]]:
    """Regression: stratified on quantile bins of the target."""
    return grouped_split(texts, targets, quantile_bins(targets).tolist(), fractions, seed,
                         "the dataset", lambda group: "give more rows")


def quantile_bins(targets) -> np.ndarray:
    """Equal-count bins of the targets' ranks (ties broken by position, so every bin has its share of rows)."""
    targets = np.asarray(targets, dtype=float)
    n_bins = max(1, min(MAX_BINS, len(targets) // BIN_SIZE))
    ranks = np.empty(len(targets), dtype=int)
    ranks[np.argsort(targets, kind="stable")] = np.arange(len(targets))
    return ranks * n_bins // max(1, len(targets))


def class_fix(label: str) -> str:
    """The fix for a class too small to split; a label set read as one class, or a score, is the likelier cause."""
    from lab.data.labels import SEPARATORS, as_number

    for sep in SEPARATORS:
        if sep in label:
            return f"drop that class, or, if the labels are label sets joined by '{sep}', set label_sep='{sep}'"
    if as_number(label) is not None:
        return "drop that class, or, if the labels are scores, set task=regression"
    return "drop that class"


def grouped_split(texts, labels, groups, fractions, seed, what: str, fix) -> dict[str, tuple[list, list]]:
    """Per group: shuffle with the seed, then cut, so each split holds its share of every group; fix(group) is the
    advice when a group is too small."""
    rng = np.random.default_rng(seed)
    by_group: dict = {}
    for index, group in enumerate(groups):
        by_group.setdefault(group, []).append(index)
    needed = sum(1 for f in fractions if f > 0)
    chosen: dict[str, list[int]] = {name: [] for name in SPLITS}
    for group in sorted(by_group):
        indices = rng.permutation(by_group[group]).tolist()
        if len(indices) < needed:
            raise LabError(f"{what.format(group)} has {len(indices)} example(s), too few to stratify into "
                           f"{needed} splits; add examples or {fix(group)}")
        n_test = max(1, round(len(indices) * fractions[2])) if fractions[2] > 0 else 0
        n_val = max(1, round(len(indices) * fractions[1])) if fractions[1] > 0 else 0
        n_train = max(1, len(indices) - n_test - n_val)
        n_val = len(indices) - n_train - n_test
        chosen["test"] += indices[:n_test]
        chosen["validation"] += indices[n_test:n_test + n_val]
        chosen["train"] += indices[n_test + n_val:]
    return pick(texts, labels, chosen)


def iterative_split(texts: list, label_sets: list, fractions: tuple, seed: int,
                    names: list[str]) -> dict[str, tuple[list, list]]:
    """Multi-label: iterative stratification of the rows' label sets into the splits of non-zero fraction."""
    from iterstrat.ml_stratifiers import IterativeStratification

    used = [i for i, f in enumerate(fractions) if f > 0]
    if len(texts) < len(used):
        raise LabError(f"the dataset has {len(texts)} example(s), too few to split into {len(used)} splits; "
                       f"add examples")
    index = {name: i for i, name in enumerate(names)}
    matrix = np.zeros((len(label_sets), len(names)), dtype=bool)  # bool: the package indexes by it
    for row, label_set in enumerate(label_sets):
        matrix[row, [index[name] for name in label_set]] = True
    order = np.random.default_rng(seed).permutation(len(texts))  # the algorithm walks rows in order
    folds = np.empty(len(texts), dtype=int)
    ratios = np.array([fractions[i] for i in used]) / sum(fractions[i] for i in used)
    folds[order] = IterativeStratification(matrix[order], ratios, np.random.RandomState(seed))
    chosen = {name: [] for name in SPLITS}
    for fold, split in enumerate(used):
        chosen[SPLITS[split]] = np.flatnonzero(folds == fold).tolist()
    return pick(texts, label_sets, chosen)


def pick(texts, labels, chosen: dict) -> dict[str, tuple[list, list]]:
    return {name: ([texts[i] for i in sorted(idx)], [labels[i] for i in sorted(idx)]) for name, idx in chosen.items()}


def carver(task: str, names: list[str]):
    """carve(texts, labels, fractions, seed) for the task: the table each task's stratifier is looked up in."""
    if task == "multi_label":
        return lambda texts, labels, fractions, seed: iterative_split(texts, labels, fractions, seed, names)
    return {"single_label": stratified_split, "regression": binned_split}[task]
