"""The data layer: a dataset spec in, one cleaned, stratified, fingerprinted DatasetDict out.

Class ids follow one documented order: integer-like labels sort numerically ("2" before "10"),
any other labels sort as text. Hub datasets with a ClassLabel keep that feature's order.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from lab.data.duplicates import drop_repeats
from lab.errors import LabError
from lab.data.sources import read_source, split_phrase
from lab.data.splits import assign_splits

INTEGER = re.compile(r"^[+-]?\d+$")


@dataclass
class LabData:
    """A split dataset, what it was loaded from, and the fingerprint that every run records."""

    name: str
    spec: dict
    splits: "datasets.DatasetDict"  # noqa: F821  (imported lazily)
    fingerprint: str
    notes: list[str] = field(default_factory=list)

    @cached_property
    def label_names(self) -> list[str]:
        return list(self.splits["train"].features["label"].names)

    def texts(self, split: str) -> list[str]:
        return list(self.splits[split]["text"])

    def labels(self, split: str) -> np.ndarray:
        return np.asarray(self.splits[split]["label"], dtype=np.int64)


def load(dataset: str = "bbc-news", text_column: str | None = None, label_column: str | None = None,
         encoding: str = "utf-8", seed: int = 42, dataset_config: str | None = None,
         duplicates: str = "near") -> LabData:
    raw = read_source(dataset, text_column, label_column, encoding, dataset_config)
    notes: list[str] = []
    cleaned = {name: clean(texts, labels, name, notes) for name, (texts, labels) in raw.items()}
    cleaned = drop_repeats(cleaned, duplicates, notes)
    names = class_order([label for _, labels in cleaned.values() for label in labels])
    if len(names) < 2:
        raise LabError(f"dataset '{dataset}' has {len(names)} class ({', '.join(names)}); "
                       f"a classifier needs at least 2: check label_column=")
    splits = assign_splits(cleaned, seed)
    dataset_dict = to_dataset_dict(splits, names)
    spec = {"dataset": dataset, "dataset_config": dataset_config, "text_column": text_column,
            "label_column": label_column, "encoding": encoding, "seed": seed, "duplicates": duplicates}
    return LabData(slug(dataset), spec, dataset_dict, fingerprint(splits["test"], names), notes)


def clean(texts: list, labels: list, split: str, notes: list[str]) -> tuple[list[str], list[str]]:
    """Drop rows with an empty text or a missing label, and say how many went."""
    keep_texts, keep_labels = [], []
    empty = missing = 0
    for text, label in zip(texts, labels):
        if is_missing(label):
            missing += 1
        elif text is None or (isinstance(text, float) and math.isnan(text)) or not str(text).strip():
            empty += 1
        else:
            keep_texts.append(str(text))
            keep_labels.append(label_text(label))
    if not keep_texts:
        problem = "every label is missing" if missing == len(texts) else "every text is empty"
        where = "the dataset" if split == "all" else f"its {split} split"  # "all": a file not yet split
        raise LabError(f"no usable rows in {where}: {problem}; check text_column= and label_column=")
    if empty or missing:
        notes.append(f"dropped {empty} rows with empty text and {missing} rows with a missing label from {split_phrase(split)}")
    return keep_texts, keep_labels


def is_missing(label) -> bool:
    return label is None or (isinstance(label, float) and math.isnan(label)) or str(label).strip() == ""


def label_text(label) -> str:
    if isinstance(label, float) and label.is_integer():
        return str(int(label))  # pandas turns an integer column with gaps into floats: 3.0 is class "3"
    return str(label).strip()


def class_order(labels: list[str]) -> list[str]:
    unique = set(labels)
    if all(INTEGER.match(label) for label in unique):
        return sorted(unique, key=int)
    return sorted(unique)


def to_dataset_dict(splits: dict, names: list[str]):
    from datasets import ClassLabel, Dataset, DatasetDict, Features, Value

    features = Features({"text": Value("string"), "label": ClassLabel(names=names)})
    index = {name: i for i, name in enumerate(names)}
    return DatasetDict({
        name: Dataset.from_dict({"text": texts, "label": [index[label] for label in labels]}, features=features)
        for name, (texts, labels) in splits.items()
    })


def fingerprint(test: tuple[list, list], names: list[str]) -> str:
    """A hash of the test set's texts and label names: runs that share it were scored on the same examples."""
    digest = hashlib.sha256()
    for text, label in zip(*test):
        digest.update(json.dumps([text, label]).encode("utf-8"))
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
    """
    labels = data.labels("train")
    if size >= len(labels):
        return data
    if size < len(data.label_names):
        raise LabError(f"train size {size} is smaller than the {len(data.label_names)} classes; "
                       f"give train_sizes of at least {len(data.label_names)}")
    rng = np.random.default_rng(seed)
    counts = np.bincount(labels, minlength=len(data.label_names))
    quota = np.maximum(1, np.floor(counts / counts.sum() * size)).astype(int)
    for c in np.argsort(-(counts / counts.sum() * size - quota))[: max(0, size - quota.sum())]:
        quota[c] += 1  # hand the rounding remainder to the classes that lost the most to it
    chosen = np.sort(np.concatenate([rng.permutation(np.flatnonzero(labels == c))[:quota[c]]
                                     for c in range(len(quota))]))
    splits = data.splits.copy()
    splits["train"] = data.splits["train"].select(chosen.tolist())
    return LabData(data.name, {**data.spec, "train_size": size}, splits, data.fingerprint, data.notes)
