"""Table files (CSV, TSV, JSON, JSONL, Parquet): their columns, and the user's own splits.

A table gives one "all" split, unless the user brings the splits: validation_file= and test_file= (tables with the
same columns as the main file, which is then the train split), or split_column= (a column of train, validation,
dev or test). label_column= may name several 0/1 columns ("anger,joy,fear"), or "*" for every column but the text
(and split) column: each row's labels are then the names of its columns that hold 1, in the order given.
"""

from __future__ import annotations

import io
from pathlib import Path

from lab.errors import LabError

TABLE_SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".json": "json", ".jsonl": "jsonl", ".parquet": "parquet"}
TEXT_COLUMNS = ("text", "sentence", "review", "content", "document")
LABEL_COLUMNS = ("label", "labels", "category", "class", "target")
SPLIT_ALIASES = {"train": "train", "validation": "validation", "valid": "validation", "dev": "validation", "test": "test"}
ALL_OTHER_COLUMNS = "*"  # label_column=*: every column but the text (and split) column is a 0/1 label column
ZERO_ONE = {"0": False, "1": True, "0.0": False, "1.0": True, "false": False, "true": True}


class Raw(dict):
    """split name -> (texts, labels), before any cleaning; "all" when the source comes unsplit.

    label_order: the label names in the source's own order, where it has one (0/1 columns, a Hub Sequence of
    ClassLabel); class_names: a single-label source's own class order (a Hub ClassLabel), which ids keep;
    rows: split -> each row's number in its file (1-based, header not counted), for error messages;
    where: split -> how messages name the file that split came from.
    """

    def __init__(self, *args, label_order: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_order = label_order
        self.class_names: list[str] | None = None
        self.label_form: str | None = None  # how a multi-label source gives its label sets, for the task note
        self.rows: dict[str, list[int]] = {}
        self.where: dict[str, str] = {}


def decode(data: bytes, encoding: str, where: str) -> str:
    try:
        return data.decode(encoding)
    except LookupError:
        raise LabError(f"unknown encoding '{encoding}'; set encoding= to a Python codec such as utf-8 or latin-1") from None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise LabError(f"{where} line {line} is not valid {encoding} (byte 0x{data[exc.start]:02x}); "
                       f"set encoding= to the file's real encoding, e.g. encoding=latin-1") from None


def read_frame(path: Path, encoding: str):
    import pandas as pd

    kind = TABLE_SUFFIXES[path.suffix.lower()]
    if not path.is_file():
        raise LabError(f"dataset file '{path}' not found; check the path, or use dataset=bbc-news")
    try:
        if kind == "parquet":
            return pd.read_parquet(path)
        content = io.StringIO(decode(path.read_bytes(), encoding, str(path)))
        if kind in ("csv", "tsv"):
            return pd.read_csv(content, sep="\t" if kind == "tsv" else ",", dtype=object, keep_default_na=False,
                               na_values=[""])
        return pd.read_json(content, lines=kind == "jsonl", dtype=False)
    except LabError:
        raise
    except Exception as exc:  # pandas raises many parser types; the user needs the file and the reason
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise LabError(f"could not parse {path} as {kind} ({reason}); check the file's format") from None


def read_table(path: Path, text_column: str | None, label_column: str | None, encoding: str) -> tuple[list, list]:
    """One table's texts and labels (a list of label names per row when label_column names several 0/1 columns)."""
    texts, labels, _ = table_columns(read_frame(path, encoding), path, text_column, label_column)
    return texts, labels


def table_columns(frame, path, text_column: str | None, label_column: str | None, exclude: tuple = ()):
    """(texts, labels, label order or None) of a frame; several label columns give per-row lists of names.
    exclude: columns that are neither text nor labels (the split column)."""
    columns = [str(c) for c in frame.columns]
    text_col = pick_column(columns, text_column, TEXT_COLUMNS, "text", path)
    names = zero_one_columns(frame, columns, [c for c in columns if c != text_col and c not in exclude],
                             label_column, path)
    if names is None:
        label_col = pick_column(columns, label_column, LABEL_COLUMNS, "label", path)
        return list(frame[text_col]), list(frame[label_col]), None
    flags = [[zero_one(value, row, name, path) for row, value in enumerate(frame[name], 1)] for name in names]
    labels = [[name for name, column in zip(names, flags) if column[row]] for row in range(len(frame))]
    return list(frame[text_col]), labels, names


def zero_one_columns(frame, columns: list[str], others: list[str], label_column: str | None, path) -> list | None:
    """The 0/1 label columns of a multi-label table: those label_column names (a,b,c), or all the others (*); None
    for one label column. A table with no label column whose other columns hold only 0/1 is told how to say so."""
    if label_column == ALL_OTHER_COLUMNS:
        if len(others) < 2:
            raise LabError(f"label_column=* wants two or more 0/1 label columns besides the text; {path} has "
                           f"{len(others)}: {', '.join(others) or 'none'}; name the label column instead")
        return others
    if label_column is not None and "," in label_column:
        names = [name.strip() for name in label_column.split(",") if name.strip()]
        for name in names:
            pick_column(columns, name, (), "label", path)
        return names
    if label_column is None and not any(c.lower() in LABEL_COLUMNS for c in columns):
        flags = [c for c in others if frame[c].astype(str).str.strip().str.lower().isin(ZERO_ONE).all()]
        if len(flags) >= 2:
            shown = ", ".join(flags[:4]) + (f", ... ({len(flags)} in all)" if len(flags) > 4 else "")
            raise LabError(f"no label column found in {path} (looked for {', '.join(LABEL_COLUMNS)}), but its columns "
                           f"{shown} hold only 0/1, like multi-label columns: give label_column='*' for all "
                           f"{len(others)} columns besides the text, label_column=a,b,c for some, or "
                           f"label_column=NAME for one")
    return None


def zero_one(value, row: int, column: str, path) -> bool:
    flag = ZERO_ONE.get(str(value).strip().lower())
    if flag is None:
        raise LabError(f"{path} row {row} has '{value}' in label column '{column}', not 0 or 1; several label "
                       f"columns (label_column=a,b,c, or '*' for all but the text) must hold 0/1: fix that row, or "
                       f"name only the label columns")
    return flag


def pick_column(columns: list[str], wanted: str | None, candidates: tuple, role: str, where) -> str:
    if wanted is not None:
        if wanted in columns:
            return wanted
        raise LabError(f"{role} column '{wanted}' not found in {where}; columns present: {', '.join(columns)}; "
                       f"set {role}_column= to one of them")
    lowered = {c.lower(): c for c in columns}
    for name in candidates:
        if name in lowered:
            return lowered[name]
    raise LabError(f"no {role} column found in {where} (looked for {', '.join(candidates)}); "
                   f"columns present: {', '.join(columns)}; set {role}_column= to one of them")


def read_tables(path: Path, text_column: str | None, label_column: str | None, encoding: str,
                split_column: str | None = None, validation_file: str | None = None,
                test_file: str | None = None) -> Raw:
    """The main table as one "all" split, or as the user's own splits (split_column=, or the split files)."""
    frame = read_frame(path, encoding)
    if split_column is not None:
        return split_by_column(frame, path, text_column, label_column, split_column)
    texts, labels, order = table_columns(frame, path, text_column, label_column)
    if validation_file is None and test_file is None:
        raw = Raw({"all": (texts, labels)}, label_order=order)
        raw.where["all"] = str(path)
        return with_form(raw)
    if test_file is None:
        raise LabError("validation_file= given without test_file=; give test_file= too (a missing validation split "
                       "is carved from train, a missing test split is not)")
    raw = Raw({"train": (texts, labels)}, label_order=order)
    raw.where["train"] = str(path)
    for split, file in (("validation", validation_file), ("test", test_file)):
        if file is None:
            continue
        other = Path(file).expanduser()
        if other.suffix.lower() not in TABLE_SUFFIXES:
            raise LabError(f"{split}_file '{file}' is not a .csv, .tsv, .json, .jsonl or .parquet file; give a table "
                           f"with the same columns as dataset=")
        texts, labels, _ = table_columns(read_frame(other, encoding), other, text_column, label_column)
        raw[split], raw.where[split] = (texts, labels), f"{split}_file {other}"
    return with_form(raw)


def with_form(raw: Raw) -> Raw:
    if raw.label_order is not None:
        raw.label_form = f"{len(raw.label_order)} 0/1 label columns"
    return raw


def split_by_column(frame, path, text_column, label_column, split_column: str) -> Raw:
    """Rows grouped by the split column's value (train, validation, valid, dev, test; any case)."""
    column = pick_column([str(c) for c in frame.columns], split_column, (), "split", path)
    texts, labels, order = table_columns(frame, path, text_column, label_column, exclude=(column,))
    raw = Raw(label_order=order)
    for row, value in enumerate(frame[column], 1):
        split = SPLIT_ALIASES.get(str(value).strip().lower()) if value is not None else None
        if split is None:
            raise LabError(f"{path} row {row} has '{'' if value is None else value}' in split column '{column}'; "
                           f"each row needs train, validation (or dev) or test: fix that row")
        part = raw.setdefault(split, ([], []))
        part[0].append(texts[row - 1])
        part[1].append(labels[row - 1])
        raw.rows.setdefault(split, []).append(row)
    for needed in ("train", "test"):
        if needed not in raw:
            raise LabError(f"split column '{column}' of {path} has no {needed} rows; mark some rows {needed} "
                           f"(a missing validation split is carved from train, a missing {needed} split is not)")
    for split in raw:
        raw.where[split] = str(path)
    return with_form(raw)
