"""Cross-validated runs (folds=K, repeats=R): the recipe runs once per fold, and the folds become one run.

run_folds() is the one per-fold loop (benchmarks call it on plans of their own); cross_validate() folds the data as
the config says and adds the refit on a source's own test split. Each fold's test predictions are scored by lab.evaluation.evaluate and
kept as scalar metrics; repeat 0's out-of-fold predictions are pooled in the order of the folded examples. The
runner writes one run folder: the record's `resampling` block, and models[*] and predictions.csv from the pooled
predictions (scheme "pooled") or from one refit scored on the source's own test split (scheme "own_test"). Only
one fit's models are kept to be saved (fold 0, or the refit), so memory stays that of one fit.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import sys
import time
from dataclasses import dataclass

import numpy as np

from lab import data as data_layer
from lab import evaluation
from lab.data.folds import FoldPlan, fold_data, fold_indices, fold_plan
from lab.evaluation.resampling import summary
from lab.results import RecipeResult
from lab.tasks import TASKS


def fit(module, cfg, data) -> RecipeResult:
    """One fit of a recipe on one split: the seam where a hyper-parameter search can wrap the recipe."""
    return module.run(cfg, data)


@dataclass
class CrossValidated:
    data: data_layer.LabData  # the split the record's models were scored on: the pool, or the source's test split
    result: RecipeResult  # pooled out-of-fold predictions with fold 0's models, or the refit
    resampling: dict  # the record's `resampling` block
    sizes: dict[str, int]  # the record's dataset sizes: a fold's mean train/validation/test, and the pool


def plan_folds(cfg, data) -> FoldPlan:
    """The folds cfg asks for on this data (its folds, repeats and seed)."""
    return fold_plan(data, cfg.folds, cfg.repeats, cfg.seed)


def fold_part(plan: FoldPlan, repeat: int, fold: int, cfg, train_size: int | None = None):
    """The split one fold's fit is given: that fold as the test part, its training part subsampled to train_size."""
    part = fold_data(plan, repeat, fold)
    return part if train_size is None else data_layer.subsample_train(part, train_size, cfg.seed)


def cross_validate(module, cfg, data, train_size: int | None = None, fit=fit, plan: FoldPlan | None = None):
    """Fold the data as cfg says (or as the given plan of plan_folds(cfg, data) does) and run the recipe on every
    fold; a generator that yields each fold's wall seconds and returns a CrossValidated (read it with
    `done = yield from cross_validate(...)`)."""
    plan = plan or plan_folds(cfg, data)
    scores = yield from run_folds(module, cfg, plan, train_size, fit, keep_first=plan.scheme == "pooled")
    if plan.scheme == "own_test":
        refit_data = dataclasses.replace(data, fingerprint=plan.fingerprint)
        if train_size is not None:
            refit_data = data_layer.subsample_train(refit_data, train_size, cfg.seed)
        return CrossValidated(refit_data, fit(module, cfg, refit_data), scores.resampling("refit"), scores.sizes())
    return CrossValidated(plan.pool, scores.pooled_result(), scores.resampling("fold 0"), scores.sizes())


def run_folds(module, cfg, plan: FoldPlan, train_size: int | None = None, fit=fit, keep_first: bool = False):
    """The one per-fold loop: fit the recipe on each fold of each repeat of the plan and score its test part. A
    generator that yields each fold's wall seconds and returns the FoldScores (keep_first: with fold 0's result,
    whose models are the ones saved)."""
    scores = FoldScores(plan, keep_first)
    total = plan.repeats * plan.folds
    for step, (repeat, fold) in enumerate(itertools.product(range(plan.repeats), range(plan.folds)), 1):
        start = time.perf_counter()
        part = fold_part(plan, repeat, fold, cfg, train_size)
        scores.add(repeat, fold, part, fit(module, cfg, part))
        seconds = time.perf_counter() - start
        scores.fold_seconds.append(seconds)
        print(f"fold {step}/{total}: {seconds:.0f} s", file=sys.stderr)
        yield seconds
    return scores


def drain(work):
    """Run a generator of steps (run_folds, cross_validate, the runner's steps) to its end; its return value."""
    try:
        while True:
            next(work)
    except StopIteration as done:
        return done.value


def remaining_fits(cfg, own_test: bool) -> int:
    """Fits still to come after the first fold: the other folds, and the refit when the source has its own test."""
    return cfg.folds * cfg.repeats - 1 + int(own_test)


def scalar_metrics(task: str, y_true, predictions, label_names: list[str], scores=None) -> dict[str, float]:
    """evaluate()'s metrics without their intervals: one fold's numbers."""
    metrics = evaluation.evaluate(task, y_true, predictions, label_names, scores)["metrics"]
    return {key: float(value) for key, value in metrics.items()
            if isinstance(value, (int, float, np.number)) and not isinstance(value, bool)}


class FoldScores:
    """What the folds leave behind: per-fold metrics, repeat 0's out-of-fold predictions, fold 0's result."""

    def __init__(self, plan: FoldPlan, keep_first: bool):
        self.plan, self.keep_first = plan, keep_first
        self.per_fold: dict[str, list[dict]] = {}
        self.floor_per_fold: list[dict] = []
        self.fold_seconds: list[float] = []
        self.part_sizes: list[tuple[int, int, int]] = []  # train, validation, test
        self.predictions: dict[str, np.ndarray] = {}
        self.scores: dict[str, np.ndarray | None] = {}
        self.train_seconds: dict[str, list[float]] = {}
        self.first: RecipeResult | None = None

    def add(self, repeat: int, fold: int, part, result: RecipeResult) -> None:
        task, names, y_true = part.task, part.label_names, part.labels("test")
        test_rows = fold_indices(self.plan.assignment[repeat], fold)[1]
        if self.per_fold and sorted(self.per_fold) != sorted(m.name for m in result.models):
            raise ValueError(f"fold {fold} returned models {[m.name for m in result.models]}, the first fold "
                             f"{sorted(self.per_fold)}")
        for model in result.models:
            if len(model.predictions) != len(y_true):
                raise ValueError(f"model {model.name} returned {len(model.predictions)} predictions for "
                                 f"{len(y_true)} test rows")
            self.per_fold.setdefault(model.name, []).append(
                scalar_metrics(task, y_true, model.predictions, names, model.scores))
            self.train_seconds.setdefault(model.name, []).append(model.train_seconds)
            if repeat == 0:
                self.place(model, test_rows)
        floor, floor_scores = evaluation.dummy_predictions(task, part.labels("train"), len(y_true), len(names))
        self.floor_per_fold.append(scalar_metrics(task, y_true, floor, names, floor_scores))
        self.part_sizes.append(tuple(len(part.splits[name]) for name in ("train", "validation", "test")))
        if self.first is None and self.keep_first:
            self.first = result
        else:
            close_plots(result)

    def place(self, model, test_rows: np.ndarray) -> None:
        """Write one fold's predictions (and scores) into the out-of-fold arrays, at the fold's rows of the pool."""
        n = self.plan.assignment.shape[1]
        predictions = np.asarray(model.predictions)
        if model.name not in self.predictions:
            self.predictions[model.name] = np.zeros((n,) + predictions.shape[1:], dtype=predictions.dtype)
            self.scores[model.name] = None if model.scores is None else np.zeros(
                (n,) + np.asarray(model.scores).shape[1:], dtype=np.float32)
        self.predictions[model.name][test_rows] = predictions
        pooled_scores = self.scores[model.name]
        if pooled_scores is not None and model.scores is not None:
            pooled_scores[test_rows] = np.asarray(model.scores)
        else:
            self.scores[model.name] = None  # a fold without scores: no pooled scores

    def pooled_result(self) -> RecipeResult:
        """Fold 0's result with every model's predictions replaced by the pooled out-of-fold ones, and its training
        time by the mean over the folds."""
        first = self.first
        models = [dataclasses.replace(model, predictions=self.predictions[model.name],
                                      scores=self.scores[model.name],
                                      train_seconds=float(np.mean(self.train_seconds[model.name])))
                  for model in first.models]
        return dataclasses.replace(first, models=models)

    def sizes(self) -> dict[str, int]:
        means = np.mean(np.array(self.part_sizes), axis=0)
        return {"train": int(round(means[0])), "validation": int(round(means[1])), "test": int(round(means[2])),
                "pool": int(self.plan.assignment.shape[1])}

    def resampling(self, saved_model: str) -> dict:
        plan, sizes = self.plan, np.array(self.part_sizes)
        return {
            "folds": plan.folds, "repeats": plan.repeats, "seed": plan.seed, "scheme": plan.scheme,
            "n_train": int(round(float(np.mean(sizes[:, 0] + sizes[:, 1])))),
            "n_test": int(round(float(np.mean(sizes[:, 2])))),
            "headline": TASKS[plan.pool.task].headline,
            "per_fold": self.per_fold, "floor_per_fold": self.floor_per_fold,
            "summary": {name: {metric: summary([fold.get(metric, math.nan) for fold in folds])
                               for metric in dict.fromkeys(key for fold in folds for key in fold)}
                        for name, folds in self.per_fold.items()},  # a metric a fold lacks is NaN there
            "fold_seconds": [round(seconds, 3) for seconds in self.fold_seconds],
            "saved_model": saved_model,
        }


def close_plots(result: RecipeResult) -> None:
    """A fold whose figures are not kept closes them: matplotlib holds every open figure until then."""
    if result.plots:
        import matplotlib.pyplot as plt

        for figure in result.plots.values():
            plt.close(figure)


def estimate_note(first_seconds: dict[str, float], remaining: int) -> str:
    """The wall time still to come, from each recipe's first fold: every remaining fit takes about as long."""
    minutes = {recipe: seconds * remaining / 60 for recipe, seconds in first_seconds.items()}
    dominant = max(minutes, key=minutes.get)
    return (f"note: estimated wall time for the remaining folds: ~{shown_minutes(sum(minutes.values()))} "
            f"({dominant} dominates: {shown_minutes(minutes[dominant])})")


def shown_minutes(minutes: float) -> str:
    return f"{minutes:.0f} min" if minutes >= 1 else f"{minutes * 60:.0f} s"
