"""The report on regression and multi-label runs: real recipes (classical and bow_ffn, tiny) run through the runner on
the hand-split learnable fixtures, plus hand-made runs of models below the floor or trained on a sliver of the data."""

import json
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest

from lab.report.build import build_reports
from lab.results import ModelResult, RecipeResult
from lab.runs import execute, make_record, write_run
from tests.task_fixtures import LABELS, multi_label_data, regression_data


@dataclass
class HandConfig:
    """A recipe config as the record keeps it; max_train_examples as the transformer's quick profile sets it."""
    seed: int = 0
    max_train_examples: int | None = None


def hand_run(runs: Path, recipe: str, data, predictions: np.ndarray, cap: int | None = None) -> Path:
    result = RecipeResult(models=[ModelResult(recipe, "neural", predictions, train_seconds=1.0)])
    record = make_record(recipe, "tiny", HandConfig(max_train_examples=cap), data, result)
    record["train_size"] = None
    return write_run(runs / data.name / recipe, record, data, result)


@pytest.fixture(scope="module")
def regression(tmp_path_factory):
    root = tmp_path_factory.mktemp("regression")
    data = regression_data()
    for recipe in ("classical", "bow_ffn"):
        execute(recipe, "tiny", [], runs_dir=str(root / "runs"), data=data)
    mean = data.labels("train").mean()
    truth = data.labels("test")
    hand_run(root / "runs", "worse", data, np.full(len(truth), mean + 5.0))  # a constant far from the mean
    hand_run(root / "runs", "sliver", data, truth.copy(), cap=1)  # perfect, but saw 1 training text
    written = build_reports(root / "runs", root / "out")[0]
    return {"root": root, "data": data, "written": written, "out": root / "out",
            "json": json.loads((root / "out" / "comparison.json").read_text())}


@pytest.fixture(scope="module")
def multi_label(tmp_path_factory):
    root = tmp_path_factory.mktemp("multi_label")
    data = multi_label_data(LABELS + ["<b>unused</b>"])  # a label no text carries: every model misses it
    for recipe in ("classical", "bow_ffn"):
        execute(recipe, "tiny", [], runs_dir=str(root / "runs"), data=data)
    written = build_reports(root / "runs", root / "out")[0]
    return {"root": root, "data": data, "written": written, "out": root / "out",
            "json": json.loads((root / "out" / "comparison.json").read_text())}


def rows_by_model(report) -> dict[str, dict]:
    return {row["model"]: row for row in report["json"]["rows"]}


def test_regression_headline_columns_are_the_regression_metrics(regression):
    headline = regression["written"].model["headline"]
    assert headline["columns"][3:8] == ["RMSE (95% CI)", "MAE (95% CI)", "R² (95% CI)", "Pearson r (95% CI)",
                                        "Spearman ρ (95% CI)"]
    assert "Accuracy % (95% CI)" not in headline["columns"]
    assert "paired permutation test of the RMSE difference" in headline["legend"]


def test_the_floor_row_is_the_train_means_rmse(regression):
    data = regression["data"]
    mean, truth = data.labels("train").mean(), data.labels("test")
    floor = rows_by_model(regression)["dummy"]
    assert floor["recipe"] == "floor"
    assert floor["rmse"] == pytest.approx(np.sqrt(np.mean((truth - mean) ** 2)))
    assert floor["mae"] == pytest.approx(np.mean(np.abs(truth - mean)))


def test_best_follows_the_direction_and_never_picks_the_floor(regression):
    rows = rows_by_model(regression)
    models = [row for row in rows.values() if row["recipe"] != "floor"]
    assert regression["json"]["best"]["rmse"] == min(row["rmse"] for row in models) == rows["sliver"]["rmse"] == 0
    assert regression["json"]["best"]["r2"] == max(row["r2"] for row in models)
    assert rows["sliver"]["p_vs_best"] is None and all(row["p_vs_best"] is not None for row in models
                                                       if row["model"] != "sliver")


def test_a_model_below_the_floor_and_one_on_a_sliver_of_data_are_flagged_in_the_table(regression):
    rows = rows_by_model(regression)
    assert rows["worse"]["flags"] == ["†"] and rows["sliver"]["flags"] == ["‡"]
    assert "flags" not in rows["tfidf_ridge"] and "flags" not in rows["dummy"]
    page = (regression["out"] / "comparison.md").read_text()
    assert "| worse † |" in page and "| sliver ‡ |" in page and "| tfidf_ridge |" in page
    assert "† does not beat the floor" in page and "‡ trained on under 5% of the training split" in page


def test_regression_sections_scatter_and_largest_errors(regression):
    titles = [s["title"] for s in regression["written"].model["sections"]]
    assert "Predicted against true values" in titles and "Test examples with the largest errors" in titles
    assert "Confusion matrices" not in titles and "Per-class F1 (%)" not in titles
    assert "Learning curves" in titles  # bow_ffn's history holds val_rmse
    assert (regression["out"] / "predicted_vs_true.png").is_file()
    errors = regression["json"]["largest_errors"]
    truth = regression["data"].labels("test")
    first = errors["rows"][0]
    assert float(first[1]) == pytest.approx(truth[int(first[0])], rel=1e-2)
    for row in errors["rows"]:  # each row's error is the mean of its models' absolute errors, largest first
        assert float(row[2]) == pytest.approx(np.mean([abs(float(p) - float(row[1])) for p in row[3:-1]]), rel=2e-2)
    assert [float(row[2]) for row in errors["rows"]] == sorted((float(row[2]) for row in errors["rows"]), reverse=True)
    assert len(errors["rows"]) == len(truth) and set(errors["columns"][3:-1]) == {
        "classical/tfidf_ridge", "classical/tfidf_svr", "bow_ffn/bow_ffn", "worse/worse", "sliver/sliver"}


def test_multi_label_headline_columns_and_floor(multi_label):
    headline = multi_label["written"].model["headline"]
    assert headline["columns"][3:8] == ["Micro-F1 % (95% CI)", "Macro-F1 % (95% CI)", "Samples F1 %",
                                        "Subset accuracy %", "Hamming loss"]
    rows = rows_by_model(multi_label)
    assert rows["dummy"]["recipe"] == "floor"
    assert multi_label["json"]["best"]["hamming_loss"] == min(r["hamming_loss"] for r in rows.values()
                                                              if r["recipe"] != "floor")


def test_multi_label_sections_per_label_f1_frequencies_and_missed_labels(multi_label):
    sections = {s["title"]: s for s in multi_label["written"].model["sections"]}
    assert "Confusion matrices" not in sections and "Per-label F1 (%)" in sections
    per_label = sections["Per-label F1 (%)"]
    assert per_label["tables"][0]["columns"] == ["Model"] + LABELS + ["<b>unused</b>"]
    assert "No model finds 1 label(s) (F1 0 for every model): <b>unused</b>." in per_label["text"]
    data = multi_label["data"]
    counts = sections["Label frequencies"]["tables"][0]["rows"]
    train, test = data.labels("train").sum(axis=0), data.labels("test").sum(axis=0)
    assert counts == [[name, str(int(a)), str(int(b))] for name, a, b in zip(data.label_names, train, test)]


def test_html_escaping_holds_for_label_names(multi_label):
    page = (multi_label["out"] / "comparison.html").read_text()
    assert "<b>unused</b>" not in page and "&lt;b&gt;unused&lt;/b&gt;" in page


def test_runs_of_another_task_are_left_out_with_a_warning(regression, tmp_path, capsys):
    runs = tmp_path / "runs"
    data = regression_data()
    execute("classical", "tiny", [], runs_dir=str(runs), data=data)
    other = replace(multi_label_data(), name=data.name, fingerprint=data.fingerprint)  # same split, another task
    execute("classical", "tiny", [], runs_dir=str(runs), data=other)
    written = build_reports(runs, tmp_path / "out")[0]
    assert "are of another task than the newest runs (multi_label)" in capsys.readouterr().err
    assert {row["recipe"] for row in written.model["data"]["rows"]} == {"classical", "floor"}
    assert written.model["data"]["task"] == "multi_label"


def test_the_training_share_reads_the_cap_or_the_examples_a_budget_let_it_see():
    from lab.report.by_task import training_share

    def record(cap=None, seen=None):
        return {"config": {"max_train_examples": cap}, "dataset": {"sizes": {"train": 1000}},
                "figures": {} if seen is None else {"training_examples_seen": seen}}

    assert training_share(record(seen=30)) == 0.03  # a budget that stopped inside the first pass: flagged
    assert training_share(record(cap=600, seen=600)) == 0.6
    assert training_share(record(cap=40, seen=1000)) == 0.04
    assert training_share(record()) is None and training_share(record(seen=0)) is None  # older records
