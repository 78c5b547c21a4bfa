"""What the torch recipes share around the training loop: class weights, learning curves, the report row, saving."""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

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
    patience: int | None = 3  # epochs without a better validation macro-F1 before stopping; null: never stop
    class_weights: Literal["none", "balanced"] = "none"
    mixed_precision: Literal["no", "bf16", "fp16", "auto"] = "no"
    progress: bool = True
    threads: int | None = None  # torch CPU threads; None: this process's share of the physical cores


TRAIN_KEYS = ("epochs", "lr", "weight_decay", "warmup_ratio", "grad_accum_steps", "max_grad_norm", "patience",
              "mixed_precision", "seed")


def train_options(cfg) -> dict:
    """The train() keyword arguments a recipe config carries under the same names."""
    return {key: getattr(cfg, key) for key in TRAIN_KEYS}


def class_weights(labels: np.ndarray, n_classes: int, mode: str) -> np.ndarray | None:
    """'balanced': n / (k * count_c), as scikit-learn's class_weight='balanced'; 'none': no weights."""
    if mode == "none":
        return None
    counts = np.bincount(labels, minlength=n_classes).astype(np.float64)
    return (len(labels) / (n_classes * np.maximum(counts, 1))).astype(np.float32)


def plot_history(history: list[dict], title: str):
    """Learning curves: losses on the left, validation accuracy and macro-F1 on the right."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = [r["epoch"] for r in history]
    figure, (losses, scores) = plt.subplots(1, 2, figsize=(10, 4))
    losses.plot(epochs, [r["train_loss"] for r in history], marker="o", label="train loss")
    losses.plot(epochs, [r["val_loss"] for r in history], marker="o", label="validation loss")
    scores.plot(epochs, [r["val_accuracy"] for r in history], marker="o", label="validation accuracy")
    scores.plot(epochs, [r["val_macro_f1"] for r in history], marker="o", label="validation macro-F1")
    for axis, label in ((losses, "cross-entropy"), (scores, "score")):
        axis.set_xlabel("epoch")
        axis.set_ylabel(label)
        axis.legend()
        axis.grid(alpha=0.3)
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def seconds_split(trained, cost) -> dict:
    """Where a torch recipe's training seconds went: training steps, validation passes, and the rest
    (reading and featurizing or tokenizing the data, building or loading the model, restoring the best weights)."""
    steps, validation = trained.this_run["training_seconds"], trained.this_run["validation_seconds"]
    return {"seconds_in_training_steps": steps, "seconds_in_validation": validation,
            "seconds_in_setup": cost.seconds - steps - validation}


def average_of(models: list):
    """One module for several trained networks: its output is the log of their mean class probabilities, so its
    softmax (what predict() reports) is that mean. A single network is returned as it is."""
    import torch
    from torch import nn

    if len(models) == 1:
        return models[0]

    class Ensemble(nn.Module):
        def __init__(self):
            super().__init__()
            self.members = nn.ModuleList(models)

        def forward(self, **inputs):
            log_probabilities = torch.stack([torch.log_softmax(member(**inputs).float(), dim=-1)
                                             for member in self.members])
            return torch.logsumexp(log_probabilities, dim=0) - math.log(len(self.members))

    return Ensemble()


def ensemble_of(members: list):
    """Several trained networks (TrainResults) as one: the model averages their probabilities, the seconds are
    all of theirs, and the history and early-stopping facts are the first network's (it is the one a plain
    run of the same seed trains)."""
    this_run = {key: sum(member.this_run[key] for member in members) for key in members[0].this_run}
    return dataclasses.replace(members[0], model=average_of([member.model for member in members]),
                               this_run=this_run)


def model_result(name: str, trained, test_loader, n_test: int, cost, features: int, save) -> ModelResult:
    """The report row: test probabilities (timed, for throughput), cost of training, size of the model."""
    from lab.training.loop import predict

    out, per_second = throughput(lambda loader: predict(trained.model, loader, trained.accelerator),
                                 test_loader, n_test)
    return ModelResult(
        name=name, family="neural", predictions=out.probabilities.argmax(axis=1), scores=out.probabilities,
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
