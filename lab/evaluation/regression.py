"""Regression metrics: RMSE (the headline), MAE, R², Pearson and Spearman correlation, with bootstrap CIs.

Every metric is computed row-wise on (B, n) arrays, so the point estimate (one row) and the 1,000 bootstrap
resamples go through the same code. A metric that is undefined on its data (a correlation with a constant
prediction, R² on a constant target) is None, never NaN, so records stay valid JSON.
"""

from __future__ import annotations

import numpy as np

METRICS = ("rmse", "mae", "r2", "pearson", "spearman")


def regression_rows(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, np.ndarray]:
    """Each metric for each row of (B, n) arrays of targets and predictions; NaN where undefined."""
    error = y_pred - y_true
    residual = (error ** 2).sum(axis=1)
    total = ((y_true - y_true.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(total > 0, 1 - residual / total, np.nan)
    return {"rmse": np.sqrt((error ** 2).mean(axis=1)), "mae": np.abs(error).mean(axis=1), "r2": r2,
            "pearson": correlation(y_true, y_pred), "spearman": correlation(ranks(y_true), ranks(y_pred))}


def correlation(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise Pearson correlation; NaN for a row where either side is constant."""
    constant = (np.ptp(a, axis=1) == 0) | (np.ptp(b, axis=1) == 0)
    a = a - a.mean(axis=1, keepdims=True)
    b = b - b.mean(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = (a * b).sum(axis=1) / np.sqrt((a ** 2).sum(axis=1) * (b ** 2).sum(axis=1))
    return np.where(constant, np.nan, np.clip(r, -1, 1))


def ranks(values: np.ndarray) -> np.ndarray:
    """Row-wise ranks with ties averaged (Spearman's convention, scipy.stats.rankdata)."""
    from scipy.stats import rankdata

    return rankdata(values, axis=1)


def evaluate_regression(y_true, y_pred, bootstrap_index: np.ndarray) -> dict:
    """{"metrics": each metric and its "<metric>_ci"}: the estimate on the test set, the interval over resamples."""
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    point = regression_rows(y_true[None, :], y_pred[None, :])
    resampled = regression_rows(y_true[bootstrap_index], y_pred[bootstrap_index])
    metrics = {}
    for name in METRICS:
        metrics[name] = defined(point[name][0])
        metrics[f"{name}_ci"] = percentile_interval(resampled[name])
    return {"metrics": metrics}


def defined(value) -> float | None:
    return None if not np.isfinite(value) else float(value)


def percentile_interval(values: np.ndarray) -> list:
    """95% percentile interval of the finite values; [None, None] when no resample defines the metric."""
    values = values[np.isfinite(values)]
    if not len(values):
        return [None, None]
    return [float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))]


def squared_errors(y_true, y_pred) -> np.ndarray:
    """The headline's per-example statistic, for the paired test: RMSE is a function of their sum."""
    return ((np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)) ** 2)[:, None]


def rmse_from_sums(sums: np.ndarray, n: int) -> np.ndarray:
    return np.sqrt(sums[..., 0] / n)
