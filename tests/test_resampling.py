import math

import pytest

from lab.evaluation import resampling

# Five folds of 5-fold CV: each fold tests on 1/5 of the data and trains on 4/5, so n_test/n_train = 1/4.
A = [0.91, 0.92, 0.93, 0.90, 0.94]
B = [0.90, 0.90, 0.90, 0.90, 0.90]  # differences 0.01, 0.02, 0.03, 0.00, 0.04: mean 0.02, sample variance 0.00025


def t_cdf_df4(t: float) -> float:
    """Student's t CDF with 4 degrees of freedom, in closed form."""
    return 0.5 + t * (t * t + 6) / (2 * (t * t + 4) ** 1.5)


def test_the_corrected_t_test_by_hand():
    t, p = resampling.corrected_resampled_ttest(A, B, n_train=400, n_test=100)
    expected_t = 0.02 / math.sqrt((1 / 5 + 1 / 4) * 0.00025)  # 1.8856
    assert t == pytest.approx(expected_t) and t == pytest.approx(1.885618, abs=1e-6)
    assert p == pytest.approx(2 * (1 - t_cdf_df4(expected_t)))
    assert 0.13 < p < 0.14  # not significant, although every fold favours A or ties


def test_the_correction_is_more_conservative_than_the_naive_paired_t_test():
    t_naive, p_naive = resampling.naive_paired_ttest(A, B)
    assert t_naive == pytest.approx(0.02 / math.sqrt(0.00025 / 5))  # 2.8284
    assert p_naive == pytest.approx(2 * (1 - t_cdf_df4(t_naive)))
    t, p = resampling.corrected_resampled_ttest(A, B, n_train=400, n_test=100)
    assert abs(t) < abs(t_naive) and p > p_naive and p_naive < 0.05 < p


def test_identical_scores_and_constant_differences():
    assert resampling.corrected_resampled_ttest(A, A, 400, 100) == (0.0, 1.0)
    t, p = resampling.corrected_resampled_ttest([0.75, 0.5], [0.5, 0.25], 400, 100)  # exact in binary
    assert t == math.inf and p == 0.0
    with pytest.raises(ValueError, match="at least 2 folds"):
        resampling.corrected_resampled_ttest([0.9], [0.8], 400, 100)


def test_summary_mean_sd_and_t_interval():
    s = resampling.summary([0.90, 0.92, 0.94])
    assert s["mean"] == pytest.approx(0.92) and s["sd"] == pytest.approx(0.02) and s["folds"] == 3
    half = 4.302652729911275 * 0.02 / math.sqrt(3)  # t(0.975, 2) = 4.3027
    assert (s["ci_low"], s["ci_high"]) == (pytest.approx(0.92 - half), pytest.approx(0.92 + half))


# Three models over the same five folds (n_test/n_train = 1/4 again). svm has the best mean (0.97); nb trails it
# by the differences 0.01, 0.02, 0.03, 0.00, 0.04 of A - B above, lstm by 0.10, 0.12, 0.08, 0.10, 0.10.
PER_FOLD = {"nb": [0.95, 0.96, 0.94, 0.99, 0.91], "svm": [0.96, 0.98, 0.97, 0.99, 0.95],
            "lstm": [0.86, 0.86, 0.89, 0.89, 0.85]}
P_NB = 2 * (1 - t_cdf_df4(0.02 / math.sqrt((1 / 5 + 1 / 4) * 0.00025)))  # t 1.8856, p 0.133
P_LSTM = 2 * (1 - t_cdf_df4(0.10 / math.sqrt((1 / 5 + 1 / 4) * 0.0002)))  # sample variance 0.0008/4; t 10.54


def test_every_model_is_compared_with_the_best_mean_by_the_corrected_test():
    p = resampling.compare_with_best(PER_FOLD, "higher", n_train=400, n_test=100)
    assert p == {"nb": pytest.approx(P_NB), "svm": None, "lstm": pytest.approx(P_LSTM)}
    assert 0.13 < p["nb"] < 0.14 and 0.0004 < p["lstm"] < 0.0006
    naive = {name: resampling.naive_paired_ttest(PER_FOLD["svm"], PER_FOLD[name])[1] for name in ("nb", "lstm")}
    assert p["nb"] > naive["nb"] and p["lstm"] > naive["lstm"]  # never the naive test


def test_a_lower_is_better_headline_picks_the_lowest_mean():
    p = resampling.compare_with_best(PER_FOLD, "lower", n_train=400, n_test=100)
    assert p["lstm"] is None and p["svm"] == pytest.approx(P_LSTM)  # the test is symmetric in its two models
    assert resampling.compare_with_best({"only": [0.5, 0.6]}, "higher", 400, 100) == {"only": None}
    with pytest.raises(ValueError, match="direction must be one of"):
        resampling.compare_with_best(PER_FOLD, "max", 400, 100)


def test_summarise_folds_summarises_each_metric_every_fold_has():
    folds = [{"macro_f1": 0.90, "accuracy": 0.5}, {"macro_f1": 0.92, "accuracy": 0.7}, {"macro_f1": 0.94}]
    summaries = resampling.summarise_folds(folds)
    assert list(summaries) == ["macro_f1"]
    assert summaries["macro_f1"] == resampling.summary([0.90, 0.92, 0.94])
    assert resampling.summarise_folds([]) == {}
