"""Cross-validated runs in the report, from hand-made records in the runner's format (a `resampling` block)."""

import csv
import json
import math

import pytest
from matplotlib.collections import LineCollection, PathCollection

from lab.evaluation import resampling
from lab.report import build as report
from lab.report import plots
from lab.report.render import render_summary
from tests.test_report import ALL_RIGHT, SIX_WRONG, TWO_WRONG, write_run, write_runs
from tests.test_resampling import t_cdf_df4

# 3 models x 5 folds; each fold tests on 100 examples and trains on 400, so n_test/n_train = 1/4.
MACRO_F1 = {"nb": [0.95, 0.96, 0.94, 0.99, 0.91],  # mean 0.95, sd sqrt(0.0034/4) = 0.0292
            "svm": [0.96, 0.98, 0.97, 0.99, 0.95],  # mean 0.97, sd sqrt(0.0010/4) = 0.0158: the best
            "lstm": [0.86, 0.86, 0.89, 0.89, 0.85]}  # mean 0.87, sd sqrt(0.0014/4) = 0.0187
ACCURACY = {"nb": [0.96] * 5,  # sd 0
            "svm": [0.97, 0.99, 0.98, 0.99, 0.97],  # mean 0.98, sd sqrt(0.0004/4) = 0.01
            "lstm": [0.88, 0.88, 0.90, 0.90, 0.84]}  # mean 0.88, sd sqrt(0.0024/4) = 0.0245
FLOOR_MACRO_F1 = [0.20, 0.20, 0.30, 0.30, 0.25]  # mean 0.25, sd sqrt(0.01/4) = 0.05
# svm - nb per fold: 0.01, 0.02, 0.03, 0.00, 0.04 (mean 0.02, sample variance 0.001/4); svm - lstm: 0.10, 0.12,
# 0.08, 0.10, 0.10 (mean 0.10, sample variance 0.0008/4). Corrected: variance x (1/5 + 100/400), 4 degrees of freedom.
P_NB = 2 * (1 - t_cdf_df4(0.02 / math.sqrt((1 / 5 + 1 / 4) * 0.00025)))  # t 1.886, p 0.132
P_LSTM = 2 * (1 - t_cdf_df4(0.10 / math.sqrt((1 / 5 + 1 / 4) * 0.0002)))  # t 10.54, p 0.00046
POOLED_NOTE = "come from the pooled out-of-fold predictions"
OWN_TEST_NOTE = "scored once on the source's own test split"


def resampling_block(models, scheme="pooled", macro_f1=MACRO_F1, accuracy=ACCURACY) -> dict:
    """The `resampling` block as the runner writes it, its summary computed by lab.evaluation.resampling."""
    per_fold = {name: [{"macro_f1": f, "accuracy": a} for f, a in zip(macro_f1[name], accuracy[name])]
                for name in models}
    return {"folds": 5, "repeats": 1, "seed": 42, "scheme": scheme, "n_train": 400, "n_test": 100,
            "headline": "macro_f1", "per_fold": per_fold,
            "floor_per_fold": [{"macro_f1": f, "accuracy": 0.5} for f in FLOOR_MACRO_F1],
            "summary": {name: resampling.summarise_folds(folds) for name, folds in per_fold.items()},
            "fold_seconds": [1.0] * 5}


def write_cv_run(root, recipe, run_id, models: dict, fingerprint="cv5", train_size=None, **block_options):
    """A cross-validated run folder: the single run's files (its predictions: the pooled out-of-fold ones), with the
    record's `resampling` block, fold sizes and pooled floor."""
    folder = write_run(root, recipe, run_id, models, fingerprint=fingerprint)
    record = json.loads((folder / "record.json").read_text())
    record["resampling"] = resampling_block(list(models), **block_options)
    record["floor"] = {"macro_f1": 0.24, "accuracy": 0.5}  # the pooled floor: the headline row shows the folds'
    record["dataset"]["sizes"] = {"train": 360, "validation": 40, "test": 100, "pool": 500}
    record["train_size"] = train_size
    (folder / "record.json").write_text(json.dumps(record))
    return folder


def write_cv_runs(root, **block_options):
    write_cv_run(root, "classical", "run-11", {"nb": (TWO_WRONG, 2.0), "svm": (ALL_RIGHT, 4.0)}, **block_options)
    write_cv_run(root, "lstm", "run-12", {"lstm": (SIX_WRONG, 30.0)}, **block_options)
    return root


@pytest.fixture
def cv_report(tmp_path):
    written = report.build_reports(write_cv_runs(tmp_path / "runs"), tmp_path / "out")[0]
    return tmp_path / "out", written


def test_the_headline_table_shows_mean_sd_folds_and_the_corrected_p(cv_report):
    out, _ = cv_report
    page = (out / "comparison.md").read_text()
    assert ("| Recipe | Model | Family | Accuracy % (mean ± sd) | Macro-F1 % (mean ± sd) | Folds | vs best | Train s |"
            in page)
    assert "| classical | nb | classical | 96.0 ± 0.0 | 95.0 ± 2.9 | 5 | p=0.132 n.s. |" in page
    assert "| classical | svm | classical | **98.0** ± 1.0 | **97.0** ± 1.6 | 5 | best |" in page
    assert "| lstm | lstm | neural | 88.0 ± 2.4 | 87.0 ± 1.9 | 5 | p=0.000 |" in page
    assert "| floor | dummy (floor) | floor | 50.0 ± 0.0 | 25.0 ± 5.0 | 5 |  |" in page  # the folds' floor, not 24.0
    assert "95% CI" not in page.split("## ")[0] and "McNemar" not in page  # no single-split interval or test


def test_the_note_says_what_the_numbers_are_and_where_the_tables_below_come_from(cv_report):
    page = (cv_report[0] / "comparison.md").read_text()
    note = ("5-fold cross-validation, 1 repeat: mean ± sd over 5 folds; p: corrected resampled t-test (Nadeau and "
            "Bengio 2003) against the best model.")
    assert page.index(note) < page.index("| Recipe |") and POOLED_NOTE in page and OWN_TEST_NOTE not in page
    assert "- **Cross-validation:** 5 folds × 1 repeat of 500 examples, seed 42, 2 classes (cooking, sport)" in page
    assert "Train s: wall time of training (the mean over the folds)" in page


def test_the_own_test_scheme_says_its_tables_come_from_the_refit(tmp_path):
    report.build_reports(write_cv_runs(tmp_path / "runs", scheme="own_test"), tmp_path / "out")
    page = (tmp_path / "out" / "comparison.md").read_text()
    assert OWN_TEST_NOTE in page and POOLED_NOTE not in page
    assert "Train s: wall time of training (the refit on all the folded data)" in page


def test_html_csv_json_and_the_terminal_carry_the_same_values(cv_report):
    out, written = cv_report
    rows = {row["model"]: row for row in csv.DictReader((out / "comparison.csv").open())}
    assert "macro_f1_sd" in rows["svm"] and "folds" in rows["svm"] and "macro_f1_ci_low" not in rows["svm"]
    assert float(rows["svm"]["macro_f1"]) == pytest.approx(0.97) and rows["svm"]["p_vs_best"] == ""
    assert float(rows["svm"]["macro_f1_sd"]) == pytest.approx(math.sqrt(0.001 / 4)) and rows["svm"]["folds"] == "5"
    assert float(rows["nb"]["p_vs_best"]) == pytest.approx(P_NB)
    assert float(rows["lstm"]["p_vs_best"]) == pytest.approx(P_LSTM)
    data = json.loads((out / "comparison.json").read_text())
    by_model = {row["model"]: row for row in data["rows"]}
    assert by_model["nb"]["p_vs_best"] == pytest.approx(P_NB) and by_model["dummy"]["macro_f1"] == pytest.approx(0.25)
    assert by_model["lstm"]["accuracy_sd"] == pytest.approx(math.sqrt(0.0024 / 4))
    assert data["resampling"]["per_fold"] == MACRO_F1 and data["resampling"]["floor_per_fold"] == FLOOR_MACRO_F1
    assert data["resampling"]["test"] == "corrected resampled t-test (Nadeau and Bengio 2003)"
    html = (out / "comparison.html").read_text()
    assert "<td><b>97.0</b> ± 1.6</td>" in html and "<td>p=0.132 n.s.</td>" in html
    assert '<p class="note">5-fold cross-validation, 1 repeat' in html
    terminal = {cells[0]: cells[1:] for line in render_summary(written.model).splitlines()
                for cells in [[cell.strip() for cell in line.strip("|").split("|")]]}
    assert terminal["svm"] == ["97.0 ± 1.6", "best", "4.0"] and terminal["nb"][:2] == ["95.0 ± 2.9", "p=0.132 n.s."]


def test_the_strip_plot_is_written_and_shown_with_each_folds_score(cv_report):
    out, _ = cv_report
    assert (out / "fold_scores.png").stat().st_size > 1000
    assert "![Scores per fold](fold_scores.png)" in (out / "comparison.md").read_text()
    assert 'alt="Scores per fold" src="data:image/png;base64,' in (out / "comparison.html").read_text()
    figure = plots.fold_scores_figure(MACRO_F1, "Macro-F1")
    axis = figure.axes[0]
    dots = [c.get_offsets() for c in axis.collections if isinstance(c, PathCollection)]
    assert len(dots) == 3
    for column, (points, scores) in enumerate(zip(dots, MACRO_F1.values())):
        assert list(points[:, 1]) == scores and all(abs(x - column) <= 0.15 for x in points[:, 0])
    means = [segment[0][1] for c in axis.collections if isinstance(c, LineCollection) for segment in c.get_segments()]
    assert means == pytest.approx([0.95, 0.97, 0.87])
    assert [tick.get_text() for tick in axis.get_xticklabels()] == ["nb", "svm", "lstm"]


def test_the_data_efficiency_curve_of_cross_validated_runs_has_an_sd_band(tmp_path):
    runs = write_cv_runs(tmp_path / "runs")
    small = {"nb": [0.70] * 5, "svm": [0.80, 0.84, 0.82, 0.86, 0.78]}  # svm at 8 examples: mean 0.82, sd 0.0316
    write_cv_run(runs, "classical", "run-05", {"nb": (SIX_WRONG, 1.0), "svm": (TWO_WRONG, 1.0)}, train_size=8,
                 macro_f1=small)
    report.build_reports(runs, tmp_path / "out")
    data = json.loads((tmp_path / "out" / "comparison.json").read_text())
    assert data["data_efficiency"]["svm"] == [[8, pytest.approx(0.82)], [360, pytest.approx(0.97)]]
    assert data["data_efficiency_sd"]["svm"] == [[8, pytest.approx(math.sqrt(0.004 / 4))],
                                                 [360, pytest.approx(math.sqrt(0.001 / 4))]]
    assert "| svm | 82.0 ± 3.2 | 97.0 ± 1.6 |" in (tmp_path / "out" / "comparison.md").read_text()
    curves = {"svm": [(8, 0.82), (360, 0.97)]}
    axis = plots.data_efficiency_figure(curves, "Macro-F1", {"svm": [(8, 0.03), (360, 0.01)]}).axes[0]
    band = axis.collections[0].get_paths()[0].vertices
    assert {(8, 0.79), (8, 0.85), (360, 0.96), (360, 0.98)} <= {(x, round(y, 6)) for x, y in band}
    assert not plots.data_efficiency_figure(curves, "Macro-F1", {}).axes[0].collections  # single split: no band


def test_cross_validated_and_single_split_runs_never_share_a_table(tmp_path, capsys):
    runs = write_runs(tmp_path / "runs")  # single split, fingerprint abc123, run-01 to run-03
    write_cv_runs(runs)  # newer, on the folds (fingerprint cv5)
    report.build_reports(runs, tmp_path / "out")
    data = json.loads((tmp_path / "out" / "comparison.json").read_text())
    assert {row["run_id"] for row in data["rows"]} == {"run-11", "run-12"} and len(data["excluded_runs"]) == 3
    assert "3 run(s) used a different test split" in capsys.readouterr().err
    write_run(runs, "classical", "run-21", {"svm": (ALL_RIGHT, 1.0)})  # a newer single-split run
    report.build_reports(runs, tmp_path / "out2")
    data = json.loads((tmp_path / "out2" / "comparison.json").read_text())
    assert {row["run_id"] for row in data["rows"]} == {"run-21", "run-03"} and "resampling" not in data
    page = (tmp_path / "out2" / "comparison.md").read_text()
    assert "(mean ± sd)" not in page and "Macro-F1 % (95% CI)" in page and "McNemar" in page


def test_a_regression_table_is_compared_with_the_lowest_mean_rmse():
    from lab.report import resampled

    headers = [column.header for column in resampled.columns_for("regression")]
    assert headers[3:5] == ["RMSE (mean ± sd)", "MAE (mean ± sd)"] and headers[-7:-5] == ["Folds", "vs best"]
    per_fold = {"ridge": [{"rmse": v} for v in MACRO_F1["svm"]], "svr": [{"rmse": v} for v in MACRO_F1["lstm"]]}
    runs = [{"run_id": "r1", "created": "1", "resampling": {"n_train": 400, "n_test": 100, "per_fold": per_fold}}]
    rows = [{"recipe": "regression", "model": name, "run_id": "r1", "p_vs_best": None} for name in per_fold]
    resampled.add_significance(rows, runs, "regression")
    assert [row["p_vs_best"] for row in rows] == [pytest.approx(P_LSTM), None]  # svr's mean RMSE 0.87 < 0.97


def test_repeated_folds_are_counted_as_k_times_r():
    from lab.report import resampled

    folds = {"folds": 5, "repeats": 2, "scheme": "pooled"}
    assert resampled.notes(folds)[0].startswith("5-fold cross-validation, 2 repeats: mean ± sd over 10 folds (5 × 2);")
    assert "Mean ± sd over the 10 folds." in resampled.legend(folds, "single_label", 0.05)
    assert resampled.notes(None) == []
