"""The training loop's memory across epochs: the per-epoch history and the best epoch's weights.

Early stopping restores those weights, and save_state/load_state carry them (accelerate's hooks), so a resumed
run knows its history and its best epoch so far.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from accelerate import Accelerator
from torch import nn


class Tracker:
    """History and best weights. save_state/load_state carry them as JSON + safetensors (tracker.json,
    tracker_best.safetensors), so resuming never unpickles anything (accelerate's registered objects would be)."""

    def __init__(self, key: str = "val_macro_f1", higher_is_better: bool = True):
        self.key, self.sign = key, 1.0 if higher_is_better else -1.0  # the validation figure early stopping reads
        self.history: list[dict] = []
        self.best_epoch = -1  # 0-based
        self.best_score = -math.inf  # sign * the key's best value, so higher is always better here
        self.best_loss = math.inf
        self.best_weights: dict | None = None

    def add(self, record: dict, model: nn.Module) -> None:
        epoch = record["epoch"] - 1
        self.history.append(record)
        # Better = a better headline figure; on a tie (common on small validation sets) lower validation loss.
        score = self.sign * record[self.key]
        if (score, -record["val_loss"]) > (self.best_score, -self.best_loss):
            self.best_score, self.best_loss, self.best_epoch = score, record["val_loss"], epoch
            self.best_weights = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}

    def attach(self, accelerator: Accelerator) -> list:
        def save(models, weights, folder):
            if accelerator.is_main_process:
                self.save(Path(folder))

        return [accelerator.register_save_state_pre_hook(save),
                accelerator.register_load_state_pre_hook(lambda models, folder: self.load(Path(folder)))]

    def save(self, folder: Path) -> None:
        from safetensors.torch import save_file

        state = self.state_dict()
        if state.pop("best_weights") is not None:
            save_file({k: v.contiguous() for k, v in self.best_weights.items()}, str(folder / "tracker_best.safetensors"))
        (folder / "tracker.json").write_text(json.dumps(state))

    def load(self, folder: Path) -> None:
        from safetensors.torch import load_file

        state = json.loads((folder / "tracker.json").read_text())
        best = folder / "tracker_best.safetensors"
        self.load_state_dict({**state, "best_weights": load_file(str(best)) if best.is_file() else None})

    def state_dict(self) -> dict:
        return {"history": self.history, "best_epoch": self.best_epoch, "best_score": self.best_score,
                "best_loss": self.best_loss, "best_weights": self.best_weights}

    def load_state_dict(self, state: dict) -> None:
        self.history, self.best_epoch = list(state["history"]), state["best_epoch"]
        # best_f1: checkpoints written before early stopping read other tasks' metrics
        self.best_score, self.best_loss = state.get("best_score", state.get("best_f1")), state["best_loss"]
        self.best_weights = state["best_weights"]
