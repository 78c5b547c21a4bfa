"""min_steps: on a small training split each epoch takes ceil(min_steps / epochs) optimizer steps, passing over the
split more than once and stopping part-way through its last pass; a large split keeps its epochs; patience still
stops a converged run; the record holds the steps."""

import json

import pytest
import torch

from lab.runs import execute
from lab.training.loop import seed_everything, train
from lab.training.schedule import steps_per_epoch
from tests.test_train import Linear, fit, loader, separable


@pytest.mark.parametrize("steps_per_pass, epochs, min_steps, per_epoch", [
    (4, 10, 300, 30),  # 100 examples in batches of 32: 40 steps become 300
    (52, 10, 300, 52),  # 1,656 examples: 520 steps already
    (30, 10, 300, 30),  # exactly enough
    (29, 10, 300, 30),  # 290 steps: one more an epoch, not a second pass (580 steps) as whole passes gave
    (146, 3, 450, 150),  # 438 steps: 450, where whole passes gave 876
    (4, 10, 0, 4),  # 0: the epochs alone, as before min_steps
    (7, 3, 100, 34),  # 102: the fewest whole steps per epoch that reach min_steps
])
def test_an_epoch_takes_the_fewest_steps_that_reach_min_steps(steps_per_pass, epochs, min_steps, per_epoch):
    assert steps_per_epoch(steps_per_pass, epochs, min_steps) == per_epoch


def test_a_tiny_split_gets_at_least_min_steps_in_the_same_number_of_epochs():
    """64 examples in batches of 8 are 8 steps a pass; 3 epochs of them are 24 steps, so 50 need 17 steps each: two
    whole passes and one step of a third."""
    result, _ = fit(epochs=3, patience=None, min_steps=50)
    assert result.passes_per_epoch == 17 / 8 and result.steps_per_pass == 8
    assert result.this_run["optimizer_steps"] == result.optimizer_steps == 51
    assert result.this_run["epochs"] == 3 and [r["epoch"] for r in result.history] == [1, 2, 3]
    assert result.passes == result.this_run["passes"] == 51 / 8 and result.this_run["examples_seen"] == 64


def test_each_pass_of_an_epoch_is_shuffled_afresh_and_a_rerun_repeats_them():
    """The sampler is told a new pass number for every pass an epoch starts, part-way ones included."""
    seen = []

    class Recording(torch.utils.data.Sampler):
        def __init__(self, n):
            self.n, self.epoch = n, 0

        def set_epoch(self, epoch):
            self.epoch = epoch

        def __iter__(self):
            seen.append(self.epoch)
            return iter(torch.randperm(self.n, generator=torch.Generator().manual_seed(self.epoch)).tolist())

        def __len__(self):
            return self.n

    tx, ty = separable(64, seed=1)
    vx, vy = separable(16, seed=2)
    rows = loader(tx, ty, 8).dataset
    train_loader = torch.utils.data.DataLoader(rows, batch_size=8, sampler=Recording(64))
    result = train(Linear(), train_loader, loader(vx, vy, 8), epochs=3, lr=0.05, patience=None, min_steps=50,
                   progress=False, threads=1)
    assert seen == [0, 1, 2, 3, 4, 5, 6, 7, 8] and result.optimizer_steps == 51


def test_steps_after_gradient_accumulation_are_what_is_counted():
    result, _ = fit(epochs=2, patience=None, min_steps=20, grad_accum_steps=2)  # 4 steps a pass: 10 an epoch
    assert result.passes_per_epoch == 2.5 and result.this_run["optimizer_steps"] == result.optimizer_steps == 20


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
    assert result.passes_per_epoch == 5  # 8 steps a pass, 10 epochs: 40 steps each reach 400
    assert len(result.history) == 3 and result.stopped_early and result.best_epoch == 1
    assert result.history[1]["val_loss"] == result.history[2]["val_loss"]
    assert result.optimizer_steps == 3 * 5 * 8


def test_the_run_record_holds_the_steps_and_epochs_each_network_got(tmp_path):
    """The 40-row fixture's training texts in batches of 8; 5 epochs need 20 steps each to reach 100."""
    folder = execute("bow_ffn", "tiny", ["dataset=tests/assets/tiny.csv", "min_steps=100", "epochs=5"],
                     runs_dir=str(tmp_path))
    record = json.loads((folder / "record.json").read_text())
    figures = record["figures"]
    train_size = record["dataset"]["sizes"]["train"]
    steps_per_pass = -(-train_size // 8)
    assert figures["optimizer_steps"] == 100 and figures["passes_per_epoch"] == 20 / steps_per_pass > 1
    assert figures["training_epochs"] == 100 / steps_per_pass
    assert len(record["models"][0]["history"]) == 5
