"""min_steps: a small training split passes several times per epoch until the run has at least min_steps optimizer
steps; a large split keeps its epochs; patience still stops a converged run; the record holds the steps."""

import json

import pytest
import torch

from lab.runs import execute
from lab.training.loop import seed_everything, train
from lab.training.schedule import step_plan
from tests.test_train import Linear, fit, loader, separable


@pytest.mark.parametrize("steps_per_pass, epochs, min_steps, passes", [
    (4, 10, 300, 8),  # 100 examples in batches of 32: 40 steps become 320
    (52, 10, 300, 1),  # 1,656 examples: 520 steps already
    (30, 10, 300, 1),  # exactly enough
    (29, 10, 300, 2),
    (4, 10, 0, 1),  # 0: the epochs alone, as before min_steps
])
def test_the_plan_is_the_fewest_passes_that_reach_min_steps(steps_per_pass, epochs, min_steps, passes):
    assert step_plan(steps_per_pass, epochs, min_steps) == passes


def test_a_tiny_split_gets_at_least_min_steps_in_the_same_number_of_epochs():
    """64 examples in batches of 8 are 8 steps a pass; 3 epochs of them are 24 steps, so 50 need 3 passes each."""
    result, _ = fit(epochs=3, patience=None, min_steps=50)
    assert result.passes_per_epoch == 3 and result.steps_per_pass == 8
    assert result.this_run["optimizer_steps"] == result.optimizer_steps == 72
    assert result.this_run["epochs"] == 9 and [r["epoch"] for r in result.history] == [1, 2, 3]


def test_steps_after_gradient_accumulation_are_what_is_counted():
    result, _ = fit(epochs=2, patience=None, min_steps=20, grad_accum_steps=2)  # 4 steps a pass: 3 passes
    assert result.passes_per_epoch == 3 and result.this_run["optimizer_steps"] == result.optimizer_steps == 24


def test_a_split_with_enough_steps_trains_exactly_as_without_min_steps():
    plain, _ = fit(epochs=3, patience=None, min_steps=0)
    enough, _ = fit(epochs=3, patience=None, min_steps=24)
    assert enough.passes_per_epoch == 1 and enough.history == plain.history
    assert all(torch.equal(a, b) for a, b in zip(plain.model.state_dict().values(),
                                                 enough.model.state_dict().values()))


def test_patience_still_stops_a_scaled_run_that_has_converged():
    """After the first epoch a hook sets the learning rate to zero: validation stays the same, never better."""
    def freeze(epoch, accelerator, record):
        for prepared in accelerator._schedulers:
            prepared.scheduler.base_lrs = [0.0 for _ in prepared.scheduler.base_lrs]
            for group in prepared.scheduler.optimizer.param_groups:
                group["lr"] = 0.0

    seed_everything(0)
    tx, ty = separable(64, seed=1)
    vx, vy = separable(16, seed=2)
    result = train(Linear(hidden=4), loader(tx, ty, 8, shuffle=True), loader(vx, vy, 8), epochs=10, lr=0.05,
                   patience=2, min_steps=400, progress=False, on_epoch_end=freeze, threads=1)
    assert result.passes_per_epoch == 5  # 8 steps a pass, 10 epochs: 5 passes each reach 400
    assert len(result.history) == 3 and result.stopped_early and result.best_epoch == 1
    assert result.history[1]["val_loss"] == result.history[2]["val_loss"]
    assert result.optimizer_steps == 3 * 5 * 8


def test_the_run_record_holds_the_steps_and_epochs_each_network_got(tmp_path):
    """The 40-row fixture's 28 training texts in batches of 8 are 4 steps a pass; tiny.yaml trains 15 epochs."""
    folder = execute("bow_ffn", "tiny", ["dataset=tests/assets/tiny.csv", "min_steps=100", "epochs=5"],
                     runs_dir=str(tmp_path))
    record = json.loads((folder / "record.json").read_text())
    figures = record["figures"]
    train_size = record["dataset"]["sizes"]["train"]
    steps_per_pass = -(-train_size // 8)
    passes = -(-100 // (steps_per_pass * 5))
    assert figures["optimizer_steps"] == 5 * passes * steps_per_pass >= 100
    assert figures["training_epochs"] == 5 * passes and figures["passes_per_epoch"] == passes > 1
    assert len(record["models"][0]["history"]) == 5
