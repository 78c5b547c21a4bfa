"""Hub datasets (lab.data.sources.read_hub) through a mocked datasets.load_dataset: nothing is downloaded."""

import csv
from pathlib import Path

import pytest

from lab.data import load
from lab.data import sources
from lab.errors import LabError

TINY = Path(__file__).resolve().parent / "assets" / "tiny.csv"
NAMES = ["sport", "cooking"]  # a ClassLabel's own order, not the sorted one


def tiny_rows() -> list[tuple[str, str]]:
    with TINY.open(newline="") as handle:
        return [(row["text"], row["label"]) for row in csv.DictReader(handle)]


def hub_dataset(splits: dict[str, list[tuple[str, int]]], text="sentence", label="label"):
    """An in-memory DatasetDict as load_dataset returns it: ClassLabel ids, -1 for an unlabelled row."""
    from datasets import ClassLabel, Dataset, DatasetDict, Features, Value

    features = Features({text: Value("string"), label: ClassLabel(names=NAMES)})
    return DatasetDict({name: Dataset.from_dict({text: [t for t, _ in rows], label: [y for _, y in rows]},
                                                features=features) for name, rows in splits.items()})


def glue_like():
    """train, dev (a name to rename), test with two unlabelled rows, and a split the lab has no use for."""
    rows = [(text, NAMES.index(label)) for text, label in tiny_rows()]
    return {"train": rows[:24], "dev": rows[24:32], "test": rows[32:] + [("an unlabelled text", -1)] * 2,
            "unsupervised": [("spare text", -1)]}


@pytest.fixture
def hub(monkeypatch):
    """The Hub answers; load_dataset returns whatever the test put in hub["splits"] and records its arguments."""
    import datasets

    state = {"calls": [], "splits": glue_like(), "error": None}

    def load_dataset(spec, config_name=None):
        state["calls"].append((spec, config_name))
        if state["error"] is not None:
            raise state["error"]
        return hub_dataset(state["splits"])

    for name in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sources, "hub_reachable", lambda timeout=None: True)
    monkeypatch.setattr(datasets, "load_dataset", load_dataset)
    return state


def test_class_names_come_from_the_class_label_and_unlabelled_rows_become_missing(hub):
    raw = sources.read_source("someone/reviews", None, None, "utf-8", "plain")
    assert hub["calls"] == [("someone/reviews", "plain")]
    assert sorted(raw) == ["test", "train", "validation"]  # dev renamed; "unsupervised" left out
    texts, labels = raw["test"]
    expected = [label for _, label in tiny_rows()[32:]]
    assert labels == expected + [None, None] and texts[-1] == "an unlabelled text"
    assert raw["train"][1] == [label for _, label in tiny_rows()[:24]]


def test_loading_drops_the_unlabelled_rows_and_keeps_the_source_splits(hub):
    data = load("someone/reviews")
    assert [len(data.texts(split)) for split in ("train", "validation", "test")] == [24, 8, 8]
    assert "dropped 0 rows with empty text and 2 rows with a missing label from the test split" in data.notes
    names = data.label_names
    assert [names[i] for i in data.labels("test")] == [label for _, label in tiny_rows()[32:]]
    assert data.name == "someone_reviews"


def test_class_ids_follow_the_class_label_order(hub):
    assert load("someone/reviews").label_names == NAMES


@pytest.mark.parametrize("split_name", ["valid", "validation", "dev"])
def test_validation_split_names_are_renamed(hub, split_name):
    hub["splits"] = {name if name != "dev" else split_name: rows for name, rows in glue_like().items()}
    assert "validation" in sources.read_source("someone/reviews", None, None, "utf-8")


def test_a_dataset_without_a_train_split_is_a_lab_error(hub):
    hub["splits"] = {"test": glue_like()["test"]}
    with pytest.raises(LabError, match=r"^Hub dataset 'someone/reviews' has no train split; give a dataset with one$"):
        sources.read_source("someone/reviews", None, None, "utf-8")


def test_a_dataset_that_fails_to_load_is_a_lab_error_with_the_reason(hub):
    hub["error"] = ValueError("BuilderConfig 'nope' not found.\nAvailable: ['plain']")
    with pytest.raises(LabError, match=r"^could not load Hub dataset 'someone/reviews' \(BuilderConfig 'nope' not "
                                       r"found\.\); check the id and config$"):
        sources.read_source("someone/reviews", None, None, "utf-8", "nope")


def test_a_connection_failure_mid_load_says_the_hub_cannot_be_reached(hub):
    hub["error"] = ConnectionError("connection reset")
    with pytest.raises(LabError, match="the Hugging Face Hub cannot be reached"):
        sources.read_source("someone/reviews", None, None, "utf-8")


def test_a_missing_id_on_a_reachable_hub_is_could_not_load(hub):
    from datasets.exceptions import DatasetNotFoundError

    hub["error"] = DatasetNotFoundError("Dataset 'someone/reviews' doesn't exist on the Hub")
    with pytest.raises(LabError, match="could not load Hub dataset 'someone/reviews'"):
        sources.read_source("someone/reviews", None, None, "utf-8")


def test_a_missing_text_column_names_the_columns_present(hub):
    with pytest.raises(LabError, match=r"text column 'body' not found in someone/reviews; columns present: "
                                       r"sentence, label"):
        sources.read_source("someone/reviews", "body", None, "utf-8")


@pytest.mark.parametrize("variable", ["HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"])
def test_offline_never_calls_load_dataset(hub, monkeypatch, variable):
    monkeypatch.setenv(variable, "1")
    with pytest.raises(LabError, match="cannot be reached to fetch it; use dataset=bbc-news"):
        sources.read_source("someone/reviews", None, None, "utf-8")
    assert hub["calls"] == []


def test_several_zero_one_columns_of_a_hub_dataset_are_multi_label(hub, monkeypatch):
    """A Hub dataset in one-hot form (GoEmotions' "raw" config is one): label_column=a,b or * reads it as a table."""
    import datasets
    from datasets import Dataset, DatasetDict

    texts = [text for text, _ in tiny_rows()]
    columns = {"text": texts, "joy": [i % 2 for i in range(40)], "anger": [int(i % 3 == 0) for i in range(40)]}
    splits = DatasetDict({"train": Dataset.from_dict({key: value[:32] for key, value in columns.items()}),
                          "test": Dataset.from_dict({key: value[32:] for key, value in columns.items()})})
    monkeypatch.setattr(datasets, "load_dataset", lambda spec, config_name=None: splits)
    for label_column in ("*", "joy,anger"):
        loaded = load("someone/emotions", label_column=label_column)
        assert loaded.task == "multi_label" and loaded.label_names == ["joy", "anger"]
        by_text = {text: [i % 2, int(i % 3 == 0)] for i, text in enumerate(texts)}
        assert [by_text[t] for t in loaded.texts("test")] == loaded.labels("test").astype(int).tolist()
        assert "2 0/1 label columns" in loaded.notes[0]
