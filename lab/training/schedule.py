"""The learning-rate schedule of the shared loop (linear warmup, then linear decay), how many steps an epoch
makes on a small split (min_steps), and the max_train_seconds budget, which can shorten the schedule once it
has timed some steps."""

from __future__ import annotations

import math
import time

import torch
from accelerate import Accelerator

from lab.errors import LabError


def steps_per_epoch(steps_per_pass: int, epochs: int, min_steps: int) -> int:
    """Optimizer steps in an epoch: one pass over the training split, or, when `epochs` passes make fewer than
    min_steps, ceil(min_steps / epochs): the epoch passes over the split again, freshly shuffled, and stops
    part-way through its last pass. One epoch of 100 examples in batches of 32 is 4 steps; 10 such epochs barely
    leave the warmup. (Whole passes made the count jump: 146 steps a pass at 3 epochs and min_steps 450 gave 876.)"""
    if not min_steps or steps_per_pass * epochs >= min_steps:
        return steps_per_pass
    return math.ceil(min_steps / epochs)


CALIBRATION_STEPS = (5, 25)  # a budget times the steps between these two (the first steps carry warm-up costs)


class Budget:
    """max_train_seconds of training steps; every process stops after the same step (they agree each step).

    Once it has timed 20 steps, it shortens the learning-rate schedule to the steps the budget affords, so that a
    budget that ends training inside the planned epochs still gets the whole warmup and decay: one epoch of 80,000
    texts planned as 5,000 steps, stopped after 400, would otherwise stop inside its 500-step warmup."""

    def __init__(self, seconds: float | None, schedule=None):
        if seconds is not None and not seconds > 0:
            raise LabError(f"max_train_seconds={seconds} leaves no time to train; give seconds above 0, or null "
                           f"for no limit")
        self.seconds, self.used, self.spent = seconds, 0.0, False
        self.schedule, self.steps, self.marks = schedule, 0, {}

    def check(self, began: float, accelerator: Accelerator) -> bool:
        if self.seconds is None:
            return False
        elapsed = self.used + time.perf_counter() - began
        self.steps += 1
        if self.schedule is not None and self.steps in CALIBRATION_STEPS:
            self.fit_schedule(elapsed, accelerator)
        if accelerator.num_processes == 1:  # a reduce would copy the answer back each step, waiting for a GPU
            self.spent = elapsed >= self.seconds
            return self.spent
        late = torch.tensor(float(elapsed >= self.seconds), device=accelerator.device)
        self.spent = accelerator.reduce(late, reduction="sum").item() > 0
        return self.spent

    def fit_schedule(self, elapsed: float, accelerator: Accelerator) -> None:
        self.marks[self.steps] = elapsed
        if len(self.marks) < len(CALIBRATION_STEPS):
            return
        first, last = CALIBRATION_STEPS
        per_step = max((self.marks[last] - self.marks[first]) / (last - first), 1e-9)
        affordable = torch.tensor(last + int((self.seconds - elapsed) / per_step), device=accelerator.device)
        # every process must keep the same learning rates: the slowest one's count
        self.schedule.shorten(int(accelerator.gather(affordable[None]).min().item()))


class WarmupDecay:
    """The learning-rate factor: linear warmup over warmup_ratio of the steps, then linear decay to zero. An object,
    not a closure, so that a time budget can shorten it and a checkpoint (LambdaLR's state) carries its length."""

    def __init__(self, total_steps: int, warmup_ratio: float):
        self.ratio = warmup_ratio
        self.total = self.warmup = 0
        self.shorten(total_steps, force=True)

    def shorten(self, total_steps: int, force: bool = False) -> None:
        if force or total_steps < self.total:
            self.total = max(1, total_steps)
            self.warmup = int(round(self.total * self.ratio))

    def __call__(self, step: int) -> float:
        if step < self.warmup:
            return (step + 1) / (self.warmup + 1)
        return max(0.0, (self.total - step) / max(1, self.total - self.warmup))


def warmup_schedule(optimizer, total_steps: int, warmup_ratio: float):
    """Linear warmup over warmup_ratio of the steps, then linear decay to zero (WarmupDecay)."""
    return torch.optim.lr_scheduler.LambdaLR(optimizer, WarmupDecay(total_steps, warmup_ratio))
