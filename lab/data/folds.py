"""K stratified folds, R times: which test fold each example falls in, for repeated evaluation (folds=, repeats=).

The assignment is a (repeats, n) array of fold numbers, so an example is in exactly one test fold per repeat by
construction. Each repeat r is drawn with seed + r. Each task stratifies its own way, from one table: per class;
iteratively over label sets (iterative-stratification); on quantile bins of a regression target.
"""

from __future__ import annotations

import numpy as np

from lab.data.splits import quantile_bins
from lab.errors import LabError


def class_folds(labels, folds: int, seed: int) -> np.ndarray:
    from sklearn.model_selection import StratifiedKFold

    labels = np.asarray(labels)
    smallest = np.bincount(np.unique(labels, return_inverse=True)[1]).min()
    if smallest < folds:
        raise LabError(f"a class has {smallest} example(s), too few for folds={folds}; give folds={max(2, smallest)} "
                       f"or fewer, or add examples")
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return assignment(splitter.split(np.zeros(len(labels)), labels), len(labels))


def label_set_folds(matrix, folds: int, seed: int) -> np.ndarray:
    from iterstrat.ml_stratifiers import MultilabelStratifiedKFold

    matrix = np.asarray(matrix)
    splitter = MultilabelStratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return assignment(splitter.split(np.zeros(len(matrix)), matrix), len(matrix))


def target_folds(targets, folds: int, seed: int) -> np.ndarray:
    return class_folds(quantile_bins(targets), folds, seed)


FOLDERS = {"single_label": class_folds, "multi_label": label_set_folds, "regression": target_folds}


def assignment(splits, n: int) -> np.ndarray:
    fold_of = np.full(n, -1, dtype=np.int64)
    for fold, (_, test) in enumerate(splits):
        fold_of[test] = fold
    return fold_of


def fold_assignment(task: str, labels, folds: int, repeats: int = 1, seed: int = 42) -> np.ndarray:
    """(repeats, n) test-fold numbers in 0..folds-1, stratified for the task; repeat r uses seed + r."""
    if folds < 2 or folds > len(labels):
        raise LabError(f"folds={folds}: give at least 2 folds and at most one per example ({len(labels)})")
    if repeats < 1:
        raise LabError(f"repeats={repeats}: give repeats=1 or more")
    return np.stack([FOLDERS[task](labels, folds, seed + r) for r in range(repeats)])


def fold_indices(fold_of: np.ndarray, fold: int) -> tuple[np.ndarray, np.ndarray]:
    """(train-and-validation rows, test rows) of one fold of one repeat's assignment."""
    return np.flatnonzero(fold_of != fold), np.flatnonzero(fold_of == fold)
