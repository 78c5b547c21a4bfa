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

    def __init__(self):
        self.history: list[dict] = []
        self.best_epoch = -1  # 0-based
        self.best_f1 = -1.0
        self.best_loss = math.inf
        self.best_weights: dict | None = None

    def add(self, record: dict, model: nn.Module) -> None:
        epoch = record["epoch"] - 1
        self.history.append(record)
        # Better = higher macro-F1; on a tie (common on small validation sets) lower validation loss.
        if (record["val_macro_f1"], -record["val_loss"]) > (self.best_f1, -self.best_loss):
            self.best_f1, self.best_loss, self.best_epoch = record["val_macro_f1"], record["val_loss"], epoch
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
        return {"history": self.history, "best_epoch": self.best_epoch, "best_f1": self.best_f1,
                "best_loss": self.best_loss, "best_weights": self.best_weights}

    def load_state_dict(self, state: dict) -> None:
        self.history, self.best_epoch = list(state["history"]), state["best_epoch"]
        self.best_f1, self.best_loss = state["best_f1"], state["best_loss"]
        self.best_weights = state["best_weights"]
