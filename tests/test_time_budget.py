"""max_train_seconds: training stops after the optimizer step that spends the budget, validates that partial epoch
and keeps the best epoch; a budget that is never reached changes nothing. A fake clock makes each step cost 1 s."""

import itertools
import json
import types

import pytest
import torch

from lab.errors import LabError
from lab.runs import execute
from lab.training import loop, schedule
from tests.test_train import fit


@pytest.fixture
def one_second_a_call(monkeypatch):
    """Each perf_counter call is 1 s after the last: a step checks the clock once, so each step costs 1 s. The loop
    and the budget (lab.training.schedule) read one clock."""
    ticks = itertools.count()
    clock = types.SimpleNamespace(perf_counter=lambda: float(next(ticks)))
    monkeypatch.setattr(loop, "time", clock)
    monkeypatch.setattr(schedule, "time", clock)


def test_training_stops_after_the_step_that_spends_the_budget(one_second_a_call):
    result, _ = fit(epochs=5, patience=None, max_train_seconds=3)  # 8 steps a pass: stops within the first epoch
    assert result.out_of_time and result.stopped_early
    assert result.optimizer_steps == result.this_run["optimizer_steps"] == 3
    assert len(result.history) == 1 and result.best_epoch == 1  # the partial epoch was validated and kept


def test_validation_does_not_count_against_the_budget(one_second_a_call):
    """An epoch's steps cost 9 s here (8 steps and the reading before the first), its validation more readings that
    do not count: 20 s leave the third epoch 2 steps."""
    result, _ = fit(epochs=5, patience=None, max_train_seconds=20)
    assert result.out_of_time and len(result.history) == 3
    assert result.optimizer_steps == 8 + 8 + 2 and result.passes == 18 / 8


def test_a_budget_never_reached_trains_exactly_as_without_one():
    plain, _ = fit(epochs=3, patience=None)
    budgeted, _ = fit(epochs=3, patience=None, max_train_seconds=3600)
    assert not budgeted.out_of_time and budgeted.history == plain.history
    assert all(torch.equal(a, b) for a, b in zip(plain.model.state_dict().values(),
                                                 budgeted.model.state_dict().values()))


def test_no_time_at_all_is_a_lab_error():
    with pytest.raises(LabError, match="max_train_seconds=0 leaves no time"):
        fit(epochs=1, max_train_seconds=0)


def test_the_record_says_the_budget_stopped_training(tmp_path, one_second_a_call):
    folder = execute("bow_ffn", "tiny", ["dataset=tests/assets/tiny.csv", "max_train_seconds=2"],
                     runs_dir=str(tmp_path))
    figures = json.loads((folder / "record.json").read_text())["figures"]
    assert figures["stopped_by_max_train_seconds"] == 1.0 and figures["optimizer_steps"] == 2


def test_a_budget_shortens_the_learning_rate_schedule_to_the_steps_it_affords(one_second_a_call):
    """10 epochs of 8 steps are planned as 80. The budget reads 5 s at step 5 and 28 s at step 25 (each epoch's
    steps cost 9 s: 3 epochs, then step 1 of the fourth), so a step costs 23/20 s and the 12 s left afford 10 more:
    the schedule becomes 35 steps, and its decay ends where the budget (40 s, at step 36) stops training."""
    result, _ = fit(epochs=10, patience=None, max_train_seconds=40)
    assert result.scheduled_steps == 35 and result.optimizer_steps == 36
    plain, _ = fit(epochs=10, patience=None)
    assert plain.scheduled_steps == 80


def test_the_record_counts_the_examples_a_budget_let_the_model_see(tmp_path, one_second_a_call):
    folder = execute("bow_ffn", "tiny", ["dataset=tests/assets/tiny.csv", "max_train_seconds=2", "batch_size=4"],
                     runs_dir=str(tmp_path))
    figures = json.loads((folder / "record.json").read_text())["figures"]
    assert figures["training_examples_seen"] == 2 * 4  # two steps of four examples, inside the first pass
