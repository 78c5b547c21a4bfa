"""Cross-validated runs (folds=, repeats=): the fold LabData, the one run folder they make, the wall-time estimate."""

import csv
import json
import types
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import f1_score

from lab import cli, crossval, progression, runs
from lab.data import load
from lab.data.folds import fold_data, fold_plan
from lab.results import ModelResult, RecipeResult
from tests.task_fixtures import multi_label_data, regression_data


@pytest.fixture
def noisy_csv(tmp_path, tiny_csv):
    """The tiny corpus with 4 labels swapped, so the folds' scores differ and a mean is not trivially 1.0."""
    rows = list(csv.DictReader(open(tiny_csv, newline="")))
    for row in rows[:4]:
        row["label"] = "sport" if row["label"] == "cooking" else "cooking"
    path = tmp_path / "noisy.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["text", "label"])
        writer.writeheader()
        writer.writerows(rows)
    return str(path)


def split_texts(data, split):
    return set(data.texts(split))


def test_the_test_folds_partition_the_pool_and_validation_is_carved_from_the_rest(tiny_csv):
    data = load(tiny_csv)
    plan = fold_plan(data, folds=3, repeats=2, seed=42)
    pool = data.texts("train") + data.texts("validation") + data.texts("test")
    assert plan.scheme == "pooled" and plan.pool.texts("test") == pool and len(set(pool)) == 40
    for repeat in range(2):
        parts = [fold_data(plan, repeat, fold) for fold in range(3)]
        tests = [split_texts(part, "test") for part in parts]
        assert sum(map(len, tests)) == 40 and set().union(*tests) == set(pool)  # disjoint, covering the pool
        for part in parts:
            train, validation, test = (split_texts(part, s) for s in ("train", "validation", "test"))
            assert not (train & validation or train & test or validation & test)
            assert len(train) + len(validation) + len(test) == 40
            assert np.bincount(part.labels("validation")).tolist() in ([1, 1], [1, 2], [2, 1])  # both classes
    again = fold_plan(load(tiny_csv), folds=3, repeats=2, seed=42)
    assert fold_data(again, 1, 2).texts("validation") == fold_data(plan, 1, 2).texts("validation")  # seeded


def test_other_tasks_fold_and_carve_their_own_way():
    for data in (multi_label_data(), regression_data()):
        plan = fold_plan(data, folds=3)
        part = fold_data(plan, 0, 1)
        assert part.task == data.task and len(part.texts("validation")) > 0
        assert sum(len(fold_data(plan, 0, k).texts("test")) for k in range(3)) == len(plan.pool.texts("test"))


def test_the_fingerprint_covers_the_folds_and_the_seed(tiny_csv):
    data = load(tiny_csv)
    codes = {fold_plan(data, 3).fingerprint, fold_plan(data, 4).fingerprint, fold_plan(data, 3, seed=7).fingerprint,
             fold_plan(data, 3, repeats=2).fingerprint, data.fingerprint}
    assert len(codes) == 5
    assert fold_plan(data, 3).fingerprint == fold_plan(load(tiny_csv), 3).fingerprint
    plan = fold_plan(data, 3, repeats=2)
    per_fold = {fold_data(plan, r, k).fingerprint for r in range(2) for k in range(3)}
    assert len(per_fold) == 6 and plan.fingerprint not in per_fold  # each fold resumes only its own checkpoints


def test_a_source_with_its_own_test_split_keeps_it_out_of_the_folds(tmp_path, tiny_csv):
    rows = list(csv.DictReader(open(tiny_csv, newline="")))
    for name, part in (("train.csv", rows[:32]), ("test.csv", rows[32:])):
        with (tmp_path / name).open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=["text", "label"])
            writer.writeheader()
            writer.writerows(part)
    data = load(str(tmp_path / "train.csv"), test_file=str(tmp_path / "test.csv"))
    own_test = data.texts("test")
    plan = fold_plan(data, folds=3)
    assert data.own_test and plan.scheme == "own_test" and len(plan.pool.texts("test")) == 32
    assert all(not split_texts(fold_data(plan, 0, k), s) & set(own_test) for k in range(3) for s in data.splits)
    path = runs.execute("classical", "tiny", [f"dataset={tmp_path / 'train.csv'}", f"test_file={tmp_path / 'test.csv'}",
                                               "folds=3"], runs_dir=str(tmp_path / "runs"))
    record = json.loads((path / "record.json").read_text())
    assert record["resampling"]["scheme"] == "own_test" and record["resampling"]["saved_model"] == "refit"
    table = list(csv.DictReader(open(path / "predictions.csv")))
    assert [row["label"] for row in table] == [data.label_names[i] for i in data.labels("test")]  # the own test
    assert record["dataset"]["fingerprint"] == plan.fingerprint
    assert all(len(folds) == 3 for folds in record["resampling"]["per_fold"].values())


def test_a_cross_validated_run_writes_one_folder_of_pooled_out_of_fold_predictions(tmp_path, noisy_csv, capsys):
    assert cli.main(["run", "classical", "--config", "tiny", f"dataset={noisy_csv}", "folds=3",
                     f"runs_dir={tmp_path}"]) == 0
    out, stderr = capsys.readouterr()
    path = Path(out.strip().splitlines()[-1])
    assert [p.name for p in path.parent.iterdir()] == [path.name]
    record = json.loads((path / "record.json").read_text())
    resampling = record["resampling"]
    svm = resampling["summary"]["tfidf_svm"]["macro_f1"]
    assert f"macro_f1 over 3 folds {svm['mean']:.4f} ± {svm['sd']:.4f}" in out
    assert {k: resampling[k] for k in ("folds", "repeats", "seed", "scheme", "headline", "saved_model")} == {
        "folds": 3, "repeats": 1, "seed": 42, "scheme": "pooled", "headline": "macro_f1", "saved_model": "fold 0"}
    assert resampling["n_train"] + resampling["n_test"] == 40 and len(resampling["fold_seconds"]) == 3
    table = list(csv.DictReader(open(path / "predictions.csv")))
    assert len(table) == 40  # one row per pooled example
    fold_of = fold_plan(load(noisy_csv), 3).assignment[0]  # predictions.csv rows are the pool's order
    truth = np.array([row["label"] for row in table])
    for model in ("tfidf_nb", "tfidf_logreg", "tfidf_svm"):
        per_fold = [fold["macro_f1"] for fold in resampling["per_fold"][model]]
        predicted = np.array([row[model] for row in table])
        by_hand = [f1_score(truth[fold_of == k], predicted[fold_of == k], average="macro") for k in range(3)]
        np.testing.assert_allclose(per_fold, by_hand)
        assert resampling["summary"][model]["macro_f1"]["mean"] == pytest.approx(sum(per_fold) / 3)
        pooled = next(m for m in record["models"] if m["name"] == model)["metrics"]["macro_f1"]
        assert pooled == pytest.approx(f1_score(truth, predicted, average="macro"))
    assert len(resampling["floor_per_fold"]) == 3 and sorted(p.name for p in (path / "models").iterdir()) == [
        "tfidf_logreg", "tfidf_nb", "tfidf_svm"]
    assert "fold 1/3: " in stderr and "fold 3/3: " in stderr and stderr.count("note: estimated wall time") == 1


def test_the_per_fold_time_note_counts_a_folds_training_texts_not_the_single_splits(tmp_path, noisy_csv, capsys):
    data = load(noisy_csv)
    fold_train = len(fold_data(fold_plan(data, 3), 0, 0).texts("train"))
    assert fold_train != len(data.texts("train"))  # else the note could not tell them apart
    assert cli.main(["run", "classical", "--config", "tiny", f"dataset={noisy_csv}", "folds=3",
                     f"runs_dir={tmp_path}"]) == 0
    note = next(line for line in capsys.readouterr().err.splitlines() if "expected wall time" in line)
    assert f"({fold_train:,} training texts" in note and note.endswith(" per fold")


def majority_recipe(seen: list, name: str = "classical"):
    """A recipe that predicts the training split's majority class and notes what it was given."""
    def run(cfg, data):
        seen.append((name, len(data.texts("train")), len(data.texts("test"))))
        majority = int(np.bincount(data.labels("train")).argmax())
        return RecipeResult([ModelResult(f"{name}_majority", "classical",
                                         np.full(len(data.texts("test")), majority))])
    return run


def test_each_folds_training_part_is_subsampled_for_a_train_size(tmp_path, tiny_csv, monkeypatch):
    seen = []
    real = runs.load_recipe
    monkeypatch.setattr(runs, "load_recipe",
                        lambda name: types.SimpleNamespace(Config=real(name).Config, run=majority_recipe(seen)))
    path = runs.execute("classical", "tiny", [f"dataset={tiny_csv}", "folds=4"], runs_dir=str(tmp_path), train_size=6)
    assert [train for _, train, _ in seen] == [6, 6, 6, 6] and [test for *_, test in seen] == [10] * 4
    record = json.loads((path / "record.json").read_text())
    assert record["train_size"] == 6 and record["dataset"]["sizes"]["train"] == 6


def test_run_all_with_folds_runs_the_first_fold_of_every_recipe_first(tmp_path, tiny_csv, monkeypatch, capsys):
    seen = []
    real = runs.load_recipe
    monkeypatch.setattr(runs, "load_recipe",
                        lambda name: types.SimpleNamespace(Config=real(name).Config, run=majority_recipe(seen, name)))
    monkeypatch.setattr(progression, "recipe_names", lambda: ["classical", "bow_ffn"])
    outcomes = progression.run_all("tiny", [f"dataset={tiny_csv}", f"runs_dir={tmp_path}", "folds=2", "repeats=2"])
    assert [name for name, *_ in seen] == ["classical", "bow_ffn"] + ["classical"] * 3 + ["bow_ffn"] * 3
    records = [json.loads((o.path / "record.json").read_text()) for o in outcomes]
    assert [len(r["resampling"]["per_fold"][f"{r['recipe']}_majority"]) for r in records] == [4, 4]
    assert len({r["dataset"]["fingerprint"] for r in records}) == 1
    stderr = capsys.readouterr().err
    estimate = stderr.index("note: estimated wall time for the remaining folds")
    assert stderr.count("note: estimated wall time") == 1 and stderr.index("fold 2/4") > estimate


def test_the_estimate_scales_each_recipes_first_fold_by_the_fits_left():
    note = crossval.estimate_note({"classical": 6.0, "transformer": 120.0}, remaining=9)
    assert note == "note: estimated wall time for the remaining folds: ~19 min (transformer dominates: 18 min)"
    assert crossval.estimate_note({"classical": 2.0}, 9).endswith("~18 s (classical dominates: 18 s)")
    assert crossval.remaining_fits(types.SimpleNamespace(folds=5, repeats=2), own_test=True) == 10


@pytest.mark.parametrize("recipe, overrides, message", [
    ("classical", ["folds=1", "repeats=2"], "error: repeats=2 repeats cross-validation, but folds=1 is one split; "
                                            "give folds=5 (or more), or leave repeats out"),
    ("classical", ["folds=21"], "error: a class has 20 example(s), too few for folds=21; give folds=20 or fewer"),
    ("all", ["folds=21"], "error: a class has 20 example(s), too few for folds=21"),
    ("classical", ["folds=0"], "error: folds=0: must be >= 1"),
])
def test_bad_folds_exit_2_with_one_error_line(tmp_path, tiny_csv, capsys, recipe, overrides, message):
    status = cli.main(["run", recipe, f"dataset={tiny_csv}", f"runs_dir={tmp_path}", *overrides])
    lines = capsys.readouterr().err.strip().splitlines()
    assert status == 2 and lines[-1].startswith(message) and sum(line.startswith("error:") for line in lines) == 1
    assert not list(tmp_path.glob("*/*/*/record.json"))


@pytest.mark.parametrize("make_data", [multi_label_data, regression_data])
def test_every_task_cross_validates_into_one_run_of_pooled_predictions(tmp_path, make_data):
    data = make_data()
    path = runs.execute("classical", "tiny", ["folds=3"], runs_dir=str(tmp_path), data=data)
    record = json.loads((path / "record.json").read_text())
    pool = sum(len(data.splits[s]) for s in data.splits)
    assert record["resampling"]["headline"] == {"multi_label": "micro_f1", "regression": "rmse"}[data.task]
    assert all(len(folds) == 3 for folds in record["resampling"]["per_fold"].values())
    assert len(list(csv.DictReader(open(path / "predictions.csv")))) == pool == record["dataset"]["sizes"]["pool"]


def test_run_all_runs_the_unsupervised_recipes_on_the_one_split(tiny_csv, capsys):
    routed = {"topics": ["folds=3", "lda_k=2"], "classical": ["folds=3"]}
    common = progression.common_config([f"dataset={tiny_csv}", "folds=3"])
    progression.check_folds(load(tiny_csv), common, ["topics", "classical"], routed)
    assert routed == {"topics": ["lda_k=2"], "classical": ["folds=3"]}
    assert "note: topics trains no classifier; it runs on the one split" in capsys.readouterr().err
