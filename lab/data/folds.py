"""K stratified folds, R times: which test fold each example falls in, for repeated evaluation (folds=, repeats=).

The assignment is a (repeats, n) array of fold numbers, so an example is in exactly one test fold per repeat by
construction. Each repeat r is drawn with seed + r. Each task stratifies its own way, from one table: per class;
iteratively over label sets (iterative-stratification); on quantile bins of a regression target.

fold_plan() folds a loaded LabData (repeats already dropped by the load) and fold_data() builds one fold's LabData:
test = that fold, validation carved from the rest by the carver the normal split uses, train = the rest.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from lab.data.splits import DEFAULT_FRACTIONS, carver, quantile_bins
from lab.errors import LabError

if TYPE_CHECKING:
    from lab.data.dataset import LabData

# the normal split's share of validation within train + validation (0.1 of 0.9), seeded per repeat
VALIDATION_SHARE = DEFAULT_FRACTIONS[1] / (DEFAULT_FRACTIONS[0] + DEFAULT_FRACTIONS[1])


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


@dataclass(frozen=True)
class FoldPlan:
    """What is folded and how. pool: a LabData whose train and test splits are both the folded examples, in the
    order of the assignment's columns (its test split is where pooled out-of-fold predictions line up)."""

    pool: LabData
    assignment: np.ndarray  # (repeats, n) test-fold numbers
    folds: int
    repeats: int
    seed: int
    scheme: str  # "pooled": every example was folded; "own_test": only train + validation, the source's test kept
    fingerprint: str  # the data's fingerprint and the assignment: only runs on the same folds share it


def fold_plan(data: LabData, folds: int, repeats: int = 1, seed: int = 42) -> FoldPlan:
    """Pool the examples to fold (all of them, or train + validation when the source brought its own test split)
    and draw the stratified assignment."""
    from datasets import DatasetDict, concatenate_datasets

    parts = ("train", "validation") if data.own_test else ("train", "validation", "test")
    rows = concatenate_datasets([data.splits[name] for name in parts])
    pool = replace(data, splits=DatasetDict({"train": rows, "validation": rows.select([]), "test": rows}))
    assignment = fold_assignment(data.task, pool.labels("test"), folds, repeats, seed)
    scheme = "own_test" if data.own_test else "pooled"
    digest = hashlib.sha256(json.dumps([data.fingerprint, scheme, folds, repeats, seed]).encode("utf-8"))
    for text, label in zip(rows["text"][:], rows["label"][:]):  # [:]: one Arrow read (LabData.texts)
        digest.update(json.dumps([text, label]).encode("utf-8"))
    digest.update(assignment.astype(np.int64).tobytes())
    code = f"cv-{digest.hexdigest()[:13]}"  # "cv-": never equal to a single split's fingerprint
    return FoldPlan(replace(pool, fingerprint=code), assignment, folds, repeats, seed, scheme, code)


def fold_data(plan: FoldPlan, repeat: int, fold: int) -> LabData:
    """One fold's LabData: test = the fold; validation carved from the rest with the normal split's carver and
    share, seeded with the repeat's seed; train = the rest."""
    from datasets import DatasetDict

    pool = plan.pool
    rest, test = fold_indices(plan.assignment[repeat], fold)
    carve = carver(pool.task, pool.label_names)
    parts = carve(rest.tolist(), label_values(pool, rest), (1 - VALIDATION_SHARE, VALIDATION_SHARE, 0.0),
                  plan.seed + repeat)
    rows = pool.splits["test"]
    splits = DatasetDict({"train": rows.select(parts["train"][0]), "validation": rows.select(parts["validation"][0]),
                          "test": rows.select(test.tolist())})
    # a fingerprint of its own: checkpoints keyed by it (resume=true) never carry one fold's state into another
    return replace(pool, splits=splits, notes=list(pool.notes), fingerprint=f"{plan.fingerprint}-r{repeat}f{fold}")


def label_values(data: LabData, rows: np.ndarray) -> list:
    """The pool's labels at rows as the carver reads them: class names, label sets of names, or targets."""
    column = data.splits["test"].select(rows.tolist())["label"][:]
    names = data.label_names
    decode = {"single_label": lambda value: names[value], "regression": float,
              "multi_label": lambda ids: tuple(names[i] for i in ids)}[data.task]
    return [decode(value) for value in column]
