"""Run records in, a report out: reports/<dataset>/comparison.{md,html,csv,json} and its plots.

The runs are gathered here into one report model (lab/report/model.py) that every output is rendered from.

Only runs of one task scored on the same test split (same fingerprint) share a table; the newest run's split
and task win, and any other run is named and left out, never mixed in.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from lab.errors import LabError, make_folder
from lab.evaluation.significance import paired_test
from lab.evaluation.hard_examples import hard_examples
from lab.registry import PROGRESSION
from lab.report import by_task
from lab.report import columns as spec
from lab.report import resampled
from lab.report.images import draw_images
from lab.report.model import build_model
from lab.report.render import render_files
from lab.runs import read_records


@dataclass
class Written:
    """One dataset's report: where it went, its files, its model (for the terminal's table) and, where it could
    not go where it was asked, the one line that says why."""
    folder: Path
    paths: list[Path]
    model: dict
    note: str | None = None


def build_reports(runs_dir: Path, out_dir: Path | None = None, dataset: str | None = None) -> list[Written]:
    """out_dir: the user's --out (used as given); without it, reports/<dataset>/ in the working folder, or beside
    it where that folder holds a report of another profile or split."""
    records = read_records(runs_dir)
    datasets = sorted({r["dataset"]["name"] for r in records})
    if dataset is not None:
        datasets = [d for d in datasets if d == dataset]
    if not datasets:
        where = f" for dataset '{dataset}'" if dataset else ""
        raise LabError(f"no run records{where} under '{runs_dir}'; run a recipe first, e.g. `lab run classical`")
    written = []
    for name in datasets:
        explicit = out_dir is not None and len(datasets) == 1
        target = Path(out_dir) if explicit else Path(out_dir or "reports") / name
        written.append(write_report([r for r in records if r["dataset"]["name"] == name], target, explicit))
    return written


def task_of(record: dict) -> str:
    return record.get("task") or record["dataset"].get("task") or "single_label"  # older runs: single-label


def select_runs(records: list[dict]) -> tuple[list[dict], list[dict]]:
    """The newest run of each recipe on the newest split and task, and the runs left out for using another split
    or task (one table never mixes tasks)."""
    fingerprint, task_name = records[-1]["dataset"]["fingerprint"], task_of(records[-1])
    # topics trains no classifier, so `run all folds=K` runs it once on the split the folds were drawn from
    split = records[-1]["dataset"].get("split_fingerprint")
    comparable = [r for r in records if task_of(r) == task_name and (r["dataset"]["fingerprint"] == fingerprint or (
        r.get("models") == [] and r["dataset"]["fingerprint"] == split))]
    latest: dict[str, dict] = {}
    for record in comparable:
        if record.get("train_size") is None:
            latest[record["recipe"]] = record
    order = {name: i for i, name in enumerate(PROGRESSION)}
    chosen = sorted(latest.values(), key=lambda r: (order.get(r["recipe"], len(order)), r["recipe"]))
    excluded = [r for r in records if r not in comparable]
    return chosen, excluded


def table_rows(runs: list[dict], columns) -> list[dict]:
    """One row per model, with the raw keys the column specs name (CIs as <key>_ci_low and _ci_high), then the
    newest run's dummy model as the floor row."""
    rows = [model_row(record, record["recipe"], model, columns) for record in runs for model in record["models"]]
    newest = max(runs, key=lambda r: r["created"]) if runs else None
    floor = by_task.floor_model(newest) if newest else None
    return rows + ([model_row(newest, by_task.FLOOR_RECIPE, floor, columns)] if floor else [])


def model_row(record: dict, recipe: str, model: dict, columns) -> dict:
    identity = {"recipe": recipe, "model": model["name"], "family": model["family"], "run_id": record["run_id"]}
    sources = {"metrics": model["metrics"], "efficiency": model["efficiency"], "computed": {}, "run": identity,
               "folds": resampled.fold_values(record, recipe, model["name"])}
    row = {**identity, "p_vs_best": None, "_path": record["path"]}  # what significance and plots read
    for column in columns:
        row[column.key] = sources[column.source].get(column.key)
        if column.ci:
            row[f"{column.key}_ci_low"], row[f"{column.key}_ci_high"] = (
                model["metrics"].get(f"{column.key}_ci") or (None, None))
        if column.spread:
            row[f"{column.key}_sd"] = sources[column.source].get(f"{column.key}_sd")
    return row


def read_test_predictions(rows: list[dict], task_name: str, label_names: list[str]) -> tuple[list, dict, list | None]:
    """True labels, each model's predictions (read back per task, as lab.evaluation.paired_test takes them) and the
    texts' openings (None for runs written before lab kept them), read once per run from its predictions.csv."""
    tables = {path: read_predictions(path) for path in {row["_path"] for row in rows}}
    first = tables[rows[0]["_path"]]
    with_text = [table for table in tables.values() if table and "text" in table[0]]
    texts = [r["text"] for r in with_text[0]] if with_text else None
    read = by_task.READ_CELLS[task_name]
    predicted = {(row["recipe"], row["model"]): read(label_names, [r[row["model"]] for r in tables[row["_path"]]])
                 for row in rows}
    return read(label_names, [r["label"] for r in first]), predicted, texts


def add_significance(rows: list[dict], truth, predicted: dict[tuple, list], headline, task_name: str) -> None:
    """The task's paired test (lab.evaluation.paired_test) of every model against the best model by the headline
    metric, on the shared test examples."""
    if len(rows) < 2:
        return
    scored = [row for row in rows if row[headline.key] is not None]
    if not scored:
        return
    best = (max if headline.direction == "max" else min)(scored, key=lambda row: row[headline.key])
    best_pred = predicted[(best["recipe"], best["model"])]
    for row in rows:
        if row is not best:
            row["p_vs_best"] = paired_test(task_name, truth, best_pred, predicted[(row["recipe"], row["model"])])


def read_predictions(run_path: str) -> list[dict]:
    with open(Path(run_path) / "predictions.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def write_report(records: list[dict], target: Path, explicit: bool = False) -> Written:
    runs, excluded = select_runs(records)
    if not runs:
        raise LabError("only data-efficiency runs were found; run the recipes on the full training split first")
    task_name, label_names = task_of(runs[0]), runs[0]["dataset"]["label_names"]
    folds = resampled.view(runs, task_name)
    columns = resampled.columns_for(task_name) if folds else spec.columns_for(task_name)
    headline = spec.headline_column(task_name)
    rows = table_rows(runs, columns)
    models = [row for row in rows if row["recipe"] != by_task.FLOOR_RECIPE]
    truth, predicted, texts = read_test_predictions(models, task_name, label_names) if models else ([], {}, None)
    if folds:  # the folds, not the pooled or refit predictions, are what the models are compared on
        resampled.add_significance(models, runs, task_name)
    else:
        add_significance(models, truth, predicted, headline, task_name)
    flags = by_task.flag_rows(rows, runs, task_name)
    warning = excluded_warning(excluded, runs[0]) if excluded else None
    if warning:
        print(f"warning: {warning}", file=sys.stderr)
    report = {"dataset": runs[0]["dataset"], "runs": runs, "rows": rows, "flags": flags,
              "best": spec.best_values(models, columns), "warning": warning, "failures": open_failures(records, runs),
              "excluded": excluded, "task": task_name, "profile": profile_of(runs), "columns": columns,
              "resampling": folds, **task_parts(task_name, runs, truth, predicted, texts)}
    report["efficiency"], report["efficiency_sd"] = data_efficiency(records, runs, headline.key)
    report["images"] = draw_images(report, headline)
    model = build_model(report)
    folder, note = choose_folder(target, model["data"], explicit)
    if note:
        print(f"note: {note}", file=sys.stderr)
    return Written(folder, write_atomically(folder, render_files(model, report["images"])), model, note)


# task -> its own parts of the report. hard: single-label's examples most models miss; errors: regression's largest
# errors (and truth/predicted for its scatter); labels: multi-label's per-label F1, test counts and missed labels.
TASK_PARTS = {
    "single_label": lambda runs, truth, predicted, texts: {"hard": hard_examples(
        truth, {f"{r}/{m}": labels for (r, m), labels in predicted.items()}, texts)},
    "regression": lambda runs, truth, predicted, texts: {
        "errors": by_task.largest_errors(truth, predicted, texts) if predicted else None,
        "scatter": (truth, predicted) if predicted else None},
    "multi_label": lambda runs, truth, predicted, texts: {
        "labels": by_task.label_table(runs, runs[0]["dataset"]["label_names"])},
}


def task_parts(task_name: str, runs: list[dict], truth, predicted: dict, texts) -> dict:
    return {"hard": None, "errors": None, "scatter": None, "labels": None,
            **TASK_PARTS[task_name](runs, truth, predicted, texts)}


def profile_of(runs: list[dict]) -> str:
    """The config every run used (`lab run all --profile quick` runs each recipe's quick.yaml), else "mixed"."""
    configs = {r.get("config_name") or "defaults" for r in runs}
    return configs.pop() if len(configs) == 1 else "mixed"


def choose_folder(target: Path, data: dict, explicit: bool) -> tuple[Path, str | None]:
    """Never replace, unsaid, a report of another profile or split: by default write beside it
    (reports/<dataset>-<profile>/); with --out, write there and say what was replaced."""
    new = identity(data)
    old = report_identity(target)
    if old in (None, new):
        return target, None
    if explicit:
        return target, f"replaced the report in {target} ({describe(old)}) with this one ({describe(new)})"
    suffix = new[0] if new[0] != old[0] else f"split-{new[1][:8]}"
    beside = target.with_name(f"{target.name}-{suffix}")
    there = report_identity(beside)
    replaced = f"; it replaced the one there ({describe(there)})" if there not in (None, new) else ""
    return beside, (f"{target} holds a report of {describe(old)}, so this one ({describe(new)}) went to "
                    f"{beside}{replaced}")


def identity(data: dict) -> tuple[str, str]:
    # Reports written before the profile was recorded came from the full (default) profile.
    return data.get("profile") or "default", data["dataset"]["fingerprint"]


def report_identity(folder: Path) -> tuple[str, str] | None:
    try:
        return identity(json.loads((folder / "comparison.json").read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # no readable report there: nothing to protect


def describe(pair: tuple[str, str]) -> str:
    return f"profile {pair[0]}, split {pair[1]}"


def open_failures(records: list[dict], runs: list[dict]) -> list[dict]:
    """Failures of the last `lab run all` that no later successful run of the same recipe has replaced."""
    from lab.progression import FAILURES

    path = Path(runs[0]["path"]).parent.parent / FAILURES
    if not path.is_file():
        return []
    succeeded = {r["recipe"]: r["created"] for r in runs}
    return [f for f in json.loads(path.read_text()) if succeeded.get(f["recipe"], "") < f["created"]]


def data_efficiency(records: list[dict], runs: list[dict], key: str = "macro_f1") -> tuple[dict, dict]:
    """The test headline metric against the number of training examples, per model, on the report's test split
    (a cross-validated run's point: the mean over its folds), and the sd over the folds where there is one."""
    fingerprint = runs[0]["dataset"]["fingerprint"]
    subsets = [r for r in records if r["dataset"]["fingerprint"] == fingerprint and r.get("train_size") is not None
               and task_of(r) == task_of(runs[0])]
    if not subsets:
        return {}, {}
    points: dict[str, dict[int, float]] = {}
    spreads: dict[str, dict[int, float]] = {}
    for record in subsets + runs:  # later records win, and the full-size runs come last
        size = record.get("train_size") or record["dataset"]["sizes"]["train"]
        for model in record["models"]:
            value, sd = resampled.headline_point(record, model, key)
            points.setdefault(model["name"], {})[size] = value
            if sd is not None:
                spreads.setdefault(model["name"], {})[size] = sd
    curves = {name: sorted(by_size.items()) for name, by_size in points.items() if len(by_size) > 1}
    return curves, {name: sorted(spreads[name].items()) for name in curves if name in spreads}


def excluded_warning(excluded: list[dict], newest: dict) -> str:
    """One line for the runs on another split, one for the runs of another task: a table never mixes them."""
    fingerprint, task_name = newest["dataset"]["fingerprint"], task_of(newest)
    other_split = [r["path"] for r in excluded if r["dataset"]["fingerprint"] != fingerprint]
    other_task = [r["path"] for r in excluded if r["dataset"]["fingerprint"] == fingerprint]
    lines = []
    if other_split:
        lines.append(f"{len(other_split)} run(s) used a different test split than the newest runs (fingerprint "
                     f"{fingerprint}) and are left out of this table: {', '.join(other_split)}; rerun them with the "
                     f"same dataset options and seed to compare")
    if other_task:
        lines.append(f"{len(other_task)} run(s) are of another task than the newest runs ({task_name}) and are left "
                     f"out of this table: {', '.join(other_task)}; rerun them with the same task= to compare")
    return "; ".join(lines)


def write_atomically(out_dir: Path, contents: dict[str, str]) -> list[Path]:
    """Every file is rendered before any is written, and each lands by rename: no half-written report."""
    make_folder(out_dir, "--out")
    written = []
    for name, content in contents.items():
        temporary = out_dir / f".{name}.tmp"
        temporary.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        os.replace(temporary, out_dir / name)
        written.append(out_dir / name)
    return written
