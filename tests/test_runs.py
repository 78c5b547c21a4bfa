import csv
import json
import re
import types
from dataclasses import dataclass

import numpy as np
import pytest

from lab import data as data_layer
from lab import runs
from lab.config import CommonConfig
from lab.results import ModelResult, RecipeResult


def fake_recipe(save=None):
    @dataclass
    class Config(CommonConfig):
        flip: bool = False

    def run(cfg, data):
        truth = data.labels("test")
        predictions = 1 - truth if cfg.flip else truth
        return RecipeResult(models=[ModelResult("echo", "classical", predictions, train_seconds=1.5, save=save)],
                            figures={"answer": 42.0})

    return types.SimpleNamespace(Config=Config, run=run)


@pytest.fixture
def with_recipe(monkeypatch):
    def install(module):
        monkeypatch.setattr(runs, "load_recipe", lambda name: module)
        monkeypatch.setattr(runs, "shipped_variant", lambda recipe, name: None)  # the fake ships no configs
    return install


def test_run_writes_a_complete_record(tmp_path, tiny_csv, with_recipe):
    with_recipe(fake_recipe())
    path = runs.execute("fake", overrides=[f"dataset={tiny_csv}", "flip=true"], runs_dir=str(tmp_path))
    assert path.parent == tmp_path / "tiny" / "fake"
    record = json.loads((path / "record.json").read_text())
    assert record["config"]["flip"] is True and record["config"]["dataset"] == tiny_csv
    assert record["dataset"]["fingerprint"] and record["dataset"]["label_names"] == ["cooking", "sport"]
    model = record["models"][0]
    assert model["metrics"]["accuracy"] == 0.0 and model["efficiency"]["train_seconds"] == 1.5
    assert record["figures"] == {"answer": 42.0}
    assert {"python", "packages", "device", "git_sha"} <= set(record["environment"])
    with (path / "predictions.csv").open(newline="") as handle:
        header, *rows = list(csv.reader(handle))
    assert header == ["row", "label", "echo", "text"] and len(rows) == record["dataset"]["sizes"]["test"]
    assert all(row[1] != row[2] for row in rows)
    test_texts = data_layer.load(tiny_csv).texts("test")
    assert [row[3] for row in rows] == [" ".join(text.split())[:200] for text in test_texts]


def test_runs_never_overwrite_each_other(tmp_path, tiny_csv, with_recipe):
    with_recipe(fake_recipe())
    first = runs.execute("fake", overrides=[f"dataset={tiny_csv}"], runs_dir=str(tmp_path))
    second = runs.execute("fake", overrides=[f"dataset={tiny_csv}"], runs_dir=str(tmp_path))
    assert first != second and first.exists() and second.exists()
    assert [r["run_id"] for r in runs.read_records(tmp_path)] == [first.name, second.name]


@pytest.mark.parametrize("content, message", [("{not json", "cannot be read"),
                                              ('{"recipe": "fake"}', "lacks run_id, created, dataset, models")])
def test_a_damaged_record_is_a_lab_error_naming_its_file(tmp_path, tiny_csv, with_recipe, content, message):
    from lab.errors import LabError

    with_recipe(fake_recipe())
    path = runs.execute("fake", overrides=[f"dataset={tiny_csv}"], runs_dir=str(tmp_path))
    (path / "record.json").write_text(content)
    expected = f"^run record {re.escape(str(path / 'record.json'))} {message}.*; move that run folder away"
    with pytest.raises(LabError, match=expected):
        runs.read_records(tmp_path)


def test_a_failure_while_writing_leaves_no_partial_run(tmp_path, tiny_csv, with_recipe):
    def broken_save(folder):
        folder.mkdir(parents=True)
        (folder / "half.bin").write_bytes(b"x")
        raise OSError("disk full")

    with_recipe(fake_recipe(save=broken_save))
    with pytest.raises(OSError, match="disk full"):
        runs.execute("fake", overrides=[f"dataset={tiny_csv}"], runs_dir=str(tmp_path))
    assert list((tmp_path / "tiny" / "fake").iterdir()) == []
    assert runs.read_records(tmp_path) == []


def test_wrong_prediction_count_is_a_bug_not_a_record(tmp_path, tiny_csv, with_recipe):
    module = fake_recipe()
    module.run = lambda cfg, data: RecipeResult(models=[ModelResult("short", "classical", np.zeros(1, dtype=int))])
    with_recipe(module)
    with pytest.raises(ValueError, match="1 predictions for 4 test rows"):
        runs.execute("fake", overrides=[f"dataset={tiny_csv}"], runs_dir=str(tmp_path))
    assert not (tmp_path / "tiny" / "fake").exists() or not any((tmp_path / "tiny" / "fake").iterdir())


def test_nan_figures_are_stored_as_null(tmp_path, tiny_csv, with_recipe):
    module = fake_recipe()
    inner = module.run
    module.run = lambda cfg, data: (lambda r: (r.figures.update(silhouette=float("nan"), k=np.float32(2.5)), r)[1])(
        inner(cfg, data))
    with_recipe(module)
    path = runs.execute("fake", overrides=[f"dataset={tiny_csv}"], runs_dir=str(tmp_path))
    text = (path / "record.json").read_text()
    assert "NaN" not in text
    assert json.loads(text)["figures"] == {"answer": 42.0, "silhouette": None, "k": 2.5}
