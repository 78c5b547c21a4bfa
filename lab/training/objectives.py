"""What the shared loop optimises for each task (lab/tasks.py), as a table: the loss, what the network's outputs
mean, the validation figures early stopping reads, and how scores become predictions.

- single_label: cross-entropy (optionally class-weighted); outputs are softmax probabilities; predictions argmax.
- multi_label: BCE-with-logits (optionally with a pos_weight per label, negatives/positives in train); outputs are
  sigmoid probabilities; predictions are the labels at or above a threshold chosen on validation.
- regression: MSE on the target standardised with the train split's mean and sd (so the learning rate and the
  head's init suit any scale); the standardisation is folded into the network's output layer when training ends,
  so the trained model, its saved copy and a transformers pipeline all give values in the target's own units.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from lab.errors import LabError
from lab.tasks import TASKS

THRESHOLD_GRID = np.round(np.arange(0.05, 0.951, 0.05), 2)  # candidate multi-label thresholds on probabilities
# class_weights=auto: what each task gets. Multi-label: balanced pos_weight, because a pretrained encoder trained
# with plain BCE on many rare labels stays at their base rates (GoEmotions, MiniLM: micro-F1 0.21, macro 0.03 on
# 3,000 training comments; balanced 0.36 and 0.32: benchmarks/README.md, task_recipes.py)
AUTO_WEIGHTS = {"single_label": "none", "multi_label": "balanced", "regression": "none"}


@dataclass
class Objective:
    """One task's loss and output meaning, fitted to the train split (class weights, pos_weight, mean and sd)."""

    task: str = "single_label"
    weights: np.ndarray | None = None  # single: per-class weights; multi: per-label pos_weight
    mean: float = 0.0  # regression: the train target's mean and sd
    sd: float = 1.0
    folded: bool = field(default=False, repr=False)  # regression: the standardisation now lives in the weights

    @property
    def headline(self) -> str:
        return TASKS[self.task].headline

    @property
    def higher_is_better(self) -> bool:
        return TASKS[self.task].higher_is_better

    def targets(self, labels: np.ndarray) -> np.ndarray:
        """What the loaders carry under "labels": class ids, a 0/1 float matrix, or the standardised target."""
        if self.task == "single_label":
            return np.asarray(labels, dtype=np.int64)
        if self.task == "multi_label":
            return np.asarray(labels, dtype=np.float32)
        return ((np.asarray(labels, dtype=np.float64) - self.mean) / self.sd).astype(np.float32)

    def loss(self, logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        weights = None if self.weights is None else torch.as_tensor(self.weights, dtype=torch.float32,
                                                                    device=logits.device)
        return LOSSES[self.task](logits.float(), targets, weights)

    def outputs(self, logits: np.ndarray) -> np.ndarray:
        """The network's raw outputs as scores: probabilities (n, C) / (n, L), or values (n,) in target units."""
        if self.task == "regression":
            values = logits[:, 0].astype(np.float64)
            return values if self.folded else values * self.sd + self.mean
        return ACTIVATIONS[self.task](torch.from_numpy(np.ascontiguousarray(logits))).numpy()

    def validation(self, logits: np.ndarray, targets: np.ndarray) -> dict:
        """val_loss and the figures early stopping and the learning curves read, headline included."""
        loss = self.loss(torch.from_numpy(logits), torch.from_numpy(targets)).item()
        return {"val_loss": loss, **VALIDATION[self.task](self, logits, targets)}


def objective_for(task: str, train_labels: np.ndarray, n_outputs: int, class_weights: str = "none") -> Objective:
    """The task's objective fitted on the train labels. class_weights=balanced: n/(k*count) per class for
    single-label (as scikit-learn's), negatives/positives per label as BCE's pos_weight for multi-label;
    auto: the task's entry in AUTO_WEIGHTS."""
    if task not in TASKS:
        raise LabError(f"unknown task '{task}'; choose one of: {', '.join(TASKS)}")
    if class_weights == "auto":
        class_weights = AUTO_WEIGHTS[task]
    if task == "regression":
        if class_weights != "none":
            raise LabError("class_weights=balanced has no meaning for regression (there are no classes); "
                           "drop it or give class_weights=none")
        values = np.asarray(train_labels, dtype=np.float64)
        return Objective(task, mean=float(values.mean()), sd=float(values.std()) or 1.0)
    if class_weights == "none":
        return Objective(task)
    if task == "multi_label":
        positives = np.asarray(train_labels, dtype=np.float64).sum(axis=0)
        negatives = len(train_labels) - positives
        return Objective(task, weights=(negatives / np.maximum(positives, 1)).astype(np.float32))
    return Objective(task, weights=balanced_class_weights(np.asarray(train_labels, dtype=np.int64), n_outputs))


def balanced_class_weights(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """n / (k * count_c), as scikit-learn's class_weight='balanced' (a class absent from train counts as 1)."""
    counts = np.bincount(labels, minlength=n_classes).astype(np.float64)
    return (len(labels) / (n_classes * np.maximum(counts, 1))).astype(np.float32)


def multi_label_loss(logits, targets, pos_weight):
    return F.binary_cross_entropy_with_logits(logits, targets.float(), pos_weight=pos_weight)


def regression_loss(logits, targets, _weights):
    return F.mse_loss(logits[:, 0], targets.float())


LOSSES = {
    "single_label": lambda logits, targets, weights: F.cross_entropy(logits, targets, weight=weights),
    "multi_label": multi_label_loss,
    "regression": regression_loss,
}
ACTIVATIONS = {"single_label": lambda logits: torch.softmax(logits, dim=1), "multi_label": torch.sigmoid}


def single_label_validation(objective, logits, targets) -> dict:
    from lab.evaluation import macro_f1_of

    predicted = logits.argmax(axis=1)
    return {"val_accuracy": float((predicted == targets).mean()),
            "val_macro_f1": float(macro_f1_of(targets[None], predicted[None], logits.shape[1])[0])}


def multi_label_validation(objective, logits, targets) -> dict:
    """At the one threshold that maximises this validation micro-F1 (choose_thresholds' global rule). At a fixed
    0.5, a model of rare labels scores 0 every epoch (GoEmotions: every label's probability stays under 0.5), so
    early stopping could not tell its epochs apart."""
    from sklearn.metrics import f1_score

    probabilities, truth = objective.outputs(logits), targets.astype(np.int64)
    predicted = (probabilities >= choose_thresholds(probabilities, truth)[0]).astype(np.int64)
    return {"val_micro_f1": float(f1_score(truth, predicted, average="micro", zero_division=0)),
            "val_macro_f1": float(f1_score(truth, predicted, average="macro", zero_division=0))}


def regression_validation(objective, logits, targets) -> dict:
    """In the target's own units, so the learning curves read like the report."""
    from sklearn.metrics import mean_absolute_error, root_mean_squared_error

    truth = targets.astype(np.float64) * objective.sd + objective.mean
    values = objective.outputs(logits)
    return {"val_rmse": float(root_mean_squared_error(truth, values)),
            "val_mae": float(mean_absolute_error(truth, values))}


VALIDATION = {"single_label": single_label_validation, "multi_label": multi_label_validation,
              "regression": regression_validation}


def fold_standardisation(model: nn.Module, objective: Objective) -> None:
    """Regression: scale the output layer (the last Linear with one output) so the model gives target units."""
    if objective.task != "regression" or objective.folded:
        return
    heads = [module for module in model.modules() if isinstance(module, nn.Linear) and module.out_features == 1]
    if not heads:
        raise LabError("this network has no single-output linear layer to predict a number with; "
                       "use a recipe built for regression")
    with torch.no_grad():
        heads[-1].weight.mul_(objective.sd)
        if heads[-1].bias is not None:
            heads[-1].bias.mul_(objective.sd).add_(objective.mean)
    objective.folded = True


def choose_thresholds(scores: np.ndarray, labels: np.ndarray, per_label: bool = False) -> list[float]:
    """Multi-label: the threshold on THRESHOLD_GRID that maximises validation micro-F1, one per label (all the
    same unless per_label, where each label takes its own best F1, keeping the global one for a label that
    validation never shows). Ties go to the threshold nearest 0.5: small validation sets tie often."""
    from sklearn.metrics import f1_score

    truth = np.asarray(labels).astype(np.int64)
    candidates = sorted(THRESHOLD_GRID, key=lambda t: (abs(t - 0.5), t))

    def best(column_scores, column_truth, average):
        f1s = [f1_score(column_truth, (column_scores >= t).astype(np.int64), average=average, zero_division=0)
               for t in candidates]
        return float(candidates[int(np.argmax(f1s))])

    overall = best(scores, truth, "micro")
    if not per_label:
        return [overall] * truth.shape[1]
    return [best(scores[:, j], truth[:, j], "binary") if truth[:, j].any() else overall
            for j in range(truth.shape[1])]


def decide(task: str, scores: np.ndarray, thresholds: list[float] | None = None) -> np.ndarray:
    """Predictions from scores: class ids, a 0/1 int matrix, or the values themselves."""
    if task == "single_label":
        return np.asarray(scores).argmax(axis=1)
    if task == "multi_label":
        cut = np.full(np.shape(scores)[1], 0.5) if thresholds is None else np.asarray(thresholds)
        return (np.asarray(scores) >= cut[None, :]).astype(np.int64)
    return np.asarray(scores, dtype=np.float64)
