"""What a recipe hands back to the runner. Recipes fill these; only the runner writes files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np


@dataclass
class ModelResult:
    """One trained model's test-set output and cost. One of these is one row of the report."""

    name: str  # unique within the recipe, e.g. "tfidf_svm"
    family: str  # "classical", "neural" or "transformer"
    # for data.splits["test"], in order, as lab/tasks.py fixes them per task: class ids (n,); a 0/1 int matrix
    # (n, n_labels); or float values (n,)
    predictions: np.ndarray
    # (n, n_classes) / (n, n_labels): probabilities or decision scores; regression: None
    scores: np.ndarray | None = None
    scores_are_probabilities: bool = True
    train_seconds: float = 0.0
    examples_per_second: float = 0.0  # inference throughput on the test split
    parameters: int = 0  # trainable parameters; for linear models on features, the coefficient count
    features: int = 0  # input feature count, where the model has a fixed one (vocabulary size)
    peak_memory_mb: float = 0.0  # peak resident memory above the start of training
    history: list[dict] = field(default_factory=list)  # per epoch: epoch, train_loss, val_loss, the task's val_ figures
    save: Callable[[Path], None] | None = None  # writes the fitted model into the folder it is given
    thresholds: list[float] | None = None  # multi-label: per label, the score at or above which it is predicted


@dataclass
class RecipeResult:
    models: list[ModelResult] = field(default_factory=list)
    figures: dict[str, float] = field(default_factory=dict)  # named scalars, e.g. topics' "lda_nmi"
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # named tables for the report
    plots: dict[str, Any] = field(default_factory=dict)  # name -> matplotlib Figure; saved as <name>.png
    notes: list[str] = field(default_factory=list)  # warnings for the user, e.g. a clamped K range

