"""Per-epoch training checkpoints (accelerator.save_state), written atomically, found again by resume=true.

<runs_dir>/<dataset>/<recipe>/checkpoints/<key>/epoch-0003/   complete: renamed into place after save_state
                                            .partial-epoch-0004/  interrupted mid-save: never resumed from
<key> hashes the resolved config (without resume/progress/clean-up keys) and the dataset fingerprint, so a rerun
of the same command finds its checkpoints and a changed config never resumes someone else's state.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import asdict
from pathlib import Path


COMPLETE = "COMPLETE"  # written last, before the rename: a folder without it is not a checkpoint
EPOCH = re.compile(r"^epoch-(\d+)$")
VOLATILE = ("resume", "progress", "threads", "checkpoint", "keep_checkpoints", "clean_checkpoints")


def config_key(cfg, fingerprint: str) -> str:
    """A hash of the resolved config without its volatile keys, and the data: the same command finds it again."""
    settings = {k: v for k, v in asdict(cfg).items() if k not in VOLATILE}
    text = json.dumps({"config": settings, "data": fingerprint}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def checkpoint_root(cfg, dataset_name: str, recipe: str, fingerprint: str) -> Path:
    return Path(cfg.runs_dir) / dataset_name / recipe / "checkpoints" / config_key(cfg, fingerprint)


def latest(root: Path) -> Path | None:
    """The highest-epoch complete checkpoint under root, or None."""
    found = []
    for folder in root.glob("epoch-*") if root.is_dir() else []:
        match = EPOCH.match(folder.name)
        if match and (folder / COMPLETE).is_file():
            found.append((int(match.group(1)), folder))
    return max(found)[1] if found else None


def saver(root: Path, keep: int):
    """on_epoch_end hook for lab.training.loop.train: save_state into a staging folder on every process, then the main
    process marks it complete, renames it into place and drops checkpoints beyond the newest `keep`."""

    def save(epoch: int, accelerator, record: dict) -> None:
        final = root / f"epoch-{epoch + 1:04d}"
        staging = root / f".partial-{final.name}"
        if accelerator.is_main_process:
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir(parents=True)
        accelerator.wait_for_everyone()
        accelerator.save_state(str(staging))
        accelerator.wait_for_everyone()
        if accelerator.is_main_process:
            (staging / COMPLETE).write_text(json.dumps(record))
            shutil.rmtree(final, ignore_errors=True)
            os.rename(staging, final)
            prune(root, keep)
        accelerator.wait_for_everyone()

    return save


def prune(root: Path, keep: int) -> None:
    complete = sorted(f for f in root.glob("epoch-*") if (f / COMPLETE).is_file())
    for folder in complete[:-keep] if keep > 0 else complete:
        shutil.rmtree(folder, ignore_errors=True)
