import numpy as np
import pytest
from sklearn.metrics import f1_score

from lab import evaluation
def test_metrics_match_hand_computed_values():
    # truth 0 1 2 2, predicted 0 1 1 2: class F1s are 1, 2/3, 2/3 -> macro 7/9; weighted (1 + 2/3 + 2*2/3) / 4 = 3/4
    result = evaluation.evaluate_predictions([0, 1, 2, 2], [0, 1, 1, 2], ["a", "b", "c"])
    metrics = result["metrics"]
    assert metrics["accuracy"] == 0.75
    assert metrics["macro_f1"] == pytest.approx(7 / 9)
    assert metrics["weighted_f1"] == pytest.approx(0.75)
    assert result["per_class"]["b"] == {"precision": 0.5, "recall": 1.0, "f1": pytest.approx(2 / 3), "support": 1}
    assert result["per_class"]["c"]["recall"] == 0.5
    assert result["confusion_matrix"] == [[1, 0, 0], [0, 1, 0], [0, 1, 1]]


def test_absent_class_still_gets_a_row():
    result = evaluation.evaluate_predictions([0, 0], [0, 0], ["a", "b", "c"])
    assert result["confusion_matrix"] == [[2, 0, 0], [0, 0, 0], [0, 0, 0]]
    assert result["per_class"]["c"]["support"] == 0


def test_vectorised_macro_f1_matches_sklearn_on_resamples():
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 4, size=(20, 50))
    predicted = np.where(rng.random((20, 50)) < 0.7, truth, rng.integers(0, 4, size=(20, 50)))
    expected = [f1_score(t, p, average="macro") for t, p in zip(truth, predicted)]
    np.testing.assert_allclose(evaluation.macro_f1_of(truth, predicted, 4), expected)


def test_bootstrap_interval_is_seeded_and_brackets_the_estimate():
    rng = np.random.default_rng(1)
    truth = rng.integers(0, 3, 300)
    predicted = np.where(rng.random(300) < 0.8, truth, (truth + 1) % 3)
    first = evaluation.bootstrap_ci(truth, predicted, 3, evaluation.accuracy_of)
    assert first == evaluation.bootstrap_ci(truth, predicted, 3, evaluation.accuracy_of)
    accuracy = (truth == predicted).mean()
    assert first[0] < accuracy < first[1]
    # binomial standard error sqrt(.8*.2/300) = 0.023: a 95% interval is about +-0.045 wide
    assert 0.06 < first[1] - first[0] < 0.12
    # ... and each bound lies within 0.005 of the normal approximation's accuracy -+ 1.96 standard errors (a 90%
    # bound would sit 0.007 inside it)
    margin = 1.96 * np.sqrt(accuracy * (1 - accuracy) / 300)
    assert first == (pytest.approx(accuracy - margin, abs=0.005), pytest.approx(accuracy + margin, abs=0.005))


def test_perfect_predictions_have_a_degenerate_interval():
    truth = np.array([0, 1] * 10)
    assert evaluation.bootstrap_ci(truth, truth, 2, evaluation.macro_f1_of) == (1.0, 1.0)


def test_mcnemar_exact_hand_computed():
    truth = np.zeros(10, dtype=int)
    a = np.zeros(10, dtype=int)
    b = np.array([1, 1, 1, 1, 1, 0, 0, 0, 0, 0])
    # a alone right on 5 examples, b alone right on none: p = 2 * 0.5**5 = 0.0625
    assert evaluation.mcnemar_exact(truth, a, b) == pytest.approx(0.0625)
    assert evaluation.mcnemar_exact(truth, a, a) == 1.0
    b[5:] = 1  # 10 discordant pairs, all one way: 2 * 0.5**10
    assert evaluation.mcnemar_exact(truth, a, b) == pytest.approx(2 * 0.5 ** 10)


def test_auc_works_for_decision_scores_and_probabilities():
    truth = np.array([0, 0, 1, 1])
    scores = np.array([[2.0, -2.0], [0.0, 0.0], [-1.0, 1.0], [0.5, -0.5]])
    # class 1 column: negatives -2, 0 vs positives 1, -0.5: 3 of 4 pairs in order -> 0.75 (class 0 likewise)
    assert evaluation.one_vs_rest_auc(truth, scores, 2) == pytest.approx(0.75)
    # their softmax: class 1's column ranks by s1 - s0 (-4, 0 vs 2, -1): again 3 of 4 pairs in order
    probabilities = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    assert evaluation.one_vs_rest_auc(truth, probabilities, 2) == pytest.approx(0.75)


def test_auc_averages_the_classes_of_three_class_probabilities():
    truth = np.array([0, 1, 2, 0, 1, 2])
    probabilities = np.array([[.8, .1, .1], [.2, .7, .1], [.1, .2, .7], [.3, .6, .1], [.5, .4, .1], [.2, .2, .6]])
    # class 0: positives .8, .3 vs negatives .2, .1, .5, .2: 7 of 8 pairs in order; class 1: .7, .4 vs .1, .2,
    # .6, .2: 7 of 8; class 2: .7, .6 above every .1: 8 of 8
    assert evaluation.one_vs_rest_auc(truth, probabilities, 3) == pytest.approx((7 / 8 + 7 / 8 + 1.0) / 3)


def test_auc_ranks_three_class_decision_scores_as_they_are():
    """A linear SVM's margins: each column ranked by its own score. Softmax-ing them first would reorder
    column 0 (its AUC would become 1.0)."""
    truth = np.array([0, 1, 2, 0])
    margins = np.array([[1.0, 0.0, 0.0], [2.0, 5.0, 0.0], [0.0, 0.0, 1.0], [0.5, -3.0, -3.0]])
    # class 0: positives 1, .5 vs negatives 2, 0: 2 of 4 pairs in order; classes 1 and 2: their one positive on top
    assert evaluation.one_vs_rest_auc(truth, margins, 3) == pytest.approx((0.5 + 1.0 + 1.0) / 3)
    assert evaluation.one_vs_rest_auc(np.array([1, 1, 1, 1]), margins, 3) is None  # one class only: undefined


def test_evaluate_predictions_reports_the_intervals_and_the_auc_it_computes():
    truth, predicted = [0, 1, 2, 2, 1, 0], [0, 1, 1, 2, 1, 2]
    scores = np.eye(3)[predicted] * 0.8 + 0.1
    metrics = evaluation.evaluate_predictions(truth, predicted, ["a", "b", "c"], scores=scores)["metrics"]
    args = (np.array(truth), np.array(predicted), 3)
    assert metrics["accuracy_ci"] == list(evaluation.bootstrap_ci(*args, evaluation.accuracy_of))
    assert metrics["macro_f1_ci"] == list(evaluation.bootstrap_ci(*args, evaluation.macro_f1_of))
    assert metrics["macro_f1_ci"] != metrics["accuracy_ci"]
    # the predicted class's score .9, the others .1 (a tie counts half a pair): class a: positives .9, .1 vs four .1
    # -> (4 + 2) / 8; b: .9, .9 vs .1, .9, .1, .1 -> (3.5 + 3.5) / 8; c: .1, .9 vs .1, .1, .1, .9 -> (1.5 + 3.5) / 8
    assert metrics["roc_auc_macro"] == pytest.approx((6 / 8 + 7 / 8 + 5 / 8) / 3)
    assert "roc_auc_macro" not in evaluation.evaluate_predictions(truth, predicted, ["a", "b", "c"])["metrics"]


def test_macro_f1_skips_a_class_absent_from_truth_and_prediction():
    truth, predicted = np.array([[0, 0, 1, 1]]), np.array([[0, 1, 1, 1]])
    # class 0: F1 2/3, class 1: F1 4/5; class 2 never appears: not averaged in (sklearn's macro likewise)
    assert evaluation.macro_f1_of(truth, predicted, 3)[0] == pytest.approx((2 / 3 + 4 / 5) / 2)
    assert evaluation.macro_f1_of(truth, predicted, 3)[0] == pytest.approx(f1_score(truth[0], predicted[0], average="macro"))


def test_mcnemar_counts_only_the_discordant_pairs():
    truth = np.zeros(8, dtype=int)
    a = np.array([0, 0, 0, 1, 1, 1, 0, 0])  # right on rows 0-2 alone, wrong with b on 4-5
    b = np.array([1, 1, 1, 0, 1, 1, 0, 0])  # right on row 3 alone
    # 3 vs 1 discordant: two-sided binomial p = 2 * P(X >= 3 | n=4) = 2 * 5/16; the 2 shared errors do not count
    assert evaluation.mcnemar_exact(truth, a, b) == pytest.approx(10 / 16)
    assert evaluation.mcnemar_exact(truth, b, a) == pytest.approx(10 / 16)


def test_the_macro_f1_estimate_lies_in_its_own_interval_when_a_class_is_absent():
    metrics = evaluation.evaluate_predictions([0, 0, 1, 1], [0, 0, 1, 1], ["a", "b", "c"])["metrics"]
    low, high = metrics["macro_f1_ci"]
    assert low <= metrics["macro_f1"] <= high
