"""search=N in the runner: every fit of a recipe (the one split, each fold, the refit on a source's own test split)
goes through lab.search.tuned_fit, whose trials never see that fit's test part.

The Optuna journals live under <runs_dir>/<dataset>/<recipe>/search/<key>/, one per fit (named by the fit's data
fingerprint), keyed like the checkpoints by the config without its volatile keys: resume=true continues the trials
there, any other run starts the search afresh. The run folder gets a copy of them in search/.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from lab.config import search_space
from lab.search import tuned_fit
from lab.training.checkpoints import config_key


class SearchedFit:
    """A fit(module, cfg, data) for lab.crossval that searches first, and keeps each fit's search record."""

    def __init__(self, recipe: str, config_name: str | None, module, cfg, dataset_name: str):
        self.space = search_space(module.Config, recipe, config_name)
        # one folder for every fit of the run; each fit's journal is named by that fit's data fingerprint
        self.folder = Path(cfg.runs_dir) / dataset_name / recipe / "search" / config_key(cfg, "")
        if not getattr(cfg, "resume", False):
            shutil.rmtree(self.folder, ignore_errors=True)
        self.records: list[dict] = []

    def __call__(self, module, cfg, data):
        result, record = tuned_fit(module, cfg, data, self.space, cfg.search, self.folder / f"{data.fingerprint}.log")
        self.records.append(record)
        return result

    def record(self, scheme: str | None) -> dict:
        """The search of the fit the run's models come from (the one split, fold 0, or the refit), and each fit's
        chosen settings: with folds, every fold searched on its own validation part."""
        shown = self.records[-1] if scheme == "own_test" else self.records[0]
        chosen = [{name: model["best_params"] for name, model in record["models"].items()} for record in self.records]
        return {**shown, "fits": len(self.records), "chosen_per_fit": chosen}
