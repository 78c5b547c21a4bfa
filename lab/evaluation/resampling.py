"""Repeated evaluation: a model's scores over K folds x R repeats, and whether two models differ across them.

Folds share most of their training data, so the differences between two models' fold scores are correlated and
a plain paired t-test over folds is too optimistic. The corrected resampled t-test of Nadeau and Bengio (2003)
inflates the variance of the differences by (1/J + n_test/n_train), J = K*R: the test scikit-learn's
model-comparison guide recommends ("Statistical comparison of models using grid search").
"""

from __future__ import annotations

import math

import numpy as np


def summary(values) -> dict[str, float]:
    """Mean, sample sd and a 95% t-interval of the mean of one model's per-fold scores."""
    from scipy.stats import t

    values = np.asarray(values, dtype=float)
    mean = float(values.mean())
    if len(values) < 2:
        return {"mean": mean, "sd": 0.0, "ci_low": mean, "ci_high": mean, "folds": len(values)}
    sd = float(values.std(ddof=1))
    half = float(t.ppf(0.975, len(values) - 1) * sd / math.sqrt(len(values)))
    return {"mean": mean, "sd": sd, "ci_low": mean - half, "ci_high": mean + half, "folds": len(values)}


def corrected_resampled_ttest(scores_a, scores_b, n_train: int, n_test: int) -> tuple[float, float]:
    """(t, two-sided p) for the per-fold differences a - b, with Nadeau and Bengio's variance correction.

    n_train and n_test are the sizes of one fold's training and test parts.
    """
    return _paired_t(scores_a, scores_b, correction=n_test / n_train)


def naive_paired_ttest(scores_a, scores_b) -> tuple[float, float]:
    """The uncorrected paired t-test over folds: for comparison only, it treats folds as independent."""
    return _paired_t(scores_a, scores_b, correction=0.0)


def _paired_t(scores_a, scores_b, correction: float) -> tuple[float, float]:
    from scipy.stats import t as student

    differences = np.asarray(scores_a, dtype=float) - np.asarray(scores_b, dtype=float)
    folds = len(differences)
    if folds < 2:
        raise ValueError("a t-test over folds needs at least 2 folds")
    variance = differences.var(ddof=1) * (1 / folds + correction)
    if variance == 0:
        return (0.0, 1.0) if differences.mean() == 0 else (math.copysign(math.inf, differences.mean()), 0.0)
    statistic = float(differences.mean() / math.sqrt(variance))
    return statistic, float(2 * student.sf(abs(statistic), folds - 1))


def summarise_folds(fold_metrics: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    """metric -> summary() over the folds, from one dict of scalar metrics per fold (a metric every fold has)."""
    shared = [key for key in fold_metrics[0] if all(key in fold for fold in fold_metrics)] if fold_metrics else []
    return {key: summary([fold[key] for fold in fold_metrics]) for key in shared}


# direction of the headline metric -> how the best mean is picked
BEST_OF = {"higher": max, "lower": min}


def compare_with_best(per_fold: dict, direction: str, n_train: int, n_test: int) -> dict:
    """model -> two-sided p of the corrected resampled t-test of its per-fold scores against the best model's
    (None for the best: the best mean by `direction`, "higher" or "lower"). Every model was scored on the same
    folds, in the same order; n_train and n_test are the sizes of one fold's training and test parts."""
    if direction not in BEST_OF:
        raise ValueError(f"direction must be one of {sorted(BEST_OF)}, not {direction!r}")
    best = BEST_OF[direction](per_fold, key=lambda name: float(np.mean(per_fold[name])))
    return {name: None if name == best else corrected_resampled_ttest(per_fold[best], scores, n_train, n_test)[1]
            for name, scores in per_fold.items()}
