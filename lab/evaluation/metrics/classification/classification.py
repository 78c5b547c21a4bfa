"""Classification metrics for lab: accuracy, macro/weighted F1, per-class P/R/F1 and the confusion matrix.

Loaded by path (`evaluate.load(".../classification.py")`), so it works offline, unlike the Hub metrics.
"""

import datasets
import evaluate
import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

_DESCRIPTION = "Accuracy, macro-F1, weighted F1, per-class precision/recall/F1 and the confusion matrix."
_KWARGS_DESCRIPTION = """
Args:
    predictions: predicted class ids.
    references: true class ids.
    num_classes: the number of classes, so absent classes still get a row and a column.
Returns:
    accuracy, macro_f1, weighted_f1 (floats); precision, recall, f1, support (lists, one per class);
    confusion_matrix (list of rows: true class; columns: predicted class).
"""


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class Classification(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation="",
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features({"predictions": datasets.Value("int64"), "references": datasets.Value("int64")}),
        )

    def _compute(self, predictions, references, num_classes=None):
        y_pred, y_true = np.asarray(predictions), np.asarray(references)
        labels = list(range(num_classes if num_classes else int(max(y_true.max(), y_pred.max())) + 1))
        precision, recall, f1, support = precision_recall_fscore_support(
            y_true, y_pred, labels=labels, zero_division=0)
        return {
            "accuracy": float(accuracy_score(y_true, y_pred)),
            # over the classes in the test labels or the predictions, as the bootstrap's macro_f1_of: a class absent
            # from both says nothing about the model, and counting it as 0 could put the estimate outside its CI
            "macro_f1": float(f1_score(y_true, y_pred, labels=sorted(set(y_true) | set(y_pred)), average="macro",
                                       zero_division=0)),
            "weighted_f1": float(f1_score(y_true, y_pred, labels=labels, average="weighted", zero_division=0)),
            "precision": precision.tolist(),
            "recall": recall.tolist(),
            "f1": f1.tolist(),
            "support": support.tolist(),
            "confusion_matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
        }
