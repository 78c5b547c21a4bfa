"""lab.training.checkpoints: which folder a config resumes from, which checkpoints count, and pruning."""

import dataclasses
import json

import pytest

from lab.training import checkpoints
from lab.training.checkpoints import COMPLETE, checkpoint_root, latest, prune, saver


@pytest.fixture(scope="module")
def cfg():
    from lab.config import build, read_variant
    from recipes import transformer

    return build(transformer.Config, read_variant("transformer", "tiny"), {"runs_dir": "some-runs"})


def epochs(root, *numbers, complete=True):
    for number in numbers:
        folder = root / f"epoch-{number:04d}"
        folder.mkdir(parents=True)
        if complete:
            (folder / COMPLETE).write_text("{}")


def names(root):
    return sorted(folder.name for folder in root.iterdir())


def test_pruning_deletes_all_but_the_newest_complete_checkpoints(tmp_path):
    epochs(tmp_path, 1, 2, 3, 4, 5)
    epochs(tmp_path, 6, complete=False)  # a save cut short: not a checkpoint, so neither kept nor counted
    prune(tmp_path, 2)
    assert names(tmp_path) == ["epoch-0004", "epoch-0005", "epoch-0006"]
    assert latest(tmp_path) == tmp_path / "epoch-0005"
    prune(tmp_path, 0)  # keep=0: none kept
    assert names(tmp_path) == ["epoch-0006"] and latest(tmp_path) is None


def test_latest_orders_epochs_by_number_and_ignores_other_folders(tmp_path):
    assert latest(tmp_path / "absent") is None
    epochs(tmp_path, 9, 10)
    (tmp_path / ".partial-epoch-0011").mkdir()
    (tmp_path / "epoch-12-copy").mkdir()
    (tmp_path / "epoch-12-copy" / COMPLETE).write_text("{}")
    assert latest(tmp_path) == tmp_path / "epoch-0010"


def test_the_saver_renames_complete_checkpoints_into_place_and_keeps_the_newest(tmp_path):
    from accelerate import Accelerator

    save = saver(tmp_path / "root", keep=2)
    accelerator = Accelerator(cpu=True)
    for epoch in range(4):
        save(epoch, accelerator, {"epoch": epoch + 1, "val_macro_f1": 0.5})
    root = tmp_path / "root"
    assert names(root) == ["epoch-0003", "epoch-0004"]  # no .partial- folder left behind
    assert json.loads((root / "epoch-0004" / COMPLETE).read_text()) == {"epoch": 4, "val_macro_f1": 0.5}
    assert latest(root) == root / "epoch-0004"


@pytest.mark.parametrize("key, value", [("resume", True), ("progress", True), ("threads", 3),
                                        ("keep_checkpoints", 5), ("clean_checkpoints", False)])
def test_the_key_ignores_settings_that_do_not_change_the_training(cfg, key, value):
    assert getattr(cfg, key) != value
    changed = dataclasses.replace(cfg, **{key: value})
    assert checkpoint_root(changed, "tiny", "transformer", "abc") == checkpoint_root(cfg, "tiny", "transformer", "abc")


@pytest.mark.parametrize("key, value", [("lr", 1e-4), ("seed", 7), ("epochs", 99), ("batch_size", 3)])
def test_the_key_changes_with_the_config(cfg, key, value):
    changed = dataclasses.replace(cfg, **{key: value})
    assert checkpoint_root(changed, "tiny", "transformer", "abc") != checkpoint_root(cfg, "tiny", "transformer", "abc")


def test_the_key_changes_with_the_split_and_lives_under_the_runs_dir(cfg):
    root = checkpoint_root(cfg, "tiny", "transformer", "abc")
    assert root != checkpoint_root(cfg, "tiny", "transformer", "abd")  # another test split
    assert root.parent.as_posix() == "some-runs/tiny/transformer/checkpoints" and len(root.name) == 12
    assert set(checkpoints.VOLATILE) >= {"resume", "progress", "threads"}
