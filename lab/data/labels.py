"""The task a dataset poses, read from its labels, and each task's label form before the split.

Detection (task=auto), on the raw labels of every split:
- multi_label when the labels are lists (JSON/JSONL/Parquet lists, a Hub Sequence of ClassLabel), when several 0/1
  columns are named (label_column=anger,joy,fear), or when label_sep= is given ("joy;love"; an empty cell is a text
  with no label, which is valid);
- regression when every label parses as a finite or non-finite number and some are not whole numbers;
- single_label otherwise. Whole numbers stay classes; more than MANY_CLASSES of them get a note suggesting
  task=regression.
task= overrides the detection; a contradiction is a LabError naming the row and the fix.

Cleaned labels: single_label a str (the class name), multi_label a tuple of label names, regression a float.
A float NaN (a JSON null, a Parquet gap) is a missing label and its row is dropped, as for every task; the text
"nan" or an infinite number is an error, since it is a value, not a gap.
"""

from __future__ import annotations

import math
import re

import numpy as np

from lab.errors import LabError

MANY_CLASSES = 20
INTEGER = re.compile(r"^[+-]?\d+$")
LISTS = (list, tuple, np.ndarray)
SEPARATORS = (";", "|")  # what joins label sets in the files people bring; a hint, never a guess acted on


def is_missing(label) -> bool:
    return label is None or (isinstance(label, float) and math.isnan(label)) or str(label).strip() == ""


def as_number(label) -> float | None:
    """The label as a float, or None when it is not a number (booleans are not numbers here)."""
    if isinstance(label, bool) or isinstance(label, LISTS):
        return None
    try:
        return float(str(label).strip())
    except ValueError:
        return None


def label_text(label) -> str:
    if isinstance(label, float) and label.is_integer():
        return str(int(label))  # pandas turns an integer column with gaps into floats: 3.0 is class "3"
    return str(label).strip()


def detect_task(raw, requested: str, label_sep: str | None, notes: list[str]) -> str:
    """The task, detected from the raw labels (requested == "auto") or checked against them."""
    values = [(split, row, label) for split, (_, labels) in raw.items() for row, label in enumerate(labels)
              if not (is_missing(label) and label_sep is None)]
    listed = raw.label_order is not None or any(isinstance(label, LISTS) for _, _, label in values)
    if label_sep is not None and requested not in ("auto", "multi_label"):
        raise LabError(f"label_sep= splits label sets, which task={requested} does not have; drop label_sep= or "
                       f"set task=multi_label")
    if requested == "multi_label" and not (listed or label_sep is not None):
        split, row, label = values[0] if values else ("all", 0, "")
        raise LabError(f"task=multi_label, but the labels are neither lists nor split by a separator ({where(raw, split, row)} "
                       f"has '{label}'); give label_sep= (e.g. label_sep=';'), or label_column=a,b,c for 0/1 columns")
    if requested != "auto":
        return requested
    if listed or label_sep is not None:
        how = getattr(raw, "label_form", None) or ("lists of labels" if listed else
                                                    f"label sets joined by '{label_sep}'")
        notes.append(f"task: multi-label classification (the labels are {how}); set task= to override")
        return "multi_label"
    numbers = [as_number(label) for _, _, label in values]
    if numbers and all(n is not None for n in numbers):
        if any(not n.is_integer() for n in numbers if math.isfinite(n)):
            notes.append("task: regression (every label is a number, some with decimals); set task= to override")
            return "regression"
        distinct = len(set(numbers))
        if distinct > MANY_CLASSES:
            notes.append(f"the labels are {distinct} distinct whole numbers, read as {distinct} classes; if they are "
                         f"scores or counts, set task=regression")
    joined = [(sep, str(label)) for sep in SEPARATORS for _, _, label in values if sep in str(label)]
    if joined:
        notes.append(f"some labels hold '{joined[0][0]}' (e.g. '{joined[0][1]}'), read as classes of their own; if they "
                     f"are label sets, set label_sep='{joined[0][0]}'")
    return "single_label"


def where(raw, split: str, index: int) -> str:
    """How an error names a row: its file (or split) and its row number in that file, 1-based, header not counted."""
    from lab.data.sources import split_phrase

    rows = getattr(raw, "rows", {}).get(split)
    source = getattr(raw, "where", {}).get(split) or split_phrase(split)
    return f"{source} row {rows[index] if rows else index + 1}"


def parser(task: str, label_sep: str | None):
    """parse(label, name_row) -> the cleaned label, or None when it is missing; name_row() names the row."""
    return {"single_label": parse_single, "regression": parse_number,
            "multi_label": lambda label, name_row: parse_set(label, name_row, label_sep)}[task]


def parse_single(label, name_row):
    if isinstance(label, LISTS):
        raise LabError(f"{name_row()} holds a list of labels, but task=single_label; set task=multi_label "
                       f"(or task=auto)")
    return None if is_missing(label) else label_text(label)


def parse_number(label, name_row):
    if is_missing(label):
        return None
    number = as_number(label)
    if number is None:
        raise LabError(f"task=regression, but {name_row()} has the label '{label}', which is not a number; fix that "
                       f"row, or set task=auto to read the labels as classes")
    if not math.isfinite(number):
        raise LabError(f"{name_row()} has the target {label}: NaN and infinite targets cannot be learned or scored; "
                       f"fix or drop that row")
    return number


def parse_set(label, name_row, label_sep: str | None):
    if isinstance(label, LISTS):
        names = [label_text(item) for item in label if not is_missing(item)]
    elif is_missing(label):
        if label_sep is None:
            return None  # a gap in a column of lists: a missing label, not an empty set
        names = []
    elif label_sep is not None:
        names = [part.strip() for part in str(label).split(label_sep) if part.strip()]
    else:
        names = [label_text(label)]  # a lone name among lists: a set of one
    return tuple(dict.fromkeys(names))


def check_targets(task: str, cleaned: dict, dataset: str) -> None:
    """The contradictions only the whole label column shows: nothing to learn."""
    labels = [label for _, split_labels in cleaned.values() for label in split_labels]
    if task == "regression" and len(set(labels)) == 1:
        raise LabError(f"the target of '{dataset}' is {labels[0]} in every row; regression needs a target that "
                       f"varies: check label_column=")
    if task == "multi_label":
        if not any(labels):
            raise LabError(f"the label set of '{dataset}' is empty in every row; check label_column= and label_sep=")
        if len(set(labels)) == 1:
            raise LabError(f"every row of '{dataset}' has the same label set ({', '.join(labels[0])}); there is "
                           f"nothing to learn: check label_column= and label_sep=")


def class_order(labels: list[str]) -> list[str]:
    unique = set(labels)
    if all(INTEGER.match(label) for label in unique):
        return sorted(unique, key=int)
    return sorted(unique)


def label_space(task: str, cleaned: dict, order: list[str] | None, notes: list[str],
                class_names: list[str] | None = None) -> list[str]:
    """single_label: the classes, in the source's own order where it has one (a Hub ClassLabel) or else sorted;
    multi_label: the labels that occur, in the source's order (0/1 columns, a Hub feature) or else sorted as classes
    are; regression: none."""
    labels = [label for _, split_labels in cleaned.values() for label in split_labels]
    if task == "regression":
        return []
    if task == "single_label":
        present = set(labels)
        return [name for name in class_names if name in present] if class_names else class_order(labels)
    seen = {name for label_set in labels for name in label_set}
    if order is None:
        return class_order(list(seen))
    unused = [name for name in order if name not in seen]
    if unused:
        notes.append(f"labels {', '.join(unused)} occur in no row and are left out of the label space")
    return [name for name in order if name in seen]
