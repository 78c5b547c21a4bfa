"""Run records in, comparison tables out: reports/<dataset>/comparison.{md,csv,json}.

Only runs scored on the same test split (same fingerprint) share a table; the newest split wins and any
other is named and left out, never mixed in.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from pathlib import Path

from lab.errors import LabError, make_folder
from lab.evaluation.significance import mcnemar_exact
from lab.evaluation.hard_examples import hard_examples
from lab.registry import PROGRESSION
from lab.runs import read_records

# (column, direction of "better"); the order is fixed so reports diff cleanly between runs.
COLUMNS = (
    ("recipe", None), ("model", None), ("family", None),
    ("accuracy", "max"), ("accuracy_ci_low", None), ("accuracy_ci_high", None),
    ("macro_f1", "max"), ("macro_f1_ci_low", None), ("macro_f1_ci_high", None),
    ("weighted_f1", "max"), ("p_vs_best", None),
    ("train_seconds", "min"), ("examples_per_second", "max"), ("parameters", "min"), ("peak_memory_mb", "min"),
    ("run_id", None),
)


def build_reports(runs_dir: Path, out_dir: Path | None = None, dataset: str | None = None) -> list[Path]:
    records = read_records(runs_dir)
    datasets = sorted({r["dataset"]["name"] for r in records})
    if dataset is not None:
        datasets = [d for d in datasets if d == dataset]
    if not datasets:
        where = f" for dataset '{dataset}'" if dataset else ""
        raise LabError(f"no run records{where} under '{runs_dir}'; run a recipe first, e.g. `lab run classical`")
    written = []
    for name in datasets:
        target = Path(out_dir) if out_dir and len(datasets) == 1 else Path(out_dir or "reports") / name
        written += write_report([r for r in records if r["dataset"]["name"] == name], target)
    return written


def select_runs(records: list[dict]) -> tuple[list[dict], list[dict]]:
    """The newest run of each recipe on the newest split, and the runs left out for using another split."""
    fingerprint = records[-1]["dataset"]["fingerprint"]
    latest: dict[str, dict] = {}
    for record in records:
        if record["dataset"]["fingerprint"] == fingerprint and record.get("train_size") is None:
            latest[record["recipe"]] = record
    order = {name: i for i, name in enumerate(PROGRESSION)}
    chosen = sorted(latest.values(), key=lambda r: (order.get(r["recipe"], len(order)), r["recipe"]))
    excluded = [r for r in records if r["dataset"]["fingerprint"] != fingerprint]
    return chosen, excluded


def table_rows(runs: list[dict]) -> list[dict]:
    rows = []
    for record in runs:
        for model in record["models"]:
            metrics, cost = model["metrics"], model["efficiency"]
            rows.append({
                "recipe": record["recipe"], "model": model["name"], "family": model["family"],
                "accuracy": metrics["accuracy"], "accuracy_ci_low": metrics["accuracy_ci"][0],
                "accuracy_ci_high": metrics["accuracy_ci"][1], "macro_f1": metrics["macro_f1"],
                "macro_f1_ci_low": metrics["macro_f1_ci"][0], "macro_f1_ci_high": metrics["macro_f1_ci"][1],
                "weighted_f1": metrics["weighted_f1"], "p_vs_best": None,
                "train_seconds": cost["train_seconds"], "examples_per_second": cost["examples_per_second"],
                "parameters": cost["parameters"], "peak_memory_mb": cost["peak_memory_mb"],
                "run_id": record["run_id"], "_path": record["path"],
            })
    return rows


def read_test_predictions(rows: list[dict]) -> tuple[list[str], dict[tuple, list[str]], list[str] | None]:
    """True labels, each model's predicted labels and the texts' openings (None for runs written before lab kept
    them), read once per run from its predictions.csv."""
    tables = {path: read_predictions(path) for path in {row["_path"] for row in rows}}
    first = tables[rows[0]["_path"]]
    with_text = [table for table in tables.values() if table and "text" in table[0]]
    texts = [r["text"] for r in with_text[0]] if with_text else None
    predicted = {(row["recipe"], row["model"]): [r[row["model"]] for r in tables[row["_path"]]] for row in rows}
    return [r["label"] for r in first], predicted, texts


def add_significance(rows: list[dict], truth: list[str], predicted: dict[tuple, list[str]]) -> None:
    """Exact McNemar test of every model against the best macro-F1 model, on the shared test examples."""
    if len(rows) < 2:
        return
    best = max(rows, key=lambda row: row["macro_f1"])
    best_pred = predicted[(best["recipe"], best["model"])]
    for row in rows:
        if row is not best:
            row["p_vs_best"] = mcnemar_exact(truth, best_pred, predicted[(row["recipe"], row["model"])])


def read_predictions(run_path: str) -> list[dict]:
    with open(Path(run_path) / "predictions.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def best_values(rows: list[dict]) -> dict[str, float]:
    best = {}
    for column, direction in COLUMNS:
        values = [row[column] for row in rows if row[column] is not None]
        if direction and values:
            best[column] = max(values) if direction == "max" else min(values)
    return best


def write_report(records: list[dict], out_dir: Path) -> list[Path]:
    runs, excluded = select_runs(records)
    if not runs:
        raise LabError("only data-efficiency runs were found; run the recipes on the full training split first")
    rows = table_rows(runs)
    truth, predicted, texts = read_test_predictions(rows) if rows else ([], {}, None)
    add_significance(rows, truth, predicted)
    hard = hard_examples(truth, {f"{recipe}/{model}": labels for (recipe, model), labels in predicted.items()}, texts)
    best = best_values(rows)
    warning = excluded_warning(excluded, runs[0]["dataset"]["fingerprint"]) if excluded else None
    if warning:
        print(f"warning: {warning}", file=sys.stderr)
    report = {"dataset": runs[0]["dataset"], "runs": runs, "rows": rows, "best": best, "warning": warning,
              "failures": open_failures(records, runs), "efficiency": data_efficiency(records, runs), "hard": hard}
    images = draw_images(report)
    report["images"] = list(images)
    from lab.report.html import render_html
    from lab.report.markdown import render_markdown

    contents = {
        "comparison.md": render_markdown(report),
        "comparison.csv": render_csv(rows, best),
        "comparison.json": json.dumps({"dataset": report["dataset"], "rows": public(rows), "best": best,
                                       "excluded_runs": [r["path"] for r in excluded], "failures": report["failures"],
                                       "data_efficiency": report["efficiency"], "hard_examples": hard,
                                       "figures": {r["recipe"]: r["figures"] for r in runs if r["figures"]}},
                                      indent=2),
        "comparison.html": render_html(report, images),
        **images,
    }
    return write_atomically(out_dir, contents)


def open_failures(records: list[dict], runs: list[dict]) -> list[dict]:
    """Failures of the last `lab run all` that no later successful run of the same recipe has replaced."""
    from lab.progression import FAILURES

    path = Path(runs[0]["path"]).parent.parent / FAILURES
    if not path.is_file():
        return []
    succeeded = {r["recipe"]: r["created"] for r in runs}
    return [f for f in json.loads(path.read_text()) if succeeded.get(f["recipe"], "") < f["created"]]


def data_efficiency(records: list[dict], runs: list[dict]) -> dict[str, list[tuple[int, float]]]:
    """Test macro-F1 against the number of training examples, per model, on the report's test split."""
    fingerprint = runs[0]["dataset"]["fingerprint"]
    subsets = [r for r in records if r["dataset"]["fingerprint"] == fingerprint and r.get("train_size") is not None]
    if not subsets:
        return {}
    points: dict[str, dict[int, float]] = {}
    for record in subsets + runs:  # later records win, and the full-size runs come last
        size = record.get("train_size") or record["dataset"]["sizes"]["train"]
        for model in record["models"]:
            points.setdefault(model["name"], {})[size] = model["metrics"]["macro_f1"]
    return {name: sorted(by_size.items()) for name, by_size in points.items() if len(by_size) > 1}


def draw_images(report: dict) -> dict[str, bytes]:
    from lab.report import plots
    models = [m for r in report["runs"] for m in r["models"]]
    images = {}
    if report["rows"]:
        images["cost_quality.png"] = plots.cost_quality(report["rows"])
        images["confusion_matrices.png"] = plots.confusion_matrices(models, report["dataset"]["label_names"])
    trained = [m for m in models if m.get("history")]
    if trained:
        images["learning_curves.png"] = plots.learning_curves(trained)
    if report["efficiency"]:
        images["data_efficiency.png"] = plots.data_efficiency(report["efficiency"])
    for record in report["runs"]:
        for plot in record["plots"]:
            source = Path(record["path"]) / f"{plot}.png"
            if plot.startswith("learning_curves"):
                continue  # drawn once for every model together in learning_curves.png
            if source.is_file():
                images[f"{record['recipe']}_{plot}.png"] = source.read_bytes()
    return images


def excluded_warning(excluded: list[dict], fingerprint: str) -> str:
    paths = ", ".join(r["path"] for r in excluded)
    return (f"{len(excluded)} run(s) used a different test split than the newest runs (fingerprint {fingerprint}) "
            f"and are left out of this table: {paths}; rerun them with the same dataset options and seed to compare")


def public(rows: list[dict]) -> list[dict]:
    return [{column: row[column] for column, _ in COLUMNS} for row in rows]


def render_csv(rows: list[dict], best: dict) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([column for column, _ in COLUMNS] + ["best_in"])
    for row in rows:
        marks = [c for c, v in best.items() if row[c] == v]
        writer.writerow([row[c] for c, _ in COLUMNS] + [";".join(marks)])
    return buffer.getvalue()


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
