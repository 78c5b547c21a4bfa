"""The shared training loop: it learns, stops early onto the best epoch, is deterministic, and runs on 2 processes."""

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file
from torch import nn
from torch.utils.data import DataLoader

from lab.errors import LabError
from lab.training.loop import check_one_gpu_per_process, predict, seed_everything, train
from lab.training.precision import gpu_auto_precision, resolve_precision

ROOT = Path(__file__).resolve().parent.parent


class Linear(nn.Module):
    """forward takes the batch's keys as keywords, like every model the loop trains."""

    def __init__(self, hidden: int = 0, dropout: float = 0.0):
        super().__init__()
        layers = [nn.Linear(2, hidden), nn.ReLU(), nn.Dropout(dropout), nn.Linear(hidden, 2)] if hidden else [nn.Linear(2, 2)]
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


class WithLogits(Linear):
    """A transformers-style model: returns an object with .logits."""

    def forward(self, x):
        return type("Output", (), {"logits": self.net(x)})()


def separable(n: int, seed: int):
    """Two well-separated clusters: class 1 around (+2, +2), class 0 around (-2, -2)."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    x = rng.normal(0, 0.5, (n, 2)) + np.where(y[:, None] == 1, 2.0, -2.0)
    return x.astype(np.float32), y.astype(np.int64)


def loader(x, y, batch_size: int, shuffle: bool = False, seed: int = 0) -> DataLoader:
    rows = [{"x": torch.from_numpy(a), "labels": torch.tensor(b)} for a, b in zip(x, y)]
    generator = torch.Generator().manual_seed(seed) if shuffle else None
    return DataLoader(rows, batch_size=batch_size, shuffle=shuffle, generator=generator)


def fit(model_cls=Linear, epochs=5, batch_size=8, **kwargs):
    seed_everything(0)
    model = model_cls(**kwargs.pop("model_args", {}))
    tx, ty = separable(64, seed=1)
    vx, vy = separable(16, seed=2)
    result = train(model, loader(tx, ty, batch_size, shuffle=True), loader(vx, vy, 8), epochs=epochs, lr=0.05,
                   progress=False, threads=1, **kwargs)
    return result, (vx, vy)


@pytest.mark.parametrize("model_cls", [Linear, WithLogits])
def test_learns_a_separable_problem_to_100_percent(model_cls):
    result, (vx, vy) = fit(model_cls, epochs=5, patience=None)
    out = predict(result.model, loader(vx, vy, 8))
    assert (out.probabilities.argmax(1) == vy).all()
    assert np.allclose(out.probabilities.sum(1), 1.0, atol=1e-6)
    assert result.history[-1]["val_accuracy"] == 1.0 and result.history[-1]["val_macro_f1"] == 1.0
    assert result.history[-1]["train_loss"] < result.history[0]["train_loss"]
    assert [r["epoch"] for r in result.history] == [1, 2, 3, 4, 5]
    assert set(result.history[0]) == {"epoch", "train_loss", "val_loss", "val_accuracy", "val_macro_f1"}


def test_this_run_counts_its_epochs_and_the_seconds_of_its_steps_and_validation():
    began = time.perf_counter()
    result, _ = fit(epochs=3, patience=None)
    wall = time.perf_counter() - began
    work = result.this_run
    assert work["epochs"] == 3 and work["training_seconds"] > 0 and work["validation_seconds"] > 0
    assert work["training_seconds"] + work["validation_seconds"] < wall


def test_early_stopping_restores_the_best_epoch():
    """After epoch 1 a hook zeroes and freezes the output layer: later epochs predict one class (F1 1/3)."""
    holder = {}

    def sabotage(epoch, accelerator, record):
        if epoch == 0:
            with torch.no_grad():
                for param in holder["model"].net[3].parameters():
                    param.zero_().requires_grad_(False)

    seed_everything(0)
    model = holder["model"] = Linear(hidden=4)
    tx, ty = separable(64, seed=1)
    vx, vy = separable(16, seed=2)
    result = train(model, loader(tx, ty, 8, shuffle=True), loader(vx, vy, 8), epochs=10, lr=0.05,
                   patience=2, progress=False, on_epoch_end=sabotage, threads=1)
    f1s = [r["val_macro_f1"] for r in result.history]
    assert f1s == [1.0, pytest.approx(1 / 3), pytest.approx(1 / 3)]  # 2 epochs without improvement: stop
    assert result.stopped_early and result.best_epoch == 1
    out = predict(result.model, loader(vx, vy, 8))
    restored_f1 = np.mean([((out.logits.argmax(1) == c) & (vy == c)).sum() * 2 /
                           ((out.logits.argmax(1) == c).sum() + (vy == c).sum()) for c in (0, 1)])
    assert restored_f1 == pytest.approx(max(f1s))


def test_same_seed_gives_identical_history_and_weights():
    first, _ = fit(epochs=3, model_args={"hidden": 16, "dropout": 0.3}, class_weights=[1.0, 2.0])
    second, _ = fit(epochs=3, model_args={"hidden": 16, "dropout": 0.3}, class_weights=[1.0, 2.0])
    assert first.history == second.history
    for (name, a), (_, b) in zip(first.model.state_dict().items(), second.model.state_dict().items()):
        assert torch.equal(a, b), name


def test_accumulating_two_batches_of_8_equals_one_batch_of_16():
    accumulated, _ = fit(epochs=2, batch_size=8, grad_accum_steps=2, patience=None, max_grad_norm=None)
    single, _ = fit(epochs=2, batch_size=16, patience=None, max_grad_norm=None)
    for a, b in zip(accumulated.model.parameters(), single.model.parameters()):
        assert torch.allclose(a, b, atol=1e-6)
    clipped, _ = fit(epochs=2, batch_size=16, patience=None, max_grad_norm=1e-3)
    assert not torch.equal(clipped.model.net[0].weight, single.model.net[0].weight)  # clipping took effect


class DtypeRecording(Linear):
    """Records the dtype its layers compute in: bfloat16 only where autocast is on."""

    seen: list = []

    def forward(self, x):
        out = self.net(x)
        DtypeRecording.seen.append(out.dtype)
        return out


@pytest.mark.parametrize("precision, dtype", [("bf16", torch.bfloat16), ("no", torch.float32)])
def test_bf16_autocast_runs_on_cpu_in_training_and_validation(precision, dtype):
    seed_everything(0)
    tx, ty = separable(16, seed=1)
    DtypeRecording.seen = []
    result = train(DtypeRecording(), loader(tx, ty, 8), loader(tx, ty, 8), epochs=1, mixed_precision=precision,
                   progress=False, threads=1)
    assert DtypeRecording.seen == [dtype] * 4  # 2 training batches, then 2 validation batches
    assert np.isfinite(result.history[0]["val_loss"]) and result.model.net[0].weight.dtype == torch.float32


def test_predict_puts_a_reloaded_model_on_the_device_of_its_batches():
    """lab predict rebuilds models on the CPU; on a GPU machine the prepared loader puts the batches on the GPU."""
    from accelerate import Accelerator

    moved = []

    class Recording(Linear):
        def to(self, *args, **kwargs):
            moved.append(torch.device(args[0]))
            return super().to(*args, **kwargs)

    x, y = separable(4, seed=0)
    predict(Recording(), loader(x, y, 2))
    assert moved == [Accelerator().device]


def test_more_processes_than_gpus_is_a_lab_error(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    monkeypatch.setenv("LOCAL_WORLD_SIZE", "2")
    with pytest.raises(LabError, match=r"2 processes .* 1 GPU\(s\): launch at most 1, or hide the GPUs"):
        check_one_gpu_per_process()
    monkeypatch.setenv("LOCAL_WORLD_SIZE", "1")
    check_one_gpu_per_process()


def test_bad_precision_is_a_lab_error():
    with pytest.raises(LabError, match="mixed_precision"):
        resolve_precision("fp64")


def device_reads_in_the_steps(**fit_options) -> tuple[int, int]:
    """(optimizer steps, values read back from tensors inside the training steps, those of the optimizer's own
    update aside: CPU's fused AdamW reads its step count, on a GPU it does not)."""
    from torch.profiler import ProfilerActivity, profile

    from lab.training.loop import STEPS_LABEL

    with profile(activities=[ProfilerActivity.CPU]) as trace:
        result, _ = fit(epochs=1, **fit_options)
    events = trace.events()
    spans = [event.time_range for event in events if event.name == STEPS_LABEL]
    reads = [event for event in events if event.name == "aten::_local_scalar_dense"
             and any(span.start <= event.time_range.start <= span.end for span in spans)
             and not (event.cpu_parent and event.cpu_parent.cpu_parent
                      and event.cpu_parent.cpu_parent.name.startswith("aten::_fused_adam"))]
    return result.this_run["optimizer_steps"], len(reads)


def test_a_training_step_reads_nothing_back_from_the_device():
    """On a GPU each read (.item(), a blocking copy) makes the host wait for the step; the loop reads once per pass,
    with or without a time budget (whose check would otherwise read every step)."""
    few_steps, few_reads = device_reads_in_the_steps(batch_size=16, max_train_seconds=1e6)
    many_steps, many_reads = device_reads_in_the_steps(batch_size=4, max_train_seconds=1e6)
    assert (few_steps, many_steps) == (4, 16)
    assert few_reads == many_reads == device_reads_in_the_steps(batch_size=4)[1]


@pytest.mark.parametrize("bf16, parameters, expected", [
    (True, 22_713_216, "no"),  # MiniLM-L6 on an H100: launch-bound, full precision measured faster
    (True, 99_999_999, "no"),
    (True, 100_000_000, "bf16"),  # bert-base's size and above: bf16
    (True, None, "bf16"),  # a model of unknown size
    (False, 22_713_216, "fp16"),  # a GPU without bf16
])
def test_auto_precision_on_a_gpu_follows_the_model_size(bf16, parameters, expected):
    assert gpu_auto_precision(bf16, parameters) == expected


def test_resume_from_saved_state_continues_the_history(tmp_path):
    def save(epoch, accelerator, record):
        if epoch == 1:
            accelerator.save_state(str(tmp_path / "state"))

    first, _ = fit(epochs=2, patience=None, on_epoch_end=save)
    resumed, _ = fit(epochs=4, patience=None, resume_from=tmp_path / "state")
    assert resumed.history[:2] == first.history and [r["epoch"] for r in resumed.history] == [1, 2, 3, 4]
    assert resumed.this_run["epochs"] == 2  # only epochs 3 and 4 ran in this call


def evaluation_set():
    """7 examples (odd: the last batch across 2 processes is padded with a repeat), 2 of them labelled against
    their cluster, so accuracy is k/7 with 0 < k < 7 and a repeated example would make it k'/8 instead."""
    x, y = separable(7, seed=2)
    y[[0, 3]] = 1 - y[[0, 3]]
    return x, y


def test_two_processes_gather_every_example_exactly_once(tmp_path, cpu_processes_env):
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
               str(ROOT / "tests" / "train_worker.py"), str(tmp_path)]
    done = subprocess.run(command, env=cpu_processes_env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    info = json.loads((tmp_path / "info.json").read_text())
    assert info["processes"] == 2
    eval_x, eval_y = evaluation_set()
    for record in info["history"]:  # validation accuracy over exactly 7 examples: a whole number of sevenths
        right = record["val_accuracy"] * 7
        assert 0 < right < 7 and right == pytest.approx(round(right), abs=1e-9), record
    assert info["history"][-1]["val_accuracy"] == pytest.approx(5 / 7)  # right on all but the 2 mislabelled
    logits = np.load(tmp_path / "logits.npy")
    assert logits.shape == (7, 2)  # 7, not 8: the padding example is dropped
    assert (np.load(tmp_path / "labels.npy") == eval_y).all()  # in order, each once
    model = Linear()
    model.load_state_dict(load_file(str(tmp_path / "model.safetensors")))
    single = predict(model, loader(eval_x, eval_y, 2))
    assert np.allclose(single.logits, logits, atol=1e-6)
