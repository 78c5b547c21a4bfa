"""The test examples that most models of a report get wrong: where a proposal's error analysis starts.

An example that every model, from naive Bayes to a fine-tuned transformer, puts in the same wrong class is often
mislabelled or genuinely about two topics. Such examples cap every test figure: the report states the macro-F1 of
a model that missed only them.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from lab.evaluation.classification import macro_f1_of

MAX_LISTED = 10
TEXT_CHARS = 200  # the opening of each test text kept in predictions.csv: enough to recognise it


def opening(text: str) -> str:
    return " ".join(str(text).split())[:TEXT_CHARS]


def hard_examples(truth: list[str], predictions: dict[str, list[str]], texts: list[str] | None) -> dict | None:
    """Examples missed by at least half of the models (and by two or more); None with fewer than two models."""
    if len(predictions) < 2:
        return None
    threshold = max(2, math.ceil(len(predictions) / 2))
    missed = [[name for name, predicted in predictions.items() if predicted[i] != truth[i]] for i in range(len(truth))]
    listed = sorted((i for i, names in enumerate(missed) if len(names) >= threshold), key=lambda i: (-len(missed[i]), i))
    examples = [{"row": i, "label": truth[i], "missed_by": len(missed[i]),
                 "predicted": dict(Counter(predictions[name][i] for name in missed[i]).most_common()),
                 "text": texts[i] if texts else ""} for i in listed[:MAX_LISTED]]
    everyone = [i for i, names in enumerate(missed) if len(names) == len(predictions)]
    return {"models": len(predictions), "threshold": threshold, "count": len(listed), "examples": examples,
            "missed_by_all": len(everyone), "ceiling_macro_f1": ceiling(truth, predictions, everyone)}


def ceiling(truth: list[str], predictions: dict[str, list[str]], everyone: list[int]) -> float:
    """Macro-F1 of a model right everywhere except where every model is wrong (there: the most common wrong class)."""
    best_case = list(truth)
    for i in everyone:
        best_case[i] = Counter(predicted[i] for predicted in predictions.values()).most_common(1)[0][0]
    index = {label: i for i, label in enumerate(sorted(set(truth) | set(best_case)))}
    as_row = lambda labels: np.array([[index[label] for label in labels]])
    return float(macro_f1_of(as_row(truth), as_row(best_case), len(index))[0])
