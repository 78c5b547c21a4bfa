"""The task types lab knows, as a table of facts that every layer looks up instead of branching on the task.

A dataset's task is detected by the data layer (or set with task=) and travels with the data (LabData.task):
- single_label: one class per text. Labels are class ids (int64, shape (n,)); predictions are class ids, scores are
  (n, n_classes) probabilities or decision scores.
- multi_label: zero, one or several labels per text. Labels are a 0/1 matrix (float32, shape (n, n_labels));
  predictions are a 0/1 matrix, scores are (n, n_labels) probabilities, thresholded on validation.
- regression: one number per text. Labels and predictions are float64, shape (n,); there are no scores.

Each layer keeps its own table keyed by these names (the data layer's stratifiers, evaluation's metric sets and
dummy floors, the training loop's losses), so adding a task is one row in each.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Task:
    name: str
    headline: str  # the metric used for early stopping, "best" and significance
    higher_is_better: bool  # of the headline metric
    metrics: tuple[str, ...]  # every metric reported, each with a 95% bootstrap CI, headline first
    floor: str  # what the dummy model that sets the floor predicts
    description: str  # for notes and the report header


TASKS = {
    "single_label": Task("single_label", "macro_f1", True, ("macro_f1", "accuracy", "weighted_f1"),
                         "the majority class of the train split", "single-label classification"),
    "multi_label": Task("multi_label", "micro_f1", True,
                        ("micro_f1", "macro_f1", "samples_f1", "subset_accuracy", "hamming_loss"),
                        "each label with its train-split frequency above 0.5", "multi-label classification"),
    "regression": Task("regression", "rmse", False, ("rmse", "mae", "r2", "pearson", "spearman"),
                       "the train split's mean", "regression"),
}
TASK_NAMES = tuple(TASKS)


def task(name: str) -> Task:
    return TASKS[name]
