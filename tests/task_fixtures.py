"""Multi-label and regression datasets split by hand from the learnable fixtures in tests/assets/: real LabData
objects (their task follows from the "label" feature), so the recipes and the runner are tested on every task with
fixed, known splits, whatever the data layer's own stratified splitting picks."""

import csv
from pathlib import Path

from lab.data import LabData

ASSETS = Path(__file__).resolve().parent / "assets"
REGRESSION = ASSETS / "learnable_regression.csv"
MULTI_LABEL = ASSETS / "learnable_multilabel.csv"
LABELS = ["food", "music", "sport"]


def hand_split(name: str, task: str, texts: list[str], labels: list, label_names: list[str],
               language: str = "en", splits: list[str] | None = None) -> LabData:
    """labels: label-id lists (multi-label) or floats (regression). splits: each row's split; by default every
    5th row is test and the row after it validation."""
    from datasets import ClassLabel, Dataset, DatasetDict, Features, Sequence, Value

    label_feature = Sequence(ClassLabel(names=label_names)) if task == "multi_label" else Value("float64")
    features = Features({"text": Value("string"), "label": label_feature})
    pattern = ["train", "train", "train", "test", "validation"]
    splits = splits or [pattern[i % 5] for i in range(len(texts))]
    dataset = DatasetDict({split: Dataset.from_dict(
        {"text": [t for t, s in zip(texts, splits) if s == split],
         "label": [y for y, s in zip(labels, splits) if s == split]}, features=features)
        for split in ("train", "validation", "test")})
    return LabData(name, {"dataset": name}, dataset, f"{name}-fixture", [], language)


def rows(path: Path) -> list[dict]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def regression_data(language: str = "en") -> LabData:
    table = rows(REGRESSION)
    return hand_split("learnable-regression", "regression", [r["text"] for r in table],
                      [float(r["score"]) for r in table], [], language)


def multi_label_data(label_names: list[str] = LABELS) -> LabData:
    """label_names may add labels no text carries."""
    table = rows(MULTI_LABEL)
    label_sets = [[label_names.index(name) for name in r["labels"].split(";") if name] for r in table]
    return hand_split("learnable-multilabel", "multi_label", [r["text"] for r in table], label_sets, label_names)
