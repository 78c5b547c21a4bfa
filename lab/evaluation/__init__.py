"""The one place metrics are computed: every run's predictions go through here, so every row is comparable.

by_task.py: evaluate(task, ...) and the dummy floor for every task; classification.py, multilabel.py and
regression.py: each task's metrics and their bootstrap CIs; significance.py: tests between two models;
clustering.py: clusters against labels; hard_examples.py: what most models miss; efficiency.py: time, memory,
throughput; metrics/: the `evaluate` modules, loaded by path so nothing comes from the Hub.
"""

from lab.evaluation.classification import (accuracy_of, bootstrap_ci, evaluate_predictions, macro_f1_of,
                                           one_vs_rest_auc)
from lab.evaluation.by_task import dummy_predictions, evaluate
from lab.evaluation.significance import SIGNIFICANCE, mcnemar_exact, paired_test

__all__ = ["SIGNIFICANCE", "accuracy_of", "bootstrap_ci", "dummy_predictions", "evaluate", "evaluate_predictions",
           "macro_f1_of", "mcnemar_exact", "one_vs_rest_auc", "paired_test"]
