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
