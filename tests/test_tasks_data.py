"""The task as part of the data: detection from each input form, the contradictions, splits per task, the user's
own splits (validation_file=, test_file=, split_column=), and the fingerprint."""

import json
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from lab import data
from lab.data import splits as split_layer
from lab.errors import LabError

from tests.conftest import ASSETS

MULTI = str(ASSETS / "tiny_multilabel.csv")
REGRESSION = str(ASSETS / "tiny_regression.csv")
WORDS = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa".split()


def sentence(i: int) -> str:
    """A distinct text per i, sharing no word 3-gram with the others (so no near-copy is dropped)."""
    digits = [WORDS[int(d)] for d in f"{i:03d}"]
    return f"{' '.join(digits)} {WORDS[10 + i % 6]} {i} unique{i}"


def table(tmp_path, rows, name="d.csv", columns=("text", "label")):
    frame = pd.DataFrame(rows, columns=list(columns))
    path = tmp_path / name
    if name.endswith(".csv"):
        frame.to_csv(path, index=False)
    elif name.endswith(".jsonl"):
        frame.to_json(path, orient="records", lines=True)
    elif name.endswith(".json"):
        frame.to_json(path, orient="records")
    else:
        frame.to_parquet(path)
    return str(path)


def everything(loaded, split_labels=False):
    return [t for split in data.SPLITS for t in loaded.texts(split)]


# --- detection ---------------------------------------------------------------------------------------------

def test_decimal_scores_are_regression_with_float_targets():
    loaded = data.load(REGRESSION)
    assert loaded.task == "regression" and loaded.label_names == [] and loaded.num_outputs == 1
    assert loaded.labels("train").dtype == np.float64
    assert "task: regression" in loaded.notes[0]
    raw = pd.read_csv(REGRESSION)
    by_text = dict(zip(raw["text"], raw["label"]))
    assert [by_text[t] for t in loaded.texts("test")] == loaded.labels("test").tolist()
    assert type(loaded.splits["train"].features["label"]).__name__ == "Value"
    assert loaded.spec["task"] == "regression"


def test_label_sep_gives_multi_label_and_an_empty_cell_is_no_label():
    loaded = data.load(MULTI, label_sep=";")
    assert loaded.task == "multi_label" and loaded.label_names == ["food", "music", "sport"]
    raw = pd.read_csv(MULTI, keep_default_na=False)
    expected = {text: set(filter(None, labels.split(";"))) for text, labels in zip(raw["text"], raw["labels"])}
    for split in data.SPLITS:
        matrix = loaded.labels(split)
        assert matrix.dtype == np.float32 and matrix.shape == (len(loaded.texts(split)), 3)
        for text, row in zip(loaded.texts(split), matrix):
            assert {loaded.label_names[i] for i in np.flatnonzero(row)} == expected[text]
    assert sum(len(loaded.texts(s)) for s in data.SPLITS) == 40  # the 12 rows with no label are kept
    assert loaded.num_outputs == 3


@pytest.mark.parametrize("suffix", [".json", ".jsonl", ".parquet"])
def test_lists_in_json_and_parquet_are_multi_label(tmp_path, suffix):
    rows = [(sentence(i), [["b"], ["a", "b"], [], ["c"]][i % 4]) for i in range(40)]
    loaded = data.load(table(tmp_path, rows, f"d{suffix}"))
    assert loaded.task == "multi_label" and loaded.label_names == ["a", "b", "c"]
    assert "lists of labels" in loaded.notes[0]
    total = sum(loaded.labels(s).sum(axis=0) for s in data.SPLITS)
    assert total.tolist() == [10, 20, 10]


def test_several_zero_one_columns_are_multi_label_in_the_order_named(tmp_path):
    rows = [(sentence(i), i % 2, int(i % 3 == 0), 0) for i in range(30)]
    path = table(tmp_path, rows, columns=("text", "joy", "anger", "fear"))
    loaded = data.load(path, label_column="joy,anger,fear")
    # fear is never 1: it is left out of the label space, with a note; the others keep the order named, not sorted
    assert loaded.task == "multi_label" and loaded.label_names == ["joy", "anger"]
    assert any("fear occur in no row" in note for note in loaded.notes)
    assert "2 0/1 label columns" not in loaded.notes[0] and "3 0/1 label columns" in loaded.notes[0]
    by_text = {sentence(i): [i % 2, int(i % 3 == 0)] for i in range(30)}
    assert [by_text[t] for t in loaded.texts("test")] == loaded.labels("test").astype(int).tolist()


def test_star_takes_every_column_but_the_text_and_split_columns_as_labels(tmp_path):
    rows = [(sentence(i), ["train", "train", "validation", "test"][i % 4], i % 2, int(i % 3 == 0)) for i in range(40)]
    path = table(tmp_path, rows, columns=("text", "split", "joy", "anger"))
    loaded = data.load(path, label_column="*", split_column="split")
    assert loaded.task == "multi_label" and loaded.label_names == ["joy", "anger"]  # not "split"
    by_text = {sentence(i): [i % 2, int(i % 3 == 0)] for i in range(40)}
    assert [by_text[t] for t in loaded.texts("test")] == loaded.labels("test").astype(int).tolist()
    assert len(loaded.texts("test")) == 10


def test_zero_one_columns_and_no_label_column_say_how_to_name_them(tmp_path):
    rows = [(sentence(i), i % 2, int(i % 3 == 0), 7) for i in range(10)]
    path = table(tmp_path, rows, columns=("text", "joy", "anger", "id"))
    with pytest.raises(LabError, match=r"columns joy, anger hold only 0/1.*label_column='\*' for all 3 columns"):
        data.load(path)
    only_one = table(tmp_path, [(sentence(i), i % 2) for i in range(10)], "one.csv", columns=("text", "joy"))
    with pytest.raises(LabError, match="no label column found"):  # one 0/1 column: the usual message
        data.load(only_one)
    with pytest.raises(LabError, match="label_column=\\* wants two or more 0/1 label columns besides the text"):
        data.load(only_one, label_column="*")
    with pytest.raises(LabError, match="row 1 has '7' in label column 'id', not 0 or 1.*name only the label columns"):
        data.load(path, label_column="*")  # * takes the id column too


def test_a_non_zero_one_value_in_a_label_column_names_the_row(tmp_path):
    rows = [(sentence(i), i % 2, 1) for i in range(10)] + [("odd", 2, 0)]
    path = table(tmp_path, rows, columns=("text", "a", "b"))
    with pytest.raises(LabError, match="row 11 has '2' in label column 'a', not 0 or 1"):
        data.load(path, label_column="a,b")


def test_integer_labels_stay_classes_and_many_of_them_get_a_note(tmp_path):
    few = data.load(table(tmp_path, [(sentence(i), i % 3) for i in range(30)], "few.csv"), language="en")
    assert few.task == "single_label" and few.label_names == ["0", "1", "2"] and few.notes == []
    many = data.load(table(tmp_path, [(sentence(i), i % 21) for i in range(21 * 3)], "many.csv"), language="en")
    assert many.task == "single_label" and len(many.label_names) == 21
    assert many.notes == ["the labels are 21 distinct whole numbers, read as 21 classes; if they are scores or counts, "
                          "set task=regression"]
    forced = data.load(table(tmp_path, [(sentence(i), i % 21) for i in range(21 * 3)], "many.csv"), task="regression")
    assert forced.task == "regression" and forced.labels("test").dtype == np.float64


def test_a_label_set_read_as_a_class_suggests_label_sep():
    with pytest.raises(LabError, match=r"class 'food;sport' has 1 example\(s\).*set label_sep=';'$"):
        data.load(MULTI)


def test_single_label_data_is_unchanged_by_tasks(tiny_csv):
    loaded = data.load(tiny_csv)
    assert loaded.task == "single_label" and loaded.num_outputs == 2 and loaded.language == "en"
    assert loaded.labels("test").dtype == np.int64
    assert loaded.fingerprint == "6d6d39d380345236"  # the fingerprint tiny.csv had before tasks existed


# --- contradictions ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("rows, keys, expected", [
    ([("a", "1.5"), ("b", "x"), ("c", "2")], {"task": "regression"},
     "task=regression, but .* row 2 has the label 'x', which is not a number"),
    ([("a", "1.5"), ("b", "nan"), ("c", "2")], {}, "row 2 has the target nan: NaN and infinite targets"),
    ([("a", "1.5"), ("b", "2.5"), ("c", "inf")], {}, "row 3 has the target inf"),
    ([("a", "1.5"), ("b", "1.5"), ("c", "1.5")], {"task": "regression"}, "is 1.5 in every row; regression needs"),
    ([("a", ""), ("b", ""), ("c", "")], {"label_sep": ";"}, "empty in every row"),
    ([("a", "x"), ("b", "x"), ("c", "x")], {"label_sep": ";"}, r"every row .* has the same label set \(x\)"),
    ([("a", "joy;love"), ("b", "joy")], {"task": "multi_label"},
     "task=multi_label, but the labels are neither lists nor split by a separator .* give label_sep="),
    ([("a", "x"), ("b", "y")], {"task": "regression", "label_sep": ";"}, "label_sep= splits label sets"),
    ([("a", "x"), ("b", "y")], {"task": "ordinal"}, "task=ordinal is not a task; choose one of: auto"),
])
def test_each_contradiction_is_a_one_line_error_naming_the_fix(tmp_path, rows, keys, expected):
    path = tmp_path / "c.csv"
    pd.DataFrame(rows, columns=["text", "label"]).to_csv(path, index=False)
    with pytest.raises(LabError, match=expected) as raised:
        data.load(str(path), **keys)
    assert "\n" not in str(raised.value)


def test_lists_with_task_single_label_is_an_error(tmp_path):
    path = table(tmp_path, [(sentence(i), ["a"]) for i in range(6)], "d.json")
    with pytest.raises(LabError, match="row 1 holds a list of labels, but task=single_label; set task=multi_label"):
        data.load(path, task="single_label")


def test_the_cli_turns_a_contradiction_into_exit_status_2(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "c.csv"
    pd.DataFrame([("a", "1.5"), ("b", "x")], columns=["text", "label"]).to_csv(path, index=False)
    done = subprocess.run([sys.executable, "-m", "lab", "run", "classical", f"dataset={path}", "task=regression",
                           f"runs_dir={tmp_path}"], capture_output=True, text=True, cwd=ASSETS.parent.parent)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith("error: task=regression, but ")


# --- splits ------------------------------------------------------------------------------------------------

def test_iterative_stratification_puts_a_rare_label_in_every_split():
    # 100 texts; "rare" on 10 of them. A random 80/10/10 split misses it in validation or test about half the time.
    label_sets = [("common",) if i % 2 else () for i in range(100)]
    for i in range(0, 100, 10):
        label_sets[i] = label_sets[i] + ("rare",)
    texts = [f"t{i}" for i in range(100)]
    for seed in range(10):
        parts = split_layer.iterative_split(texts, label_sets, data.DEFAULT_FRACTIONS, seed, ["common", "rare"])
        assert {name: sum("rare" in s for s in labels) for name, (_, labels) in parts.items()} == \
            {"train": 8, "validation": 1, "test": 1}
        assert {name: len(t) for name, (t, _) in parts.items()} == {"train": 80, "validation": 10, "test": 10}
        assert sorted(sum((t for t, _ in parts.values()), [])) == sorted(texts)
    again = split_layer.iterative_split(texts, label_sets, data.DEFAULT_FRACTIONS, 3, ["common", "rare"])
    assert again == split_layer.iterative_split(texts, label_sets, data.DEFAULT_FRACTIONS, 3, ["common", "rare"])


def test_regression_splits_are_stratified_on_quantile_bins():
    targets = [float(i) for i in range(100)]
    bins = split_layer.quantile_bins(targets)
    assert Counter(bins.tolist()) == {b: 10 for b in range(10)}  # 10 equal-count bins of 10
    assert bins[:10].tolist() == [0] * 10 and bins[-10:].tolist() == [9] * 10
    parts = split_layer.binned_split([f"t{i}" for i in range(100)], targets, data.DEFAULT_FRACTIONS, seed=0)
    for name, count in (("validation", 1), ("test", 1), ("train", 8)):
        assert Counter(int(t // 10) for t in parts[name][1]) == {b: count for b in range(10)}  # one per decile


def test_a_repeated_text_with_two_targets_keeps_the_first_and_says_so(tmp_path):
    rows = [(sentence(i), i / 10) for i in range(30)] + [(sentence(3), 9.5)]
    loaded = data.load(table(tmp_path, rows))
    by_text = dict(zip(sum((loaded.texts(s) for s in data.SPLITS), []),
                       np.concatenate([loaded.labels(s) for s in data.SPLITS])))
    assert by_text[sentence(3)] == pytest.approx(0.3) and len(by_text) == 30
    assert any("1 of them labelled unlike the kept copy, whose label stands" in note for note in loaded.notes)


def test_every_task_keeps_each_text_in_one_split():
    for loaded in (data.load(MULTI, label_sep=";"), data.load(REGRESSION)):
        texts = everything(loaded)
        assert len(texts) == len(set(texts)) == 40


def test_subsample_train_is_stratified_for_every_task():
    regression = data.subsample_train(data.load(REGRESSION), 10, seed=0)
    assert len(regression.texts("train")) == 10 and regression.task == "regression"
    multi = data.load(MULTI, label_sep=";")
    small = data.subsample_train(multi, 16, seed=0)
    assert len(small.texts("train")) == 16 and small.fingerprint == multi.fingerprint
    assert set(small.texts("train")) <= set(multi.texts("train"))
    # iterative stratification keeps each label's share: train has food on 11 of 32 rows, so the half has 5 or 6
    share = multi.labels("train").mean(axis=0)
    assert np.abs(small.labels("train").mean(axis=0) - share).max() <= 1 / 16 + 1e-9


# --- the user's own splits ---------------------------------------------------------------------------------

def test_test_file_is_scored_exactly_and_a_test_text_seen_in_train_is_dropped_and_counted(tmp_path):
    train = [(sentence(i), "ab"[i % 2]) for i in range(30)]
    test = [(sentence(100 + i), "ab"[i % 2]) for i in range(6)] + [(sentence(4), "a")]  # sentence(4) is in train
    loaded = data.load(table(tmp_path, train, "train.csv"), test_file=table(tmp_path, test, "test.csv"))
    assert loaded.texts("test") == [t for t, _ in test[:6]]
    assert sorted(loaded.texts("train") + loaded.texts("validation")) == sorted(t for t, _ in train)  # train whole
    assert len(loaded.texts("validation")) == 4  # carved from train: 1/9 of each class of 15, rounded
    assert any(note.startswith("dropped 1 texts from the test split that repeat an earlier text") for note in loaded.notes)
    assert loaded.spec["test_file"].endswith("test.csv")
    changed = test[:5] + [(sentence(200), "b")]
    other = data.load(table(tmp_path, train, "train.csv"), test_file=table(tmp_path, changed, "test2.csv"))
    assert other.fingerprint != loaded.fingerprint


def test_validation_and_test_files_for_multi_label(tmp_path):
    make = lambda start, n: [(sentence(start + i), ["x;y", "x", ""][i % 3]) for i in range(n)]  # noqa: E731
    loaded = data.load(table(tmp_path, make(0, 30), "train.csv"), label_sep=";",
                       validation_file=table(tmp_path, make(100, 6), "dev.csv"),
                       test_file=table(tmp_path, make(200, 6), "test.csv"))
    assert loaded.task == "multi_label"
    assert loaded.texts("validation") == [t for t, _ in make(100, 6)] and len(loaded.texts("train")) == 30
    assert loaded.labels("test").tolist() == [[1, 1], [1, 0], [0, 0]] * 2


def test_split_column_gives_the_official_splits(tmp_path):
    rows = [(sentence(i), round(i * 0.37 % 3, 2), ["train", "dev", "test", "train", "TRAIN"][i % 5]) for i in range(40)]
    loaded = data.load(table(tmp_path, rows, columns=("text", "label", "split")), split_column="split")
    assert loaded.task == "regression"
    assert loaded.texts("test") == [t for t, _, s in rows if s == "test"]
    assert loaded.texts("validation") == [t for t, _, s in rows if s == "dev"]
    assert loaded.labels("test").tolist() == [y for _, y, s in rows if s == "test"]


def test_split_column_without_validation_carves_it_from_train(tmp_path):
    rows = [(sentence(i), "ab"[i % 2], "test" if i % 5 == 0 else "train") for i in range(50)]
    loaded = data.load(table(tmp_path, rows, columns=("text", "label", "split")), split_column="split")
    assert len(loaded.texts("test")) == 10 and len(loaded.texts("validation")) + len(loaded.texts("train")) == 40


@pytest.mark.parametrize("split_values, keys, expected", [
    (["train", "test", "holdout"], {"split_column": "split"},
     r"d.csv row 3 has 'holdout' in split column 'split'; each row needs train, validation \(or dev\) or test"),
    (["train", "train", "dev"], {"split_column": "split"}, "has no test rows"),
    (["train"] * 3, {"split_column": "part"}, "split column 'part' not found"),
    (["train"] * 3, {"validation_file": "v.csv"}, "validation_file= given without test_file="),
    (["train"] * 3, {"split_column": "split", "test_file": "t.csv"}, "give the splits one way"),
])
def test_bad_own_splits_are_one_line_errors(tmp_path, split_values, keys, expected):
    rows = [(sentence(i), "ab"[i % 2], s) for i, s in enumerate(split_values)]
    path = table(tmp_path, rows, columns=("text", "label", "split"))
    with pytest.raises(LabError, match=expected):
        data.load(path, **keys)


def test_own_splits_need_a_table_file():
    with pytest.raises(LabError, match="split_column set, but 'bbc-news' is not a table file"):
        data.load("bbc-news", split_column="split")


# --- the fingerprint ---------------------------------------------------------------------------------------

def test_fingerprint_covers_the_task_and_the_label_space():
    test = (["a", "b"], [1.0, 2.0])
    assert data.fingerprint(test, [], "regression") != data.fingerprint(test, [], "single_label")
    sets = (["a", "b"], [("x",), ()])
    assert data.fingerprint(sets, ["x", "y"], "multi_label") != data.fingerprint(sets, ["x", "z"], "multi_label")
    loaded = data.load(MULTI, label_sep=";")
    test = (loaded.texts("test"), [tuple(loaded.label_names[i] for i in np.flatnonzero(row))
                                   for row in loaded.labels("test")])
    assert data.fingerprint(test, loaded.label_names, "multi_label") == loaded.fingerprint
    assert json.dumps(loaded.spec)  # the spec stays JSON for the run record


def test_a_hub_sequence_of_class_label_is_multi_label_in_the_features_order(monkeypatch):
    import datasets

    from lab.data import sources

    names = ["sadness", "joy", "anger"]  # the feature's order, not sorted
    features = datasets.Features({"text": datasets.Value("string"),
                                  "labels": datasets.Sequence(datasets.ClassLabel(names=names))})
    rows = lambda start, n: {"text": [sentence(start + i) for i in range(n)],  # noqa: E731
                             "labels": [[[0], [1, 2], [], [2]][i % 4] for i in range(n)]}
    hub = datasets.DatasetDict({"train": datasets.Dataset.from_dict(rows(0, 40), features=features),
                                "test": datasets.Dataset.from_dict(rows(100, 8), features=features)})
    monkeypatch.setattr(sources, "hub_offline", lambda: False)
    monkeypatch.setattr(sources, "hub_reachable", lambda: True)
    monkeypatch.setattr(datasets, "load_dataset", lambda spec, config=None: hub)
    loaded = data.load("someone/emotions")
    assert loaded.task == "multi_label" and loaded.label_names == names
    assert "a Hub Sequence of ClassLabel" in loaded.notes[0]
    assert loaded.texts("test") == rows(100, 8)["text"]
    assert loaded.labels("test").tolist() == [[1, 0, 0], [0, 1, 1], [0, 0, 0], [0, 0, 1]] * 2
