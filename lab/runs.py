"""The runner: config -> data -> recipe -> evaluation -> one atomically written run folder.

runs/<dataset>/<recipe>/<run-id>/
    record.json       config, dataset spec + fingerprint, per-model metrics and efficiency, figures, environment
    predictions.csv   the test split's truth, every model's prediction and the text's opening, row by row: a class name,
                      the label set joined by ';' (multi-label), or the value (regression)
    scores_<model>.npy  the model's test-set probabilities or decision scores, where it has them
    <plot>.png        the recipe's plots
    models/<model>/   the fitted models, for `lab predict`

With folds=K (lab/crossval.py) it is still one run folder: the record gains a `resampling` block (per-fold
metrics and their summary), and "the test split" above is the pooled out-of-fold predictions of every folded
example, or, when the source brought its own test split, that split scored by one refit on the folded data.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import sys
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from lab import crossval
from lab import data as data_layer
from lab import evaluation
from lab.config import as_dict, build, parse_overrides, read_variant, shipped_variant
from lab.environment import describe_environment
from lab.errors import LabError, make_folder
from lab.evaluation.hard_examples import opening
from lab.registry import load_recipe
from lab.results import ModelResult, RecipeResult
from lab.tasks import TASKS
from lab.training.estimate import estimate_line
from lab.tuned import SearchedFit

RECORD = "record.json"


@dataclass
class Job:
    """One recipe's run, configured and with its data, not yet started."""

    recipe: str
    config: str | None
    module: object
    cfg: object
    data: data_layer.LabData
    train_size: int | None = None


def execute(recipe: str, config: str | None = None, overrides=(), runs_dir: str | None = None,
            data: data_layer.LabData | None = None, train_size: int | None = None) -> Path | None:
    """Run one recipe and return its run folder (None on the non-main processes of a distributed launch).

    train_size trains on a stratified subset of the training split (the data-efficiency experiment). With folds,
    the wall time of the remaining folds is estimated after the first.
    """
    job = prepare(recipe, config, overrides, runs_dir, data, train_size)
    work = steps(job)
    try:
        first = next(work)
        print(crossval.estimate_note({recipe: first}, crossval.remaining_fits(job.cfg, job.data.own_test)),
              file=sys.stderr)
        return crossval.drain(work)
    except StopIteration as done:  # a single split: no folds to estimate
        return done.value


def prepare(recipe: str, config: str | None = None, overrides=(), runs_dir: str | None = None,
            data: data_layer.LabData | None = None, train_size: int | None = None) -> Job:
    module = load_recipe(recipe)
    config = config or shipped_variant(recipe, "default")
    variant = read_variant(recipe, config)
    values = parse_overrides(list(overrides))
    if runs_dir is not None:
        values["runs_dir"] = runs_dir
    cfg = build(module.Config, variant, values)
    data = data or load_data(cfg)
    if train_size is not None and cfg.folds == 1:  # with folds, each fold's training part is subsampled
        data = data_layer.subsample_train(data, train_size, cfg.seed)
    make_folder(Path(cfg.runs_dir) / data.name / recipe, "runs_dir=")  # fail now, not after hours of training
    return Job(recipe, config, module, cfg, data, train_size)


def steps(job: Job):
    """The job's work as a generator: with folds, it yields after each fold (its wall seconds); it returns the
    run folder (read it with crossval.drain())."""
    cfg, data, done = job.cfg, job.data, None
    plan = crossval.plan_folds(cfg, data) if cfg.folds > 1 else None
    # from the sizes alone, before any work (lab/training/estimate.py); with folds, from the first fold's sizes,
    # whose smaller training part can also make min_steps add passes
    fitted = crossval.fold_part(plan, 0, 0, cfg, job.train_size) if plan else data
    expected = estimate_line(job.recipe, cfg, fitted)
    if expected and is_main_process():
        print(f"note: {expected}" + (" per fold" if plan else ""), file=sys.stderr)
    fit = SearchedFit(job.recipe, job.config, job.module, cfg, data.name) if cfg.search else crossval.fit
    if plan:
        done = yield from crossval.cross_validate(job.module, cfg, data, job.train_size, fit, plan)
        data, result = done.data, done.result
    else:
        result = fit(job.module, cfg, data)
    if not is_main_process():
        return None
    record = make_record(job.recipe, job.config, cfg, data, result)
    record["train_size"] = job.train_size
    if done is not None:
        record["dataset"]["sizes"] = done.sizes
        record["dataset"]["split_fingerprint"] = job.data.fingerprint  # the one split the folds were drawn from
        record["resampling"] = done.resampling
    if cfg.search:
        record["search"] = fit.record(done.resampling["scheme"] if done else None)
    return write_run(Path(cfg.runs_dir) / data.name / job.recipe, record, data, result,
                     fit.folder if cfg.search else None)


def load_data(cfg) -> data_layer.LabData:
    """The dataset the config names; its notes (rows dropped, repeats dropped) are printed once, here."""
    data = data_layer.load(cfg.dataset, cfg.text_column, cfg.label_column, cfg.encoding, cfg.seed,
                           cfg.dataset_config, cfg.duplicates, task=cfg.task, label_sep=cfg.label_sep,
                           validation_file=cfg.validation_file, test_file=cfg.test_file,
                           split_column=cfg.split_column, language=cfg.language)
    for note in data.notes:
        print(f"note: {note}", file=sys.stderr)
    return data


def is_main_process() -> bool:
    # Under `accelerate launch`/torchrun every process runs the recipe; only rank 0 writes.
    return os.environ.get("RANK", "0") == "0"


def floor_metrics(task: str, data) -> dict:
    """The dummy model's test metrics (majority class, train mean, per-label train frequency): the floor row."""
    y_true = data.labels("test")
    predictions, scores = evaluation.dummy_predictions(task, data.labels("train"), len(y_true), len(data.label_names))
    return evaluation.evaluate(task, y_true, predictions, data.label_names, scores)["metrics"]


def make_record(recipe: str, config: str | None, cfg, data, result: RecipeResult) -> dict:
    y_true, task = data.labels("test"), data.task
    models = []
    names = [model.name for model in result.models]
    if len(set(names)) != len(names):
        raise ValueError(f"recipe {recipe} returned duplicate model names: {names}")
    for model in result.models:
        check_predictions(model, len(y_true))
        evaluated = evaluation.evaluate(task, y_true, model.predictions, data.label_names, model.scores)
        models.append({"name": model.name, "family": model.family, **evaluated,
                       **({"thresholds": model.thresholds} if model.thresholds is not None else {}),
                       "efficiency": efficiency(model), "history": model.history})
    return {
        "recipe": recipe, "config_name": config, "task": task, "headline": TASKS[task].headline,
        "created": datetime.now(timezone.utc).isoformat(timespec="microseconds"),
        "config": as_dict(cfg),
        "dataset": {"name": data.name, "spec": data.spec, "fingerprint": data.fingerprint,
                    "label_names": data.label_names, "sizes": {k: len(v) for k, v in data.splits.items()},
                    "task": task, "language": data.language, "notes": data.notes, **train_label_counts(data)},
        "floor": floor_metrics(task, data) if models else None,
        "models": models, "figures": result.figures, "tables": result.tables,
        "plots": sorted(result.plots), "notes": result.notes,
        "environment": describe_environment(),
    }


def train_label_counts(data) -> dict:
    """Multi-label: how many training texts carry each label (the report's label frequencies)."""
    if data.task != "multi_label":
        return {}
    return {"train_label_counts": [int(count) for count in np.asarray(data.labels("train")).sum(axis=0)]}


def check_predictions(model: ModelResult, n_test: int) -> None:
    if len(model.predictions) != n_test:
        raise ValueError(f"model {model.name} returned {len(model.predictions)} predictions for {n_test} test rows")


def efficiency(model: ModelResult) -> dict:
    return {"train_seconds": model.train_seconds, "examples_per_second": model.examples_per_second,
            "parameters": model.parameters, "features": model.features, "peak_memory_mb": model.peak_memory_mb}


def write_run(parent: Path, record: dict, data, result: RecipeResult, search: Path | None = None) -> Path:
    """Write everything into a hidden staging folder, then rename it into place: readers never see half a run.
    search: the folder of the run's Optuna journals, copied in as search/."""
    run_id = f"{datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
    parent.mkdir(parents=True, exist_ok=True)
    staging = parent / f".incomplete-{run_id}"
    final = parent / run_id
    record["run_id"] = run_id
    try:
        staging.mkdir()
        write_contents(staging, record, data, result)
        if search is not None and search.is_dir():
            shutil.copytree(search, staging / "search")
        os.rename(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final


def write_contents(folder: Path, record: dict, data, result: RecipeResult) -> None:
    (folder / RECORD).write_text(json.dumps(finite(record), indent=2, default=to_json, allow_nan=False))
    if result.models:
        write_predictions(folder / "predictions.csv", data, result.models)
    for model in result.models:
        if model.scores is not None:
            np.save(folder / f"scores_{model.name}.npy", np.asarray(model.scores, dtype=np.float32))
        if model.save is not None:
            model.save(folder / "models" / model.name)
    for name, figure in result.plots.items():
        figure.savefig(folder / f"{name}.png", dpi=120, bbox_inches="tight")
        import matplotlib.pyplot as plt

        plt.close(figure)


CELLS = {  # task -> how one label or prediction is written in predictions.csv
    "single_label": lambda names, value: names[int(value)],
    "multi_label": lambda names, row: ";".join(name for name, on in zip(names, row) if on),
    "regression": lambda names, value: f"{float(value):.6g}",
}


def write_predictions(path: Path, data, models: list[ModelResult]) -> None:
    names, cell = data.label_names, CELLS[data.task]
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row", "label"] + [m.name for m in models] + ["text"])
        for row, (label, text) in enumerate(zip(data.labels("test"), data.texts("test"))):
            writer.writerow([row, cell(names, label)] + [cell(names, m.predictions[row]) for m in models]
                            + [opening(text)])


def finite(value):
    """NaN and infinity become null: strict JSON readers (and other languages) reject Python's NaN literal."""
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, np.floating):
        return finite(float(value))
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(item) for item in value]
    return value


def to_json(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot store {type(value).__name__} in a run record")


def read_records(runs_dir: Path) -> list[dict]:
    """Every complete run record under runs_dir (staging folders are skipped), oldest first."""
    records = []
    for path in sorted(Path(runs_dir).glob(f"*/*/*/{RECORD}")):
        if path.parent.name.startswith(".incomplete-"):
            continue
        record = read_record(path)
        record["path"] = str(path.parent)
        records.append(record)
    return sorted(records, key=lambda r: (r["created"], r["run_id"]))


def read_record(path: Path) -> dict:
    """A run record, or a LabError naming the file: lab wrote it whole, so a broken one was changed since."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise LabError(f"run record {path} cannot be read ({error}); move that run folder away or restore "
                       f"it") from None
    missing = [key for key in ("recipe", "run_id", "created", "dataset", "models") if key not in record]
    if missing:
        raise LabError(f"run record {path} lacks {', '.join(missing)}; move that run folder away or restore it")
    return record
