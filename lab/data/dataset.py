"""The data layer: a dataset spec in, one cleaned, stratified, fingerprinted DatasetDict out, with its task.

Label names follow one documented order. single_label: integer-like classes sort numerically ("2" before "10"),
any other classes sort as text. multi_label: the source's own order where it has one (the 0/1 columns as named in
label_column=, a Hub Sequence of ClassLabel), else sorted as classes are; labels that occur in no row are left out.
regression: no label names. See lab/data/labels.py for how the task is detected.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # datasets is imported lazily: `lab --help` never pays for it
    from datasets import DatasetDict

from lab.data.duplicates import drop_repeats
from lab.data.labels import check_targets, class_order, detect_task, label_space, parser, where
from lab.data.language import resolve_language
from lab.data.sources import read_source, split_phrase
from lab.data.splits import assign_splits, carver, iterative_split, quantile_bins
from lab.errors import LabError

__all__ = ["LabData", "TASK_CHOICES", "class_order", "clean", "fingerprint", "load", "subsample_train"]
TASK_CHOICES = ("auto", "single_label", "multi_label", "regression")


@dataclass
class LabData:
    """A split dataset, what it was loaded from, and the fingerprint that every run records.

    task, label_names and num_outputs are read from the "label" feature: ClassLabel (single_label),
    a List of ClassLabel (multi_label), a float Value (regression).
    """

    name: str
    spec: dict
    splits: DatasetDict
    fingerprint: str
    notes: list[str] = field(default_factory=list)
    language: str = "en"  # ISO 639-1 code, detected or from language=
    own_test: bool = False  # the source brought its test split (Hub test, test_file=, split_column=): folds leave it

    @cached_property
    def task(self) -> str:
        feature = self.splits["train"].features["label"]
        if getattr(feature, "names", None) is not None:
            return "single_label"
        return "multi_label" if getattr(feature, "feature", None) is not None else "regression"

    @cached_property
    def label_names(self) -> list[str]:
        feature = self.splits["train"].features["label"]
        return list(getattr(feature, "names", None) or getattr(getattr(feature, "feature", None), "names", None) or [])

    @property
    def num_outputs(self) -> int:
        return 1 if self.task == "regression" else len(self.label_names)

    def texts(self, split: str) -> list[str]:
        # [:] reads the column in one Arrow call; datasets 4+ returns a lazy Column, and list() or np.asarray() over
        # it format one row at a time (79,220 texts and labels: 3.25 s against 0.02, benchmarks/column_reads.py)
        return self.splits[split]["text"][:]

    def labels(self, split: str) -> np.ndarray:
        """single_label: int64 class ids (n,); multi_label: float32 0/1 (n, n_labels); regression: float64 (n,)."""
        column = self.splits[split]["label"][:]
        if self.task == "multi_label":
            matrix = np.zeros((len(column), len(self.label_names)), dtype=np.float32)
            for row, ids in enumerate(column):
                matrix[row, list(ids)] = 1.0
            return matrix
        return np.asarray(column, dtype=np.float64 if self.task == "regression" else np.int64)


def load(dataset: str = "bbc-news", text_column: str | None = None, label_column: str | None = None,
         encoding: str = "utf-8", seed: int = 42, dataset_config: str | None = None,
         duplicates: str = "near", *, task: str = "auto", label_sep: str | None = None,
         validation_file: str | None = None, test_file: str | None = None, split_column: str | None = None,
         language: str | None = None) -> LabData:
    if task not in TASK_CHOICES:
        raise LabError(f"task={task} is not a task; choose one of: {', '.join(TASK_CHOICES)}")
    if label_sep == "":
        raise LabError("label_sep= is empty; give the character that joins a row's labels, e.g. label_sep=';'")
    raw = read_source(dataset, text_column, label_column, encoding, dataset_config, split_column, validation_file,
                      test_file)
    notes: list[str] = []
    task = detect_task(raw, task, label_sep, notes)
    parse = parser(task, label_sep)
    cleaned = {name: clean(texts, labels, name, notes, parse, raw) for name, (texts, labels) in raw.items()}
    check_targets(task, cleaned, dataset)
    cleaned = drop_repeats(cleaned, duplicates, notes)
    names = label_space(task, cleaned, raw.label_order, notes, raw.class_names)
    if task == "single_label" and len(names) < 2:
        raise LabError(f"dataset '{dataset}' has {len(names)} class ({', '.join(names)}); "
                       f"a classifier needs at least 2: check label_column=")
    splits = assign_splits(cleaned, seed, carver(task, names))
    rare_label_note(task, splits, names, notes)
    code = resolve_language(splits["train"][0], language, notes)
    spec = {"dataset": dataset, "dataset_config": dataset_config, "text_column": text_column,
            "label_column": label_column, "encoding": encoding, "seed": seed, "duplicates": duplicates,
            "task": task, "label_sep": label_sep, "validation_file": validation_file, "test_file": test_file,
            "split_column": split_column, "language": code}
    return LabData(slug(dataset), spec, to_dataset_dict(splits, names, task), fingerprint(splits["test"], names, task),
                   notes, code, own_test="all" not in cleaned)


def clean(texts: list, labels: list, split: str, notes: list[str], parse=None, raw=None) -> tuple[list, list]:
    """Drop rows with an empty text or a missing label, and say how many went; parse each label for the task."""
    parse = parse or parser("single_label", None)
    keep_texts, keep_labels = [], []
    empty = missing = 0
    for row, (text, label) in enumerate(zip(texts, labels)):
        value = parse(label, lambda: where(raw or {}, split, row))
        if value is None:
            missing += 1
        elif text is None or (isinstance(text, float) and text != text) or not str(text).strip():
            empty += 1
        else:
            keep_texts.append(str(text))
            keep_labels.append(value)
    if not keep_texts:
        place = "the dataset" if split == "all" else f"its {split} split"  # "all": a file not yet split
        if not texts:
            raise LabError(f"{place} has no rows (a header alone?); give a file with labelled texts")
        problem = "every label is missing" if missing == len(texts) else "every text is empty"
        raise LabError(f"no usable rows in {place}: {problem}; check text_column= and label_column=")
    if empty or missing:
        notes.append(f"dropped {empty} rows with empty text and {missing} rows with a missing label from {split_phrase(split)}")
    return keep_texts, keep_labels


def rare_label_note(task: str, splits: dict, names: list[str], notes: list[str]) -> None:
    """Multi-label: name the labels some split lacks (too rare to be in all three), since their scores are partial."""
    if task != "multi_label":
        return
    missing = [name for name in names if any(not any(name in s for s in labels) for _, labels in splits.values())]
    if missing:
        shown = ", ".join(missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
        notes.append(f"labels {shown} are missing from at least one split (too few rows to place in all three)")


def to_dataset_dict(splits: dict, names: list[str], task: str = "single_label"):
    from datasets import ClassLabel, Dataset, DatasetDict, Features, List, Value

    label = {"single_label": lambda: ClassLabel(names=names), "multi_label": lambda: List(ClassLabel(names=names)),
             "regression": lambda: Value("float64")}[task]()
    features = Features({"text": Value("string"), "label": label})
    index = {name: i for i, name in enumerate(names)}
    encode = {"single_label": lambda value: index[value], "regression": float,
              "multi_label": lambda value: [index[name] for name in value]}[task]
    return DatasetDict({
        name: Dataset.from_dict({"text": texts, "label": [encode(label) for label in labels]}, features=features)
        for name, (texts, labels) in splits.items()
    })


def fingerprint(test: tuple[list, list], names: list[str], task: str = "single_label") -> str:
    """A hash of the test set's texts and labels: runs that share it were scored on the same examples.

    single_label hashes (text, class name) pairs alone, as before tasks existed, so earlier runs keep their
    fingerprint; the other tasks hash the task and the label space first, then (text, label set or target).
    """
    digest = hashlib.sha256()
    if task != "single_label":
        digest.update(json.dumps([task, names]).encode("utf-8"))
        digest.update(b"\n")
    for text, label in zip(*test):
        digest.update(json.dumps([text, list(label) if isinstance(label, tuple) else label]).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()[:16]


def slug(dataset: str) -> str:
    if dataset == "bbc-news":
        return dataset
    path = Path(dataset)
    base = path.stem if path.suffix else path.name if path.exists() else dataset
    return re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("_") or "dataset"


def subsample_train(data: LabData, size: int, seed: int) -> LabData:
    """The same data with a stratified, seeded subset of `size` training examples; validation and test unchanged.

    Used by the data-efficiency experiment: every size is scored on the same test split (same fingerprint).
    Stratified as the split is: per class, per quantile bin of the target, or iteratively over the label sets.
    """
    labels = data.labels("train")
    if size >= len(labels):
        return data
    if data.task == "single_label" and size < len(data.label_names):
        raise LabError(f"train size {size} is smaller than the {len(data.label_names)} classes; "
                       f"give train_sizes of at least {len(data.label_names)}")
    if data.task == "multi_label":
        chosen = label_set_subset(labels, size, seed)
    else:
        groups = labels if data.task == "single_label" else quantile_bins(labels)
        chosen = quota_subset(groups, max(len(data.label_names), int(groups.max()) + 1), size, seed)
    splits = data.splits.copy()
    splits["train"] = data.splits["train"].select(chosen.tolist())
    return replace(data, spec={**data.spec, "train_size": size}, splits=splits)


def quota_subset(groups: np.ndarray, n_groups: int, size: int, seed: int) -> np.ndarray:
    """size rows, each group's share of them rounded, at least one row per group."""
    rng = np.random.default_rng(seed)
    counts = np.bincount(groups, minlength=n_groups)
    quota = np.maximum(1, np.floor(counts / counts.sum() * size)).astype(int)
    for c in np.argsort(-(counts / counts.sum() * size - quota))[: max(0, size - quota.sum())]:
        quota[c] += 1  # hand the rounding remainder to the groups that lost the most to it
    return np.sort(np.concatenate([rng.permutation(np.flatnonzero(groups == c))[:quota[c]]
                                   for c in range(len(quota))]))


def label_set_subset(matrix: np.ndarray, size: int, seed: int) -> np.ndarray:
    """size rows chosen by iterative stratification, trimmed or topped up at random to exactly size."""
    names = [str(i) for i in range(matrix.shape[1])]
    label_sets = [tuple(names[i] for i in np.flatnonzero(row)) for row in matrix]
    share = size / len(matrix)
    part = iterative_split(list(range(len(matrix))), label_sets, (share, 1 - share, 0.0), seed, names)
    chosen, rest = np.array(part["train"][0], dtype=int), np.array(part["validation"][0], dtype=int)
    rng = np.random.default_rng(seed)
    if len(chosen) > size:
        chosen = rng.choice(chosen, size, replace=False)
    elif len(chosen) < size:
        chosen = np.concatenate([chosen, rng.choice(rest, size - len(chosen), replace=False)])
    return np.sort(chosen)
