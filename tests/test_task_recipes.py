"""Multi-label and regression through every supervised recipe, the runner and `lab predict` (issue 22, item 5).

Most datasets here are split by hand (tests/task_fixtures.py), so the splits are fixed and known; the assertions
recompute what they check from the run's files. One test per task goes through the data layer's own loading.
"""

import csv
import json
import os
from pathlib import Path

import numpy as np
import pytest

from lab.predict import format_prediction, predict
from lab.runs import execute
from tests.task_fixtures import LABELS, MULTI_LABEL, REGRESSION, multi_label_data, regression_data
from tests.tiny_bert import build_tiny_bert

RECIPES = ("classical", "bow_ffn", "lstm", "transformer")
# the tiny BERT learns these two small sets more slowly than tiny.csv's two topics
TRANSFORMER = {"regression": ["epochs=20", "lr=0.003"], "multi_label": ["epochs=40", "lr=0.005"]}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """One tiny run of every recipe on each task, through the runner."""
    import torch

    folder = tmp_path_factory.mktemp("runs")
    threads, os.environ["OMP_NUM_THREADS"] = torch.get_num_threads(), "1"
    torch.set_num_threads(1)
    made = {}
    try:
        for task, data, corpus in (("regression", regression_data(), REGRESSION),
                                   ("multi_label", multi_label_data(), MULTI_LABEL)):
            bert = build_tiny_bert(tmp_path_factory.mktemp(f"bert-{task}") / "tiny-bert", corpus)
            for recipe in RECIPES:
                extra = [f"model={bert}", "checkpoint=false", *TRANSFORMER[task]] if recipe == "transformer" else []
                made[task, recipe] = execute(recipe, "tiny", extra, runs_dir=str(folder), data=data)
    finally:
        del os.environ["OMP_NUM_THREADS"]
        torch.set_num_threads(threads)
    return made


def predictions_table(run: Path) -> list[dict]:
    with (run / "predictions.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("recipe", RECIPES)
def test_regression_models_beat_the_train_mean_and_write_values(runs, recipe):
    data = regression_data()
    run = runs["regression", recipe]
    record = json.loads((run / "record.json").read_text())
    assert record["task"] == "regression" and record["headline"] == "rmse" and record["dataset"]["task"] == "regression"
    table = predictions_table(run)
    truth = data.labels("test")
    assert [float(row["label"]) for row in table] == pytest.approx(truth.tolist())
    floor = np.sqrt(np.mean((truth - data.labels("train").mean()) ** 2))
    assert record["floor"]["rmse"] == pytest.approx(floor)
    for model in record["models"]:
        predicted = np.array([float(row[model["name"]]) for row in table])
        rmse = np.sqrt(np.mean((predicted - truth) ** 2))
        assert rmse < 0.7 * floor, (model["name"], rmse, floor)  # learned the words' values, in target units
        assert "thresholds" not in model and not (run / f"scores_{model['name']}.npy").exists()


@pytest.mark.parametrize("recipe", RECIPES)
def test_multi_label_models_find_the_label_sets_with_recorded_thresholds(runs, recipe):
    data = multi_label_data()
    run = runs["multi_label", recipe]
    record = json.loads((run / "record.json").read_text())
    assert record["task"] == "multi_label" and record["headline"] == "micro_f1"
    table = predictions_table(run)
    truth = data.labels("test").astype(bool)
    assert [row["label"] for row in table] == [";".join(np.array(LABELS)[row]) for row in truth]
    assert record["floor"]["micro_f1"] == 0.0  # every label is on in fewer than half the train texts
    for model in record["models"]:
        assert len(model["thresholds"]) == len(LABELS) and all(0 < t < 1 for t in model["thresholds"])
        predicted = np.array([[label in row[model["name"]].split(";") for label in LABELS] for row in table])
        true_positives = (predicted & truth).sum()
        micro_f1 = 2 * true_positives / (predicted.sum() + truth.sum())
        assert micro_f1 >= 0.8, (model["name"], micro_f1)
        scores = np.load(run / f"scores_{model['name']}.npy")
        assert scores.shape == truth.shape and ((predicted == (scores >= np.array(model["thresholds"]))).all())


@pytest.mark.parametrize("task", ["regression", "multi_label"])
@pytest.mark.parametrize("recipe", RECIPES)
def test_lab_predict_reproduces_the_recorded_test_predictions(runs, recipe, task):
    run = runs[task, recipe]
    data = regression_data() if task == "regression" else multi_label_data()
    table = predictions_table(run)
    for model in json.loads((run / "record.json").read_text())["models"]:
        name, predictions = predict(run, data.texts("test"), model["name"])
        assert [p.label for p in predictions] == [row[name] for row in table]
        if task == "regression":
            assert all(p.value is not None and p.probabilities == {} for p in predictions)
        else:
            assert np.allclose([list(p.probabilities.values()) for p in predictions],
                               np.load(run / f"scores_{name}.npy"), atol=1e-5)


def test_lab_predict_uses_the_thresholds_the_run_recorded(runs, tmp_path):
    import shutil

    run = Path(shutil.copytree(runs["multi_label", "classical"], tmp_path / "run"))
    record = json.loads((run / "record.json").read_text())
    texts = multi_label_data().texts("test")
    before = predict(run, texts, "tfidf_logreg")[1]
    assert any(p.labels for p in before)
    for model in record["models"]:
        model["thresholds"] = [1.01] * len(LABELS)  # above any probability: nothing can be chosen
    (run / "record.json").write_text(json.dumps(record))
    after = predict(run, texts, "tfidf_logreg")[1]
    assert all(p.labels == [] and p.label == "" for p in after)
    assert [p.probabilities for p in after] == [p.probabilities for p in before]


def test_the_default_model_is_the_lowest_rmse(runs):
    run = runs["regression", "classical"]
    record = json.loads((run / "record.json").read_text())
    best = min(record["models"], key=lambda m: m["metrics"]["rmse"])["name"]
    worst = max(record["models"], key=lambda m: m["metrics"]["rmse"])["name"]
    assert best != worst and predict(run, ["a text"])[0] == best


def test_the_saved_transformers_reload_in_a_pipeline_with_the_tasks_scores(runs):
    from transformers import pipeline

    run = runs["multi_label", "transformer"]
    classify = pipeline("text-classification", model=str(run / "models" / "tiny-bert"), device="cpu", top_k=None)
    texts = multi_label_data().texts("test")
    config = json.loads((run / "models" / "tiny-bert" / "config.json").read_text())
    assert config["problem_type"] == "multi_label_classification"
    scores = np.array([[next(o["score"] for o in out if o["label"] == label) for label in LABELS]
                       for out in classify(texts)])
    assert np.allclose(scores, np.load(run / "scores_tiny-bert.npy"), atol=1e-5)  # sigmoids, not a softmax
    assert not np.allclose(scores.sum(axis=1), 1.0)

    run = runs["regression", "transformer"]
    estimate = pipeline("text-classification", model=str(run / "models" / "tiny-bert"), device="cpu")
    outputs = estimate(regression_data().texts("test"))
    recorded = [float(row["tiny-bert"]) for row in predictions_table(run)]
    assert [o["label"] for o in outputs] == ["value"] * len(recorded)
    assert [o["score"] for o in outputs] == pytest.approx(recorded, abs=1e-4)  # the value itself, in target units


def test_the_cli_prints_a_value_or_the_chosen_labels(runs, capsys):
    from lab.cli import main

    assert main(["predict", str(runs["regression", "classical"]), "the film was superb and the acting felt superb",
                 "--model", "tfidf_ridge"]) == 0
    value, scores, text = capsys.readouterr().out.strip().split("\t")
    assert float(value) > 4.0 and scores == "" and text.startswith("the film was superb")
    assert main(["predict", str(runs["multi_label", "classical"]), "the team won the match and she baked fresh bread",
                 "--model", "tfidf_logreg"]) == 0
    labels, scores, _ = capsys.readouterr().out.strip().split("\t")
    assert labels == "food;sport" and [part.split("=")[0] for part in scores.split()] == ["food", "sport"]


def test_format_prediction_per_task():
    from lab.predict import Prediction

    chosen = Prediction("a text", "joy;love", {"anger": 0.1, "joy": 0.9, "love": 0.6}, "multi_label", ["joy", "love"])
    assert format_prediction(chosen) == "joy;love\tjoy=0.9000 love=0.6000\ta text"
    nothing = Prediction("a text", "", {"anger": 0.1, "joy": 0.2}, "multi_label", [])
    assert format_prediction(nothing) == "(no label)\t\ta text"
    assert format_prediction(Prediction("a text", "3.25", {}, "regression", value=3.25)) == "3.25\t\ta text"


def test_the_transformer_notes_an_english_only_encoder_on_german_data(tmp_path, monkeypatch):
    from lab.models import hf

    bert = build_tiny_bert(tmp_path / "tiny-bert", REGRESSION)
    monkeypatch.setattr(hf, "ENGLISH_ONLY", {"tiny-bert"})  # as if it were the English MiniLM, in seconds
    run = execute("transformer", "tiny", [f"model={bert}", "checkpoint=false", "epochs=1"], runs_dir=str(tmp_path),
                  data=regression_data(language="de"))
    record = json.loads((run / "record.json").read_text())
    [note] = [note for note in record["notes"] if "English only" in note]
    assert "'de'" in note and "model=xlm-roberta-base" in note and record["dataset"]["language"] == "de"


def test_lab_run_summarises_a_regression_run_by_its_metrics(runs, capsys):
    from lab.cli import summarize

    summarize(runs["regression", "classical"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("tfidf_ridge") and " RMSE " in lines[0] and "accuracy" not in lines[0]


def test_a_label_no_train_text_carries_is_named_in_one_note_not_a_warning_per_label():
    import warnings

    from recipes import classical
    from tests.conftest import tiny_config

    data = multi_label_data(LABELS + ["weather"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = classical.run(tiny_config("classical"), data)
    assert not [w for w in caught if "present in all training examples" in str(w.message)]
    assert result.notes == ["classical: 1 label(s) occur in no train text, so no model can predict them: weather"]
    for model in result.models:  # an SVM's margin of 0 for the constant label must not read as 0.5
        assert not model.predictions[:, 3].any() and (model.scores[:, 3] == 0).all(), model.name


@pytest.mark.parametrize("spec", [["label_column=score"], ["label_column=labels", "label_sep=;"]],
                         ids=["regression", "multi_label"])
def test_the_data_layers_own_split_runs_through_the_recipes_and_the_report_metrics(spec, tmp_path):
    from lab.tasks import TASKS

    corpus = REGRESSION if spec == ["label_column=score"] else MULTI_LABEL
    run = execute("classical", "tiny", [f"dataset={corpus}", *spec], runs_dir=str(tmp_path))
    record = json.loads((run / "record.json").read_text())
    task = TASKS[record["task"]]
    assert record["task"] == ("regression" if "score" in spec[0] else "multi_label")
    for model in record["models"] + [{"name": "floor", "metrics": record["floor"]}]:
        assert set(task.metrics) <= set(model["metrics"]) and f"{task.headline}_ci" in model["metrics"]
    sign = 1 if task.higher_is_better else -1
    best = max(sign * m["metrics"][task.headline] for m in record["models"])
    assert best > sign * record["floor"][task.headline]  # learned something on the data layer's own split
    assert len(predictions_table(run)) == record["dataset"]["sizes"]["test"]
