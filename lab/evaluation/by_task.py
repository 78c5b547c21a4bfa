"""Evaluation for every task: evaluate() and the dummy floor, each looked up in a table keyed by the task name.

evaluate(task, y_true, y_pred, label_names, scores=None) returns {"metrics": every metric of TASKS[task].metrics
and "<metric>_ci" ([low, high], a 95% percentile bootstrap interval over BOOTSTRAP_SAMPLES resamples with a fixed
seed)}, plus "per_class" and "confusion_matrix" (single_label) or "per_label" (multi_label: precision, recall, F1,
support per label). The label formats are those of lab/tasks.py.
"""

from __future__ import annotations

import numpy as np

from lab.evaluation.classification import (BOOTSTRAP_SAMPLES, BOOTSTRAP_SEED, bootstrap_ci, evaluate_predictions,
                                           weighted_f1_of)
from lab.evaluation.multilabel import evaluate_multilabel
from lab.evaluation.regression import evaluate_regression
from lab.tasks import TASKS


def bootstrap_index(n: int, samples: int = BOOTSTRAP_SAMPLES, seed: int = BOOTSTRAP_SEED) -> np.ndarray:
    """(samples, n) indices of test sets resampled with replacement; the draw bootstrap_ci makes."""
    return np.random.default_rng(seed).integers(0, n, size=(samples, n))


def evaluate_single(y_true, y_pred, label_names, scores=None) -> dict:
    """evaluate_predictions, plus the CI of weighted-F1, so every reported metric has its interval."""
    result = evaluate_predictions(y_true, y_pred, label_names, scores)
    low, high = bootstrap_ci(np.asarray(y_true), np.asarray(y_pred), len(label_names), weighted_f1_of)
    result["metrics"]["weighted_f1_ci"] = [low, high]
    return result


EVALUATORS = {
    "single_label": evaluate_single,
    "multi_label": lambda y_true, y_pred, label_names, scores=None: evaluate_multilabel(
        y_true, y_pred, label_names, bootstrap_index(len(y_true))),
    "regression": lambda y_true, y_pred, label_names, scores=None: evaluate_regression(
        y_true, y_pred, bootstrap_index(len(y_true))),
}


def evaluate(task: str, y_true, y_pred, label_names: list[str], scores=None) -> dict:
    """The task's metrics, their CIs and its per-class or per-label table, for one model's test output."""
    if task not in EVALUATORS:
        raise ValueError(f"unknown task {task!r}; known: {', '.join(TASKS)}")
    if len(y_true) == 0:
        raise ValueError("no test examples to evaluate")
    return EVALUATORS[task](y_true, y_pred, label_names, scores)


def majority_class(y_train, n_test: int, n_classes: int | None = None):
    counts = np.bincount(np.asarray(y_train, dtype=np.int64), minlength=n_classes or 0)
    share = counts / counts.sum()
    return np.full(n_test, int(np.argmax(counts)), dtype=np.int64), np.tile(share, (n_test, 1))


def label_frequency(y_train, n_test: int, n_classes: int | None = None):
    frequency = np.asarray(y_train, dtype=float).mean(axis=0)
    predictions = np.tile((frequency > 0.5).astype(np.float32), (n_test, 1))
    return predictions, np.tile(frequency, (n_test, 1))


def train_mean(y_train, n_test: int, n_classes: int | None = None):
    return np.full(n_test, float(np.mean(y_train)), dtype=np.float64), None


DUMMIES = {"single_label": majority_class, "multi_label": label_frequency, "regression": train_mean}


def dummy_predictions(task: str, y_train, n_test: int, n_classes: int | None = None):
    """(predictions, scores) of the model that sets the floor (TASKS[task].floor): the majority class with the train
    share of every class as scores (ties: the lowest class id; n_classes pads classes absent from train); each
    label with its train frequency as score, predicted where that is above 0.5; the train mean, no scores."""
    return DUMMIES[task](y_train, n_test, n_classes)
