"""Multi-label and regression datasets built by hand from the tiny fixtures in tests/assets/, in the shape the data
layer of issue 22 hands the recipes (task, label_names, num_outputs, language, labels(split) per lab/tasks.py), so
the recipes and the runner are tested on every task without depending on how detection and splitting work."""

import csv
from pathlib import Path

import numpy as np

ASSETS = Path(__file__).resolve().parent / "assets"
REGRESSION = ASSETS / "learnable_regression.csv"
MULTI_LABEL = ASSETS / "learnable_multilabel.csv"
LABELS = ["food", "music", "sport"]


class TaskData:
    """What recipes and the runner read of a LabData. splits: each row's split; by default every 5th row is test
    and the row after it validation."""

    def __init__(self, name: str, task: str, texts: list[str], labels: list, label_names: list[str],
                 language: str = "en", splits: list[str] | None = None):
        from datasets import Dataset, DatasetDict, Features, Sequence, ClassLabel, Value

        self.name, self.task, self.language, self.label_names = name, task, language, label_names
        self.num_outputs = len(label_names) or 1
        self.spec, self.notes, self.fingerprint = {"dataset": name}, [], f"{name}-fixture"
        label_feature = Sequence(ClassLabel(names=label_names)) if task == "multi_label" else Value("float64")
        features = Features({"text": Value("string"), "label": label_feature})
        pattern = ["train", "train", "train", "test", "validation"]
        splits = splits or [pattern[i % 5] for i in range(len(texts))]
        self.splits = DatasetDict({split: Dataset.from_dict(
            {"text": [t for t, s in zip(texts, splits) if s == split],
             "label": [y for y, s in zip(labels, splits) if s == split]}, features=features)
            for split in ("train", "validation", "test")})

    def texts(self, split: str) -> list[str]:
        return list(self.splits[split]["text"])

    def labels(self, split: str) -> np.ndarray:
        column = self.splits[split]["label"]
        if self.task == "regression":
            return np.asarray(column, dtype=np.float64)
        matrix = np.zeros((len(column), len(self.label_names)), dtype=np.float32)
        for row, ids in enumerate(column):
            matrix[row, ids] = 1.0
        return matrix


def rows(path: Path) -> list[dict]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def regression_data(language: str = "en") -> TaskData:
    table = rows(REGRESSION)
    return TaskData("tiny-regression", "regression", [r["text"] for r in table], [float(r["score"]) for r in table],
                    [], language)


def multi_label_data() -> TaskData:
    table = rows(MULTI_LABEL)
    label_sets = [[LABELS.index(name) for name in r["labels"].split(";") if name] for r in table]
    return TaskData("tiny-multilabel", "multi_label", [r["text"] for r in table], label_sets, LABELS)
