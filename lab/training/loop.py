"""The one training loop every torch recipe shares: accelerate-driven, seeded, early-stopped on the task's headline
validation metric (macro-F1, micro-F1 or RMSE; lab/tasks.py), with the task's loss (lab/training/objectives.py).

Batches are dicts of tensors with the targets under "labels" (Objective.targets: class ids, a 0/1 matrix, or the
standardised value). The loop calls model(**batch without "labels");
the model returns logits, or an object with .logits (a transformers model). So a recipe's nn.Module simply names
its inputs as keyword arguments of forward(). Works on CPU and GPU, and under `accelerate launch` / torchrun.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import psutil
import torch
from accelerate import Accelerator
from accelerate.data_loader import DataLoaderDispatcher, DataLoaderShard
from accelerate.state import AcceleratorState
from accelerate.utils import set_seed
from torch import nn
from tqdm import tqdm

from lab.errors import LabError
from lab.progress import Progress
from lab.training.objectives import Objective, fold_standardisation
from lab.training.precision import resolve_precision
from lab.training.schedule import Budget, steps_per_epoch, warmup_schedule
from lab.training.tracker import Tracker

STEPS_LABEL = "lab: training steps"  # torch.profiler's name for one epoch's training steps


@dataclass
class Predictions:
    logits: np.ndarray  # (n, n_outputs) float32, every example exactly once, in loader order
    probabilities: np.ndarray  # Objective.outputs: softmax (single), sigmoid (multi), the value (regression, (n,))
    labels: np.ndarray | None  # the batches' "labels", when they had them


@dataclass
class TrainResult:
    model: nn.Module  # unwrapped, holding the weights of the best validation epoch
    history: list[dict]  # per epoch: epoch, train_loss, val_loss and the task's validation figures
    best_epoch: int  # 1-based, as in history
    stopped_early: bool
    accelerator: Accelerator
    # what this process did (a resumed run did the earlier epochs elsewhere): its epochs, its passes over the
    # training split (steps / steps_per_pass), its optimizer steps, and its seconds in training steps and validation
    this_run: dict
    objective: Objective = None  # what the model was trained for; regression's standardisation is folded in
    passes_per_epoch: float = 1.0  # > 1 when min_steps lengthened a small split's epochs (see steps_per_epoch)
    steps_per_pass: int = 0  # optimizer steps in one pass over the training split
    out_of_time: bool = False  # max_train_seconds ran out: the last epoch stopped after the step that spent it
    scheduled_steps: int = 0  # the learning-rate schedule's length (max_train_seconds shortens it to what it affords)
    # what the model got in all, a resumed run's earlier epochs included: optimizer steps, passes over the split
    optimizer_steps: int = 0
    passes: float = 0.0


def make_accelerator(mixed_precision: str = "no", grad_accum_steps: int = 1, cpu: bool = False,
                     threads: int | None = None) -> Accelerator:
    """An Accelerator, with torch's CPU threads set to `threads`, default this process's share of the physical cores.

    threads=1 is much faster for tiny models on a busy machine: waiting OpenMP threads spin (measured 16x on a
    2-core box with other work running).
    """
    precision = resolve_precision(mixed_precision)
    state = AcceleratorState._shared_state
    if state and state.get("_mixed_precision") != precision and state.get("num_processes", 1) == 1:
        # accelerate's state is a process-wide singleton that refuses a new precision; in a single process
        # (tests, several recipes in one session) starting afresh is safe.
        AcceleratorState._reset_state()
    # accelerate only sets up multi-process CPU training (gloo) when told cpu=True, so say so when there is no GPU
    cpu = cpu or not has_accelerator()
    if not cpu:
        check_one_gpu_per_process()
    accelerator = Accelerator(mixed_precision=precision, gradient_accumulation_steps=grad_accum_steps, cpu=cpu)
    if accelerator.device.type == "cpu" and threads:
        torch.set_num_threads(threads)
    elif accelerator.device.type == "cpu" and not os.environ.get("OMP_NUM_THREADS"):  # a user's choice wins
        cores = psutil.cpu_count(logical=False) or 1
        torch.set_num_threads(max(1, cores // accelerator.num_processes))
    return accelerator


def has_accelerator() -> bool:
    """Whether make_accelerator's Accelerator will train on a GPU (CUDA or Apple's MPS) rather than the CPU."""
    return torch.cuda.is_available() or torch.backends.mps.is_available()


def check_one_gpu_per_process() -> None:
    """More launched processes than GPUs on this machine ends in NCCL's 'Duplicate GPU detected' traceback."""
    processes = int(os.environ.get("LOCAL_WORLD_SIZE", "1"))
    gpus = torch.cuda.device_count()
    if torch.cuda.is_available() and processes > gpus:
        raise LabError(f"{processes} processes were launched on this machine but it has {gpus} GPU(s): launch at most "
                       f"{gpus}, or hide the GPUs (CUDA_VISIBLE_DEVICES=) to train on {processes} CPU processes")


def seed_everything(seed: int) -> None:
    """Seed python, numpy and torch (all devices). Call before building the model so its init is seeded too."""
    set_seed(seed)


def train(model: nn.Module, train_loader, val_loader, *, epochs: int = 10, lr: float = 1e-3,
          weight_decay: float = 0.01, warmup_ratio: float = 0.1, grad_accum_steps: int = 1,
          max_grad_norm: float | None = 1.0, patience: int | None = 3, min_steps: int = 0,
          max_train_seconds: float | None = None, class_weights=None,
          mixed_precision: str = "no", seed: int = 42, progress: bool = True, threads: int | None = None,
          accelerator: Accelerator | None = None,
          on_epoch_end: Callable[[int, Accelerator, dict], None] | None = None,
          resume_from: str | Path | None = None, objective: Objective | None = None,
          head_lr: float | None = None) -> TrainResult:
    """Train with AdamW, linear warmup then linear decay, and the objective's loss (default: single-label
    cross-entropy, weighted by class_weights); keep the best epoch.

    min_steps: when `epochs` passes over a small training split make fewer optimizer steps, each epoch takes
    ceil(min_steps / epochs) steps, passing over the split more than once (steps_per_epoch), so that 100 examples
    get as many steps as the learning rate schedule needs; validation, patience and the history still count
    epochs. max_train_seconds: stop after the optimizer step that spends this process's budget of training-step
    seconds, validate that last (partial) epoch and keep the best epoch as usual.

    Early stopping: stop after `patience` epochs without a better validation headline metric (ties: lower
    validation loss wins; patience=None: never stop early), then restore the best epoch's weights; for regression,
    fold the target's standardisation into the output layer. `on_epoch_end(epoch, accelerator, record)` runs on
    every process after each epoch (e.g. `accelerator.save_state(dir)`, which also saves the history and best
    weights); `resume_from=dir` loads such a state and continues with the next epoch. head_lr: see param_groups.
    """
    if accelerator is None:
        accelerator = make_accelerator(mixed_precision, grad_accum_steps, threads=threads)
    elif accelerator.gradient_accumulation_steps != grad_accum_steps:
        raise ValueError("grad_accum_steps differs from the given accelerator's gradient_accumulation_steps")
    objective = objective or Objective("single_label", weights=class_weights)
    set_seed(seed)
    # fused: one kernel for the whole update instead of a loop over tensors; several times faster on CPU
    # (HF Trainer's default optimizer too)
    optimizer = torch.optim.AdamW(param_groups(model, weight_decay, head_lr), lr=lr, fused=True)
    steps_per_pass = math.ceil(len(train_loader) / grad_accum_steps)  # as one process counts them
    per_epoch = steps_per_epoch(steps_per_pass, epochs, min_steps)
    scheduler = warmup_schedule(optimizer, per_epoch * epochs, warmup_ratio)
    schedule = scheduler.lr_lambdas[0]  # before prepare wraps the scheduler: the budget may shorten it
    model, optimizer, train_dl, val_dl, scheduler = accelerator.prepare(
        model, optimizer, train_loader, val_loader, scheduler)
    tracker = Tracker(f"val_{objective.headline}", objective.higher_is_better)
    hooks = tracker.attach(accelerator)  # so save_state/load_state carry history and best weights
    try:
        if resume_from is not None:
            accelerator.load_state(str(resume_from))
        trained = train_epochs(model, train_dl, val_dl, optimizer, scheduler, objective,
                               (epochs, steps_per_pass, per_epoch, Budget(max_train_seconds, schedule)),
                               patience, max_grad_norm, progress, accelerator, tracker, on_epoch_end)
    finally:
        for hook in hooks:
            hook.remove()
    fold_standardisation(trained.model, objective)  # after the best weights are back: they are what is kept
    trained.objective, trained.passes_per_epoch = objective, per_epoch / steps_per_pass
    trained.steps_per_pass, trained.scheduled_steps = steps_per_pass, schedule.total
    earlier = len(trained.history) - trained.this_run["epochs"]  # the epochs a resumed run had before
    trained.optimizer_steps = earlier * per_epoch + trained.this_run["optimizer_steps"]
    trained.passes = trained.optimizer_steps / steps_per_pass
    return trained


def train_epochs(model, train_dl, val_dl, optimizer, scheduler, objective, plan, patience, max_grad_norm,
                 progress, accelerator, tracker, on_epoch_end) -> TrainResult:
    epochs, per_pass, per_epoch, budget = plan
    batches = per_epoch // per_pass * len(train_dl) + per_epoch % per_pass * accelerator.gradient_accumulation_steps
    bar = tqdm(total=batches * epochs, initial=batches * len(tracker.history), desc="train",
               disable=not (progress and accelerator.is_local_main_process), dynamic_ncols=True)
    # a resumed run that had already run out of patience stays stopped
    stopped = patience is not None and bool(tracker.history) and len(tracker.history) - 1 - tracker.best_epoch >= patience
    this_run = {"epochs": 0, "passes": 0.0, "optimizer_steps": 0, "training_seconds": 0.0,
                "validation_seconds": 0.0, "examples_seen": 0}  # distinct examples: all of them once a pass is whole
    for epoch in range(len(tracker.history), epochs if not stopped else 0):
        record = run_epoch((epoch, per_pass, per_epoch, budget), model, train_dl, val_dl, optimizer, scheduler,
                           objective, max_grad_norm, accelerator, bar, this_run)
        tracker.add(record, accelerator.unwrap_model(model))
        bar.set_postfix(loss=f"{record['train_loss']:.4f}", **{tracker.key: f"{record[tracker.key]:.4f}"})
        if on_epoch_end is not None:
            on_epoch_end(epoch, accelerator, record)
        if budget.spent or patience is not None and epoch - tracker.best_epoch >= patience:
            stopped = epoch < epochs - 1
            break
    bar.close()
    trained = finish(model, tracker, stopped, accelerator, this_run)
    trained.out_of_time = budget.spent
    return trained


def finish(model, tracker: Tracker, stopped: bool, accelerator: Accelerator, this_run: dict) -> TrainResult:
    accelerator.wait_for_everyone()
    model = accelerator.unwrap_model(model, keep_fp32_wrapper=False)
    if tracker.best_weights is not None:
        model.load_state_dict(tracker.best_weights)
    model.eval()
    return TrainResult(model, list(tracker.history), tracker.best_epoch + 1, stopped, accelerator, this_run)


def run_epoch(position, model, train_dl, val_dl, optimizer, scheduler, objective, max_grad_norm,
              accelerator, bar, this_run: dict) -> dict:
    epoch, per_pass, per_epoch, budget = position
    # both parts end by copying a result to the host, which waits for the GPU: the clock sees its work
    began = time.perf_counter()
    losses, counts = [], []
    segments = math.ceil(per_epoch / per_pass)  # passes this epoch starts: the last may stop part-way
    with torch.profiler.record_function(STEPS_LABEL):  # marks the steps for torch.profiler users (and benchmarks)
        for segment in range(segments):
            train_dl.set_epoch(epoch * segments + segment)  # pass-dependent shuffling that a resume repeats exactly
            limit = min(per_pass, per_epoch - segment * per_pass)
            loss, steps, examples = train_one_epoch(model, train_dl, optimizer, scheduler, objective,
                                                    max_grad_norm, accelerator, bar,
                                                    lambda: budget.check(began, accelerator), limit)
            losses.append(loss)
            counts.append(examples)
            this_run["examples_seen"] = max(this_run["examples_seen"], examples)  # each pass: a permutation
            this_run["optimizer_steps"] += steps
            this_run["passes"] += steps / per_pass
            if budget.spent:
                break
    this_run["epochs"] += 1
    # each example seen counts once: a part-way pass weighs what it saw
    train_loss = losses[0] if len(losses) == 1 else float(np.average(losses, weights=counts))
    validating = time.perf_counter()
    budget.used += validating - began
    out = predict(model, val_dl, accelerator, objective, desc=None if bar.disable else "validation")
    this_run["training_seconds"] += validating - began
    this_run["validation_seconds"] += time.perf_counter() - validating
    return {"epoch": epoch + 1, "train_loss": train_loss, **objective.validation(out.logits, out.labels)}


def train_one_epoch(model, loader, optimizer, scheduler, objective, max_grad_norm, accelerator, bar,
                    out_of_time=lambda: False, max_steps: int | None = None) -> tuple:
    """One pass, or its first part: until out_of_time() after a step, or max_steps optimizer steps; returns the mean
    per-example training loss over all processes, the optimizer steps taken, and the examples (all processes') it
    trained on."""
    model.train()
    # the loss sum stays on the device and the count on the host: nothing in a step waits for the GPU
    loss_sum, examples, steps = torch.zeros((), device=accelerator.device), 0, 0
    for batch in loader:
        with accelerator.accumulate(model):
            labels = batch["labels"]
            loss = objective.loss(forward(model, batch), labels)
            accelerator.backward(loss)
            if max_grad_norm and accelerator.sync_gradients:
                accelerator.clip_grad_norm_(model.parameters(), max_grad_norm)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            steps += accelerator.sync_gradients
        loss_sum += loss.detach().float() * len(labels)
        examples += len(labels)
        bar.update(1)
        if accelerator.sync_gradients and (out_of_time() or steps == max_steps):  # the budget sees every step
            break
    total = accelerator.reduce(torch.stack([loss_sum, torch.tensor(float(examples), device=loss_sum.device)]),
                               reduction="sum")
    return (total[0] / total[1]).item(), steps, int(total[1].item())


def predict(model: nn.Module, loader, accelerator: Accelerator | None = None,
            objective: Objective | None = None, desc: str | None = None) -> Predictions:
    """Logits and the objective's outputs (default: softmax) for every example of loader, gathered from all
    processes, each exactly once. desc: a progress bar of batches under that name (on a terminal only)."""
    accelerator = accelerator or Accelerator()  # reuses the process's accelerate state, if any
    if not isinstance(loader, (DataLoaderShard, DataLoaderDispatcher)):
        loader = accelerator.prepare_data_loader(loader)
    model.to(accelerator.device).eval()  # a model reloaded from disk is on the CPU; the loader's batches may not be
    logits, labels = [], []
    shown = Progress(desc is not None and accelerator.is_local_main_process)
    with torch.inference_mode(), accelerator.autocast():
        for batch in shown.over(desc or "", "batch")(loader):
            logits.append(accelerator.gather_for_metrics(forward(model, batch).float()).cpu())
            if "labels" in batch:
                labels.append(accelerator.gather_for_metrics(batch["labels"]).cpu())
    if not logits:
        raise LabError("there is nothing to predict: the data split is empty; check the dataset")
    stacked = torch.cat(logits)
    return Predictions(stacked.numpy(), (objective or Objective()).outputs(stacked.numpy()),
                       torch.cat(labels).numpy() if labels else None)


def forward(model: nn.Module, batch: dict) -> torch.Tensor:
    output = model(**{key: value for key, value in batch.items() if key != "labels"})
    return output.logits if hasattr(output, "logits") else output


def param_groups(model: nn.Module, weight_decay: float, head_lr: float | None = None) -> list[dict]:
    """No weight decay on biases and norm scales (1-d tensors): decaying them only hurts. head_lr: the learning
    rate of a pretrained model's new head (its parameters outside base_model); the others keep the optimizer's."""
    params = [p for p in model.parameters() if p.requires_grad]
    body = getattr(model, "base_model", model)
    if head_lr is None or body is model:
        return decay_groups(params, weight_decay)
    pretrained = {id(p) for p in body.parameters()}
    return (decay_groups([p for p in params if id(p) in pretrained], weight_decay)
            + decay_groups([p for p in params if id(p) not in pretrained], weight_decay, lr=head_lr))


def decay_groups(params: list, weight_decay: float, **options) -> list[dict]:
    return [{"params": [p for p in params if p.ndim >= 2], "weight_decay": weight_decay, **options},
            {"params": [p for p in params if p.ndim < 2], "weight_decay": 0.0, **options}]
