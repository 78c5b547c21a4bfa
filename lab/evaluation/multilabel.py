"""Multi-label metrics: micro-F1 (the headline), macro-F1, samples-F1, subset accuracy, Hamming loss, per label P/R/F1.

Each metric is a function of per-example counts (true positives, false positives, false negatives per label), so a
bootstrap resample is a weighting of the examples: W (B, n) counts how often each example was drawn, and W @ counts
gives every resample's totals at once without copying the (n, labels) matrices B times.
Conventions (those of sklearn's f1_score with the zero_division named): macro-F1 averages over every label of the
label space, a label with no true and no predicted example scoring 0 (zero_division=0); samples-F1 scores an
example with no true and no predicted label as 1, a correct empty answer (zero_division=1).
"""

from __future__ import annotations

import numpy as np

METRICS = ("micro_f1", "macro_f1", "samples_f1", "subset_accuracy", "hamming_loss")


def label_counts(y_true, y_pred) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    truth, predicted = np.asarray(y_true) > 0.5, np.asarray(y_pred) > 0.5
    return ((truth & predicted).astype(float), (~truth & predicted).astype(float), (truth & ~predicted).astype(float))


def f1(tp, fp, fn, empty: float) -> np.ndarray:
    denominator = 2 * tp + fp + fn
    return np.divide(2 * tp, denominator, out=np.full(np.shape(tp), empty, dtype=float), where=denominator > 0)


def multilabel_rows(tp, fp, fn, weights: np.ndarray) -> dict[str, np.ndarray]:
    """Each metric for each row of weights (B, n): example i counted weights[b, i] times in resample b."""
    n_labels = tp.shape[1]
    drawn = weights.sum(axis=1)
    tp_l, fp_l, fn_l = weights @ tp, weights @ fp, weights @ fn  # (B, labels)
    example_f1 = f1(tp.sum(axis=1), fp.sum(axis=1), fn.sum(axis=1), empty=1.0)
    mistakes = fp.sum(axis=1) + fn.sum(axis=1)
    return {"micro_f1": f1(tp_l.sum(axis=1), fp_l.sum(axis=1), fn_l.sum(axis=1), empty=0.0),
            "macro_f1": f1(tp_l, fp_l, fn_l, empty=0.0).mean(axis=1),
            "samples_f1": weights @ example_f1 / drawn,
            "subset_accuracy": weights @ (mistakes == 0) / drawn,
            "hamming_loss": weights @ (mistakes / n_labels) / drawn}


def evaluate_multilabel(y_true, y_pred, label_names: list[str], bootstrap_index: np.ndarray) -> dict:
    from lab.evaluation.regression import percentile_interval

    tp, fp, fn = label_counts(y_true, y_pred)
    point = multilabel_rows(tp, fp, fn, np.ones((1, len(tp))))
    resampled = multilabel_rows(tp, fp, fn, draw_counts(bootstrap_index, len(tp)))
    metrics = {}
    for name in METRICS:
        metrics[name] = float(point[name][0])
        metrics[f"{name}_ci"] = percentile_interval(resampled[name])
    return {"metrics": metrics, "per_label": per_label(tp, fp, fn, label_names)}


def per_label(tp, fp, fn, label_names: list[str]) -> dict:
    tp, fp, fn = tp.sum(axis=0), fp.sum(axis=0), fn.sum(axis=0)
    precision = np.divide(tp, tp + fp, out=np.zeros_like(tp), where=tp + fp > 0)
    recall = np.divide(tp, tp + fn, out=np.zeros_like(tp), where=tp + fn > 0)
    scores = f1(tp, fp, fn, empty=0.0)
    return {name: {"precision": float(precision[i]), "recall": float(recall[i]), "f1": float(scores[i]),
                   "support": int(tp[i] + fn[i])} for i, name in enumerate(label_names)}


def draw_counts(index: np.ndarray, n: int) -> np.ndarray:
    """(B, n) index of resampled examples -> (B, n) how many times each example was drawn."""
    rows = np.arange(index.shape[0])[:, None]
    return np.bincount((rows * n + index).ravel(), minlength=index.shape[0] * n).reshape(index.shape[0], n).astype(float)


def micro_counts(y_true, y_pred) -> np.ndarray:
    """The headline's per-example statistics, for the paired test: micro-F1 is a function of their sums."""
    tp, fp, fn = label_counts(y_true, y_pred)
    return np.stack([tp.sum(axis=1), fp.sum(axis=1), fn.sum(axis=1)], axis=1)


def micro_f1_from_sums(sums: np.ndarray, n: int) -> np.ndarray:
    return f1(sums[..., 0], sums[..., 1], sums[..., 2], empty=0.0)
