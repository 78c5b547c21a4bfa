import json
from collections import Counter

import pandas as pd
import pytest

from lab import data
from lab.data import splits as split_layer
from lab.data.dataset import class_order
from lab.errors import LabError

ROWS = [(f"sport text number {i} about the match", "sport") for i in range(10)] + \
       [(f"cooking text number {i} about the oven", "cooking") for i in range(10)]


def frame(rows=ROWS, text="text", label="label"):
    return pd.DataFrame(rows, columns=[text, label])


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".json", ".jsonl", ".parquet"])
def test_each_file_format_loads_the_same_rows(tmp_path, suffix):
    path = tmp_path / f"corpus{suffix}"
    df = frame()
    {".csv": lambda: df.to_csv(path, index=False), ".tsv": lambda: df.to_csv(path, sep="\t", index=False),
     ".json": lambda: df.to_json(path, orient="records"), ".jsonl": lambda: df.to_json(path, orient="records", lines=True),
     ".parquet": lambda: df.to_parquet(path)}[suffix]()
    loaded = data.load(str(path))
    assert loaded.label_names == ["cooking", "sport"]
    assert sum(len(s) for s in loaded.splits.values()) == 20
    texts = sorted(t for split in data.SPLITS for t in loaded.texts(split))
    assert texts == sorted(t for t, _ in ROWS)
    assert loaded.name == "corpus"


def test_class_folder_loads_one_class_per_subfolder(tmp_path):
    for text, label in ROWS:
        folder = tmp_path / "corpus" / label
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{len(list(folder.iterdir()))}.txt").write_text(text)
    loaded = data.load(str(tmp_path / "corpus"))
    assert loaded.label_names == ["cooking", "sport"]
    assert Counter(loaded.labels("train").tolist() + loaded.labels("validation").tolist()
                   + loaded.labels("test").tolist()) == {0: 10, 1: 10}


def test_obvious_column_names_are_detected(tmp_path):
    path = tmp_path / "reviews.csv"
    frame(text="Review", label="category").to_csv(path, index=False)
    assert data.load(str(path)).label_names == ["cooking", "sport"]


def test_explicit_columns(tmp_path):
    path = tmp_path / "c.csv"
    frame(text="body", label="topic").to_csv(path, index=False)
    assert len(data.load(str(path), text_column="body", label_column="topic").texts("train")) == 16


def test_integer_labels_keep_numeric_order(tmp_path):
    rows = [(f"text {i}", [2, 10, 1][i % 3]) for i in range(30)]
    path = tmp_path / "ints.csv"
    frame(rows).to_csv(path, index=False)
    assert data.load(str(path)).label_names == ["1", "2", "10"]


def test_string_labels_sort_as_text():
    assert class_order(["b", "a", "C"]) == ["C", "a", "b"]
    assert class_order(["10", "2", "-1"]) == ["-1", "2", "10"]


def test_default_split_is_stratified_80_10_10_and_deterministic():
    texts = [f"t{i}" for i in range(100)]
    labels = ["a"] * 60 + ["b"] * 40
    first = data.stratified_split(texts, labels, data.DEFAULT_FRACTIONS, seed=3)
    again = data.stratified_split(texts, labels, data.DEFAULT_FRACTIONS, seed=3)
    other = data.stratified_split(texts, labels, data.DEFAULT_FRACTIONS, seed=4)
    assert first == again and first["test"] != other["test"]
    assert {k: Counter(v[1]) for k, v in first.items()} == {
        "train": {"a": 48, "b": 32}, "validation": {"a": 6, "b": 4}, "test": {"a": 6, "b": 4}}


def test_existing_splits_are_respected_and_validation_is_carved_from_train():
    train = ([f"t{i}" for i in range(40)], ["a", "b"] * 20)
    test = (["x", "y"], ["a", "b"])
    splits = split_layer.assign_splits({"train": train, "test": test}, seed=0)
    assert splits["test"] == test
    assert len(splits["validation"][0]) == 4 and len(splits["train"][0]) == 36  # 1/9 of each class of 20
    assert set(splits["train"][0]) | set(splits["validation"][0]) == set(train[0])


def test_fingerprint_depends_on_test_texts_and_labels(tiny_csv):
    first, again = data.load(tiny_csv), data.load(tiny_csv)
    assert first.fingerprint == again.fingerprint
    assert data.load(tiny_csv, seed=1).fingerprint != first.fingerprint
    test = (first.texts("test"), [first.label_names[i] for i in first.labels("test")])
    assert data.fingerprint(test, first.label_names) == first.fingerprint
    swapped = ["sport" if label == "cooking" else "cooking" for label in test[1]]
    assert data.fingerprint((test[0], swapped), first.label_names) != first.fingerprint


def test_rows_with_empty_text_or_missing_label_are_dropped_and_counted(tmp_path):
    path = tmp_path / "gaps.csv"
    frame(ROWS + [("", "sport"), ("   ", "cooking"), ("no label here", None)]).to_csv(path, index=False)
    loaded = data.load(str(path))
    assert sum(len(s) for s in loaded.splits.values()) == 20
    assert loaded.notes == ["dropped 2 rows with empty text and 1 rows with a missing label from the dataset"]


def test_repeated_texts_are_dropped_before_the_split_and_counted(tmp_path):
    path = tmp_path / "repeats.csv"
    repeats = [(ROWS[0][0], "sport"), ("  " + ROWS[1][0].replace(" ", "\n  "), "sport"), (ROWS[2][0], "cooking")]
    frame(ROWS + repeats).to_csv(path, index=False)
    loaded = data.load(str(path))
    texts = [t for split in data.SPLITS for t in loaded.texts(split)]
    assert sorted(texts) == sorted(t for t, _ in ROWS)  # each once, with the first copy's text and label
    assert loaded.notes == ["dropped 3 texts from the dataset that repeat an earlier text and 0 near-copies of one "
                            "(word 3-gram Jaccard >= 0.8), 1 of them labelled unlike the kept copy, whose label stands; "
                            "duplicates=exact keeps near-copies, duplicates=keep keeps all"]
    kept = data.load(str(path), duplicates="keep")
    assert sum(len(s) for s in kept.splits.values()) == 23 and kept.notes == []


def test_bbc_news_is_built_in_and_each_article_is_in_one_split():
    loaded = data.load("bbc-news")
    assert loaded.label_names == ["business", "entertainment", "politics", "sports", "tech"]
    # 2,225 files: 100 exact repeats and 57 near-copies of another article; 2,068 split 80/10/10 per class
    assert {k: len(v) for k, v in loaded.splits.items()} == {"train": 1656, "validation": 206, "test": 206}
    assert loaded.splits["train"].features["label"].names == loaded.label_names
    seen = [" ".join(t.split()) for split in data.SPLITS for t in loaded.texts(split)]
    assert len(set(seen)) == len(seen) == 2068
    assert sum(len(s) for s in data.load("bbc-news", duplicates="exact").splits.values()) == 2125
    assert sum(len(s) for s in data.load("bbc-news", duplicates="keep").splits.values()) == 2225


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)
    return str(path)


@pytest.mark.parametrize("make, expected", [
    (lambda p: str(p / "missing.csv"), "not found"),
    (lambda p: write(p, "book.xlsx", "x"), "unsupported dataset"),
    (lambda p: write(p, "c.csv", "body,label\nhello,a\n"), "columns present: body, label"),
    (lambda p: write(p, "c.csv", "text,label\n,a\n ,b\n"), "every text is empty"),
    (lambda p: write(p, "c.csv", "text,label\nhello,\nthere,\n"), "no usable rows in the dataset: every label is missing"),
    (lambda p: write(p, "c.csv", "text,label\n"), "the dataset has no rows (a header alone?)"),
    (lambda p: write(p, "c.csv", "text,label\nhello,a\nthere,a\n"), "at least 2"),
    (lambda p: write(p, "c.csv", "text,label\n" + "x,a\n" * 9 + "y,b\n"), "too few to stratify"),
    (lambda p: write(p, "c.csv", b"text,label\nok,a\ncaf\xe9,b\n"), "line 3 is not valid utf-8"),
    (lambda p: "someone/some-dataset", "Hugging Face Hub cannot be reached"),
])
def test_bad_input_gets_one_line_error_with_a_fix(tmp_path, make, expected):
    with pytest.raises(LabError) as raised:
        data.load(make(tmp_path))
    message = str(raised.value)
    assert expected in message and "\n" not in message


def test_missing_column_error_names_the_option(tmp_path):
    with pytest.raises(LabError, match="set text_column="):
        data.load(write(tmp_path, "c.csv", "text,label\nhi,a\n"), text_column="body")


def test_encoding_option_reads_latin1(tmp_path):
    rows = "text,label\n" + "".join(f"caf\xe9 {i},{'ab'[i % 2]}\n" for i in range(10))
    loaded = data.load(write(tmp_path, "c.csv", rows.encode("latin-1")), encoding="latin-1")
    assert any("café" in t for t in loaded.texts("train"))


def test_json_with_nested_records_reports_columns(tmp_path):
    path = write(tmp_path, "c.json", json.dumps([{"sentence": f"text {i}", "target": 1 + i % 2} for i in range(10)]))
    assert data.load(path).label_names == ["1", "2"]


@pytest.mark.parametrize("dataset", ["bbc-news", "folder"])
def test_column_keys_on_a_class_folder_dataset_are_an_error_not_ignored(dataset, tmp_path):
    if dataset == "folder":
        (tmp_path / "sport").mkdir()
        (tmp_path / "sport" / "a.txt").write_text("a goal")
        dataset = str(tmp_path)
    with pytest.raises(LabError, match="^text_column, label_column set, but .* has no columns"):
        data.load(dataset, text_column="body", label_column="topic")
