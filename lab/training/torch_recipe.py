"""What the torch recipes share around the training loop: learning curves, thresholds, the report row, saving."""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from lab.config import CommonConfig
from lab.evaluation.efficiency import throughput
from lab.errors import LabError
from lab.results import ModelResult


@dataclass
class TrainConfig(CommonConfig):
    """The training-loop keys every torch recipe shares; a recipe subclasses this and changes defaults as needed."""

    batch_size: int = 32
    epochs: int = 10
    lr: float = 3e-3
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    grad_accum_steps: int = 1
    max_grad_norm: float | None = 1.0
    patience: int | None = 3  # epochs without a better validation headline metric before stopping; null: never stop
    # at least this many optimizer steps: on a small training split each epoch takes ceil(min_steps / epochs) steps,
    # passing over the split more than once (0: epochs only).
    # 300 keeps every default run on BBC News (1,656 training articles) as it was; see benchmarks/README.md
    min_steps: int = 300
    # balanced: single-label classes weighted n/(k*count); multi-label BCE pos_weight negatives/positives per label;
    # auto: the task's choice (lab.training.objectives.AUTO_WEIGHTS: balanced for multi-label, else none)
    class_weights: Literal["none", "balanced", "auto"] = "none"
    thresholds: Literal["global", "per_label"] = "global"  # multi-label: one threshold, or one per label (validation)
    mixed_precision: Literal["no", "bf16", "fp16", "auto"] = "no"
    # seconds of training steps, then stop after the step that spends them (validation excluded); null: no limit
    max_train_seconds: float | None = None
    progress: bool = True
    threads: int | None = None  # torch CPU threads; None: this process's share of the physical cores


TRAIN_KEYS = ("epochs", "lr", "weight_decay", "warmup_ratio", "grad_accum_steps", "max_grad_norm", "patience",
              "min_steps", "max_train_seconds", "mixed_precision", "seed")


def train_options(cfg) -> dict:
    """The train() keyword arguments a recipe config carries under the same names."""
    return {key: getattr(cfg, key) for key in TRAIN_KEYS}


def class_weights(labels, n_classes: int, mode: str):
    """Single-label: 'balanced': n / (k * count_c), as scikit-learn's class_weight='balanced'; 'none': no weights."""
    from lab.training.objectives import balanced_class_weights

    return None if mode in ("none", "auto") else balanced_class_weights(labels, n_classes)  # auto: none here


CURVE_NAMES = {"val_accuracy": "validation accuracy", "val_macro_f1": "validation macro-F1",
               "val_micro_f1": "validation micro-F1", "val_rmse": "validation RMSE", "val_mae": "validation MAE"}
LOSS_NAMES = {"single_label": "cross-entropy", "multi_label": "binary cross-entropy",
              "regression": "MSE (standardised target)"}


def plot_history(history: list[dict], title: str, task: str = "single_label"):
    """Learning curves: losses on the left, the task's validation figures on the right."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = [r["epoch"] for r in history]
    figure, (losses, scores) = plt.subplots(1, 2, figsize=(10, 4))
    losses.plot(epochs, [r["train_loss"] for r in history], marker="o", label="train loss")
    losses.plot(epochs, [r["val_loss"] for r in history], marker="o", label="validation loss")
    for key in [key for key in history[0] if key in CURVE_NAMES]:
        scores.plot(epochs, [r[key] for r in history], marker="o", label=CURVE_NAMES[key])
    for axis, label in ((losses, LOSS_NAMES[task]), (scores, "score")):
        axis.set_xlabel("epoch")
        axis.set_ylabel(label)
        axis.legend()
        axis.grid(alpha=0.3)
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def seconds_split(trained, cost) -> dict:
    """Where a torch recipe's training seconds went: training steps, validation passes, and the rest
    (reading and featurizing or tokenizing the data, building or loading the model, restoring the best weights);
    and the training the model got: its optimizer steps and its passes over the training split (min_steps makes
    more than one per epoch on a small split; a fraction when an epoch stops part-way), a resumed run's earlier
    epochs included."""
    steps, validation = trained.this_run["training_seconds"], trained.this_run["validation_seconds"]
    return {"seconds_in_training_steps": steps, "seconds_in_validation": validation,
            "seconds_in_setup": cost.seconds - steps - validation, "optimizer_steps": trained.optimizer_steps,
            "training_epochs": trained.passes, "training_examples_seen": trained.this_run["examples_seen"],
            "scheduled_steps": trained.scheduled_steps,
            "passes_per_epoch": trained.passes_per_epoch,
            **({"stopped_by_max_train_seconds": 1.0} if trained.out_of_time else {})}


def average_of(models: list, task: str = "single_label"):
    """One module for several trained networks whose outputs mean what one network's do: the log of the mean class
    probabilities (softmax gives that mean), the logit of the mean label probabilities (sigmoid gives it), or the
    mean value. A single network is returned as it is."""
    import torch
    from torch import nn

    if len(models) == 1:
        return models[0]
    combine = {"single_label": lambda outputs: torch.logsumexp(torch.log_softmax(outputs, dim=-1), dim=0)
               - math.log(len(outputs)),
               "multi_label": lambda outputs: torch.logit(torch.sigmoid(outputs).mean(dim=0), eps=1e-7),
               "regression": lambda outputs: outputs.mean(dim=0)}[task]

    class Ensemble(nn.Module):
        def __init__(self):
            super().__init__()
            self.members = nn.ModuleList(models)

        def forward(self, **inputs):
            return combine(torch.stack([member(**inputs).float() for member in self.members]))

    return Ensemble()


def ensemble_of(members: list):
    """Several trained networks (TrainResults) as one: the model averages their probabilities, the seconds are
    all of theirs, and the history and early-stopping facts are the first network's (it is the one a plain
    run of the same seed trains)."""
    # seconds and steps add up; the members train on the same examples
    this_run = {key: (max if key == "examples_seen" else sum)(member.this_run[key] for member in members)
                for key in members[0].this_run}
    task = members[0].objective.task
    return dataclasses.replace(members[0], model=average_of([member.model for member in members], task),
                               this_run=this_run)


def validation_thresholds(trained, val_loader, per_label: str) -> list[float] | None:
    """Multi-label: thresholds chosen on the validation split with the trained model (None for other tasks)."""
    from lab.training.objectives import choose_thresholds
    from lab.training.loop import predict

    if trained.objective.task != "multi_label":
        return None
    out = predict(trained.model, val_loader, trained.accelerator, trained.objective)
    return choose_thresholds(out.probabilities, out.labels, per_label == "per_label")


def model_result(name: str, trained, test_loader, n_test: int, cost, features: int, save,
                 thresholds: list[float] | None = None) -> ModelResult:
    """The report row: test scores (timed, for throughput) and predictions, cost of training, size of the model."""
    from lab.training.loop import predict
    from lab.training.objectives import decide

    objective = trained.objective
    out, per_second = throughput(lambda loader: predict(trained.model, loader, trained.accelerator, objective),
                                 test_loader, n_test)
    return ModelResult(
        name=name, family="neural", predictions=decide(objective.task, out.probabilities, thresholds),
        scores=None if objective.task == "regression" else out.probabilities, thresholds=thresholds,
        train_seconds=cost.seconds, examples_per_second=per_second, peak_memory_mb=cost.peak_memory_mb,
        parameters=sum(p.numel() for p in trained.model.parameters() if p.requires_grad),
        features=features, history=trained.history, save=save)


def save_model(folder: Path, model, meta: dict) -> None:
    """Weights as safetensors, everything needed to rebuild the model as JSON: loading runs no code."""
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    save_file({k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}, str(folder / "model.safetensors"))
    (folder / "model.json").write_text(json.dumps(meta, indent=1))


def read_model(folder: Path) -> tuple[dict, dict]:
    """(meta, state_dict) from a folder written by save_model."""
    from safetensors.torch import load_file

    folder = Path(folder)
    if not (folder / "model.json").is_file() or not (folder / "model.safetensors").is_file():
        raise LabError(f"{folder} holds no saved model (model.json + model.safetensors); give a run's models/<name> folder")
    return json.loads((folder / "model.json").read_text()), load_file(str(folder / "model.safetensors"))
