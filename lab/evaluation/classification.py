"""Single-label classification metrics: headline figures, per-class table, confusion matrix, bootstrap CIs."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from lab.evaluation.metrics import metric_path

BOOTSTRAP_SAMPLES = 1000
BOOTSTRAP_SEED = 0  # fixed, so the same predictions always get the same interval


@lru_cache(maxsize=1)
def classification_metric():
    import evaluate

    return evaluate.load(metric_path("classification"))


def evaluate_predictions(y_true, y_pred, label_names: list[str], scores=None) -> dict:
    """Headline metrics, per-class table, confusion matrix and 95% bootstrap CIs for one model's test output."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    n_classes = len(label_names)
    computed = classification_metric().compute(predictions=y_pred, references=y_true, num_classes=n_classes)
    per_class = {
        name: {"precision": computed["precision"][i], "recall": computed["recall"][i], "f1": computed["f1"][i],
               "support": int(computed["support"][i])}
        for i, name in enumerate(label_names)
    }
    metrics = {key: computed[key] for key in ("accuracy", "macro_f1", "weighted_f1")}
    low, high = bootstrap_ci(y_true, y_pred, n_classes, accuracy_of)
    metrics["accuracy_ci"] = [low, high]
    low, high = bootstrap_ci(y_true, y_pred, n_classes, macro_f1_of)
    metrics["macro_f1_ci"] = [low, high]
    if scores is not None:
        metrics["roc_auc_macro"] = one_vs_rest_auc(y_true, np.asarray(scores), n_classes)
    return {"metrics": metrics, "per_class": per_class, "confusion_matrix": computed["confusion_matrix"]}


def accuracy_of(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Row-wise accuracy for (B, n) arrays of resampled labels."""
    return (y_true == y_pred).mean(axis=1)


def weighted_f1_of(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Row-wise support-weighted F1 for (B, n) arrays: sklearn's f1_score(average="weighted") on each row."""
    tp, fp, fn = class_counts(y_true, y_pred, n_classes)
    denominator = 2 * tp + fp + fn
    f1 = np.divide(2 * tp, denominator, out=np.zeros(tp.shape, dtype=float), where=denominator > 0)
    support = tp + fn
    return (f1 * support).sum(axis=1) / support.sum(axis=1)


def class_counts(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int):
    """Per row of (B, n) arrays: true positives, false positives and false negatives of each class, (B, classes)."""
    rows = np.arange(y_true.shape[0])[:, None]

    def counts(mask, labels):
        flat = (rows * n_classes + labels)[mask]
        return np.bincount(flat, minlength=y_true.shape[0] * n_classes).reshape(-1, n_classes)
    hit = y_true == y_pred
    return counts(hit, y_true), counts(~hit, y_pred), counts(~hit, y_true)


def macro_f1_of(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Row-wise macro-F1 for (B, n) arrays, averaged over the classes present in truth or prediction of each row.

    That is sklearn's f1_score(average="macro") without labels=: a class missing from a small resample
    is not counted as an F1 of 0.
    """
    tp, fp, fn = class_counts(y_true, y_pred, n_classes)
    denominator = 2 * tp + fp + fn
    present = denominator > 0
    f1 = np.divide(2 * tp, denominator, out=np.zeros(tp.shape, dtype=float), where=present)
    return f1.sum(axis=1) / present.sum(axis=1)


def bootstrap_ci(y_true, y_pred, n_classes: int, statistic, samples: int = BOOTSTRAP_SAMPLES,
                 seed: int = BOOTSTRAP_SEED) -> tuple[float, float]:
    """Percentile 95% interval of statistic over test sets resampled with replacement."""
    rng = np.random.default_rng(seed)
    index = rng.integers(0, len(y_true), size=(samples, len(y_true)))
    values = statistic(np.asarray(y_true)[index], np.asarray(y_pred)[index], n_classes)
    return float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))


def one_vs_rest_auc(y_true: np.ndarray, scores: np.ndarray, n_classes: int) -> float | None:
    """Mean one-vs-rest ROC AUC; works for probabilities and for raw decision scores alike."""
    from sklearn.metrics import roc_auc_score

    aucs = [roc_auc_score(y_true == c, scores[:, c]) for c in range(n_classes) if 0 < (y_true == c).sum() < len(y_true)]
    return float(np.mean(aucs)) if aucs else None
