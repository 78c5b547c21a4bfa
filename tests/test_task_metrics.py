"""evaluate(), dummy_predictions() and paired_test() for every task, on hand-computed cases."""

import numpy as np
import pytest
from scipy.stats import pearsonr, spearmanr
from sklearn.metrics import accuracy_score, f1_score, hamming_loss, mean_absolute_error, r2_score

from lab import evaluation
from lab.evaluation import significance
from lab.evaluation.classification import weighted_f1_of
from lab.tasks import TASKS

TRUTH = np.array([[1, 0], [0, 1], [1, 1]], dtype=np.float32)
PREDICTED = np.array([[1, 0], [1, 1], [0, 0]], dtype=np.float32)


def test_regression_metrics_hand_computed():
    metrics = evaluation.evaluate("regression", [1.0, 2, 3, 4], [1.0, 2, 3, 5], [])["metrics"]
    # errors 0 0 0 1: RMSE sqrt(1/4), MAE 1/4; SS_res 1, SS_tot 2.25+.25+.25+2.25 = 5: R2 = 0.8
    assert metrics["rmse"] == pytest.approx(0.5) and metrics["mae"] == pytest.approx(0.25)
    assert metrics["r2"] == pytest.approx(0.8)
    # centred: x (-1.5 -.5 .5 1.5), y (-1.75 -.75 .25 2.25): 6.5 / sqrt(5 * 8.75)
    assert metrics["pearson"] == pytest.approx(6.5 / np.sqrt(43.75))
    assert metrics["spearman"] == pytest.approx(1.0)  # same order


def test_spearman_hand_computed_and_with_ties():
    # rank differences 1 -1 1 -1 0: rho = 1 - 6 * 4 / (5 * (25 - 1)) = 0.8
    metrics = evaluation.evaluate("regression", [1.0, 2, 3, 4, 5], [2.0, 1, 4, 3, 5], [])["metrics"]
    assert metrics["spearman"] == pytest.approx(0.8)
    truth, predicted = [1.0, 2, 2, 3, 5, 5], [1.0, 1, 2, 4, 3, 6]
    metrics = evaluation.evaluate("regression", truth, predicted, [])["metrics"]
    assert metrics["spearman"] == pytest.approx(spearmanr(truth, predicted).statistic)


def test_regression_metrics_match_sklearn_and_scipy():
    rng = np.random.default_rng(0)
    truth = rng.normal(size=200)
    predicted = truth + rng.normal(scale=0.5, size=200)
    metrics = evaluation.evaluate("regression", truth, predicted, [])["metrics"]
    assert metrics["rmse"] == pytest.approx(np.sqrt(np.mean((truth - predicted) ** 2)))
    assert metrics["mae"] == pytest.approx(mean_absolute_error(truth, predicted))
    assert metrics["r2"] == pytest.approx(r2_score(truth, predicted))
    assert metrics["pearson"] == pytest.approx(pearsonr(truth, predicted).statistic)
    assert metrics["spearman"] == pytest.approx(spearmanr(truth, predicted).statistic)
    for name in TASKS["regression"].metrics:
        low, high = metrics[f"{name}_ci"]
        assert low < metrics[name] < high


def test_a_constant_prediction_has_no_correlation_but_has_an_error():
    metrics = evaluation.evaluate("regression", [1.0, 2, 3, 4], [2.5] * 4, [])["metrics"]
    assert metrics["pearson"] is None and metrics["spearman"] is None and metrics["pearson_ci"] == [None, None]
    assert metrics["r2"] == pytest.approx(0.0) and metrics["rmse"] == pytest.approx(np.sqrt(1.25))


def test_multi_label_metrics_hand_computed():
    result = evaluation.evaluate("multi_label", TRUTH, PREDICTED, ["a", "b"])
    metrics = result["metrics"]
    # label a: tp 1 fp 1 fn 1 -> F1 1/2; label b: tp 1 fp 0 fn 1 -> F1 2/3
    assert metrics["macro_f1"] == pytest.approx((1 / 2 + 2 / 3) / 2)
    assert metrics["micro_f1"] == pytest.approx(2 * 2 / (2 * 2 + 1 + 2))  # tp 2 fp 1 fn 2
    assert metrics["samples_f1"] == pytest.approx((1 + 2 / 3 + 0) / 3)  # per example: 1, 2/3, 0
    assert metrics["subset_accuracy"] == pytest.approx(1 / 3)
    assert metrics["hamming_loss"] == pytest.approx(3 / 6)  # 0 + 1 + 2 wrong cells of 6
    assert result["per_label"]["b"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3), "support": 2}
    assert result["per_label"]["a"]["precision"] == 0.5
    assert "confusion_matrix" not in result


def test_a_label_absent_from_truth_and_predictions_counts_zero_in_macro_f1():
    truth, predicted = np.hstack([TRUTH, np.zeros((3, 1))]), np.hstack([PREDICTED, np.zeros((3, 1))])
    result = evaluation.evaluate("multi_label", truth, predicted, ["a", "b", "c"])
    assert result["metrics"]["macro_f1"] == pytest.approx((1 / 2 + 2 / 3 + 0) / 3)
    assert result["metrics"]["micro_f1"] == pytest.approx(4 / 7)  # unchanged: the label adds no counts
    assert result["per_label"]["c"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}


def test_multi_label_metrics_match_sklearn_conventions():
    rng = np.random.default_rng(1)
    truth = (rng.random((300, 6)) < [0.5, 0.3, 0.1, 0.05, 0.2, 0.02]).astype(np.float32)
    predicted = np.where(rng.random((300, 6)) < 0.8, truth, 1 - truth).astype(np.float32)
    truth[:20], predicted[:20] = 0, 0  # examples with no true and no predicted label
    metrics = evaluation.evaluate("multi_label", truth, predicted, list("abcdef"))["metrics"]
    assert metrics["micro_f1"] == pytest.approx(f1_score(truth, predicted, average="micro", zero_division=0))
    assert metrics["macro_f1"] == pytest.approx(f1_score(truth, predicted, average="macro", zero_division=0))
    assert metrics["samples_f1"] == pytest.approx(f1_score(truth, predicted, average="samples", zero_division=1))
    assert metrics["subset_accuracy"] == pytest.approx(accuracy_score(truth, predicted))
    assert metrics["hamming_loss"] == pytest.approx(hamming_loss(truth, predicted))
    for name in TASKS["multi_label"].metrics:
        low, high = metrics[f"{name}_ci"]
        assert low < metrics[name] < high and high - low < 0.2


def test_every_task_reports_every_metric_of_its_table_with_an_interval():
    cases = {"single_label": ([0, 1, 1, 0], [0, 1, 0, 0], ["x", "y"]), "multi_label": (TRUTH, PREDICTED, ["a", "b"]),
             "regression": ([1.0, 2, 3, 5], [1.5, 2, 2, 4], [])}
    for task, (truth, predicted, names) in cases.items():
        metrics = evaluation.evaluate(task, truth, predicted, names)["metrics"]
        for name in TASKS[task].metrics:
            assert name in metrics and len(metrics[f"{name}_ci"]) == 2, (task, name)


def test_single_label_is_evaluate_predictions_plus_the_weighted_f1_interval():
    truth, predicted = [0, 1, 2, 2, 1, 0], [0, 1, 1, 2, 1, 2]
    result = evaluation.evaluate("single_label", truth, predicted, ["a", "b", "c"])
    before = evaluation.evaluate_predictions(truth, predicted, ["a", "b", "c"])
    assert set(result["metrics"]) - set(before["metrics"]) == {"weighted_f1_ci"}
    assert {k: v for k, v in result["metrics"].items() if k != "weighted_f1_ci"} == before["metrics"]
    assert result["per_class"] == before["per_class"] and result["confusion_matrix"] == before["confusion_matrix"]


def test_vectorised_weighted_f1_matches_sklearn_on_resamples():
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 4, size=(20, 50))
    predicted = np.where(rng.random((20, 50)) < 0.7, truth, rng.integers(0, 4, size=(20, 50)))
    expected = [f1_score(t, p, average="weighted") for t, p in zip(truth, predicted)]
    np.testing.assert_allclose(weighted_f1_of(truth, predicted, 4), expected)


def test_intervals_are_seeded():
    rng = np.random.default_rng(2)
    truth = rng.normal(size=100)
    first = evaluation.evaluate("regression", truth, truth + 0.3, [])["metrics"]["rmse_ci"]
    assert first == evaluation.evaluate("regression", truth, truth + 0.3, [])["metrics"]["rmse_ci"]
    assert first == [pytest.approx(0.3), pytest.approx(0.3)]  # every error is 0.3: every resample agrees


def test_dummy_floors():
    predictions, scores = evaluation.dummy_predictions("single_label", [0, 0, 1, 2, 2, 2], 2, n_classes=4)
    assert predictions.tolist() == [2, 2] and scores.tolist() == [[2 / 6, 1 / 6, 3 / 6, 0.0]] * 2
    matrix = np.array([[1, 0], [1, 1], [1, 0], [0, 0]], dtype=np.float32)
    predictions, scores = evaluation.dummy_predictions("multi_label", matrix, 3)
    assert predictions.tolist() == [[1, 0]] * 3 and scores.tolist() == [[0.75, 0.25]] * 3
    predictions, scores = evaluation.dummy_predictions("regression", [1.0, 2.0, 6.0], 2)
    assert predictions.tolist() == [3.0, 3.0] and scores is None


def test_paired_test_regression_known_answer():
    truth = np.zeros(5)
    # a is exact, b off by 1 everywhere: of the 2^5 swap patterns only "none" and "all" reach the observed
    # |RMSE difference| of 1, so p = 2 / 32
    assert evaluation.paired_test("regression", truth, truth, truth + 1) == pytest.approx(2 / 32)
    assert evaluation.paired_test("regression", truth, truth, truth) == 1.0


def test_paired_test_multi_label_known_answer():
    truth = np.array([[1, 0]] * 4, dtype=np.float32)
    # a right on every example, b predicts nothing: only "no swap" and "swap all" give |micro-F1 difference| 1
    assert evaluation.paired_test("multi_label", truth, truth, np.zeros_like(truth)) == pytest.approx(2 / 16)


def test_paired_test_randomised_when_there_are_many_examples():
    rng = np.random.default_rng(3)
    truth = rng.normal(size=300)
    good, bad = truth + rng.normal(scale=0.3, size=300), truth + rng.normal(scale=1.0, size=300)
    assert evaluation.paired_test("regression", truth, good, bad) == pytest.approx(1 / (significance.PERMUTATIONS + 1))
    similar = truth + rng.normal(scale=1.0, size=300)
    assert evaluation.paired_test("regression", truth, bad, similar) > 0.05
    assert evaluation.paired_test("regression", truth, bad, similar) == \
        evaluation.paired_test("regression", truth, bad, similar)  # seeded


def test_paired_test_single_label_is_mcnemar():
    truth = np.zeros(10, dtype=int)
    b = np.array([1, 1, 1, 1, 1, 0, 0, 0, 0, 0])
    assert evaluation.paired_test("single_label", truth, truth, b) == pytest.approx(0.0625)
