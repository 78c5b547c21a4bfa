"""The headline table's columns, per task type, as a table of specs.

Each column names the raw key that the CSV and JSON keep, the header a person reads, how a value is written, and
which direction is better (the best value is set in bold and listed in the CSV's best_in). A task type with other
metrics (regression: RMSE, MAE, R²) is another list here; nothing else branches on the task.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from lab.evaluation.significance import SIGNIFICANCE
from lab.tasks import task


def pct(value) -> str:
    return "" if value is None else f"{value * 100:.1f}"


def plain(value) -> str:
    return "" if value is None else str(value)


def decimal(digits: int) -> Callable[[float], str]:
    return lambda value: "" if value is None else f"{value:,.{digits}f}"


def compact(count) -> str:
    if count is None:
        return ""
    for unit, size in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if count >= size:
            return f"{count / size:.1f}{unit}"
    return str(count)


def versus_best(p) -> str:
    if p is None:
        return "best"
    return f"p={p:.3f}" + (" n.s." if p >= SIGNIFICANCE else "")


@dataclass(frozen=True)
class Column:
    key: str  # the raw key in the CSV and JSON
    header: str  # the page's header
    format: Callable = plain
    direction: str | None = None  # "max" or "min": which value is best; None: not compared
    source: str = "run"  # where table_rows reads it: run (recipe, model, ...), metrics, efficiency or computed
    ci: bool = False  # a 95% CI: the raw keys <key>_ci_low and <key>_ci_high follow it
    page: bool = True  # False: CSV and JSON only
    spread: bool = False  # a mean over folds with its sd: the raw key <key>_sd follows it, the page shows "± sd"


IDENTITY = (Column("recipe", "Recipe"), Column("model", "Model"), Column("family", "Family"))
COST = (
    Column("p_vs_best", "vs best", versus_best, source="computed"),
    Column("train_seconds", "Train s", decimal(1), "min", "efficiency"),
    Column("examples_per_second", "Infer ex/s", decimal(0), "max", "efficiency"),
    Column("parameters", "Params", compact, "min", "efficiency"),
    Column("peak_memory_mb", "Peak MB", decimal(0), "min", "efficiency"),
    Column("run_id", "Run", page=False),
)


def metric(key: str, header: str, direction: str = "max", format: Callable = pct, ci: bool = True,
           page: bool = True) -> Column:
    return Column(key, header, format, direction, "metrics", ci, page)


HEADLINE_COLUMNS = {
    "single_label": IDENTITY + (
        metric("accuracy", "Accuracy % (95% CI)"), metric("macro_f1", "Macro-F1 % (95% CI)"),
        metric("weighted_f1", "Weighted F1 %", ci=False, page=False)) + COST,
    "multi_label": IDENTITY + (
        metric("micro_f1", "Micro-F1 % (95% CI)"), metric("macro_f1", "Macro-F1 % (95% CI)"),
        metric("samples_f1", "Samples F1 %", ci=False), metric("subset_accuracy", "Subset accuracy %", ci=False),
        metric("hamming_loss", "Hamming loss", "min", decimal(4), ci=False)) + COST,
    "regression": IDENTITY + (
        metric("rmse", "RMSE (95% CI)", "min", decimal(3)), metric("mae", "MAE (95% CI)", "min", decimal(3)),
        metric("r2", "R² (95% CI)", "max", decimal(3)), metric("pearson", "Pearson r (95% CI)", format=decimal(3)),
        metric("spearman", "Spearman ρ (95% CI)", format=decimal(3))) + COST,
}

# The terminal's compact table at the end of `lab run all` and `lab report` (after lm-eval's closing table).
SUMMARY_KEYS = ("model", "{headline}", "p_vs_best", "train_seconds")


def columns_for(task_name: str) -> tuple[Column, ...]:
    return HEADLINE_COLUMNS[task_name]


def headline_column(task_name: str) -> Column:
    return next(c for c in columns_for(task_name) if c.key == task(task_name).headline)


def raw_keys(columns) -> list[str]:
    keys = []
    for column in columns:
        keys += [column.key] + ([f"{column.key}_ci_low", f"{column.key}_ci_high"] if column.ci else [])
        keys += [f"{column.key}_sd"] if column.spread else []
    return keys


def best_values(rows: list[dict], columns) -> dict[str, float]:
    best = {}
    for column in columns:
        values = [row[column.key] for row in rows if row.get(column.key) is not None]
        if column.direction and values:
            best[column.key] = max(values) if column.direction == "max" else min(values)
    return best


def cell(row: dict, column: Column, best: dict) -> dict:
    """One headline cell: the value, bold where it is the column's best, and its CI or its ± sd after it."""
    text = column.format(row.get(column.key))
    if column.ci and row.get(f"{column.key}_ci_low") is not None:
        after = f" [{column.format(row[f'{column.key}_ci_low'])}–{column.format(row[f'{column.key}_ci_high'])}]"
    elif column.spread and row.get(f"{column.key}_sd") is not None:
        after = f" ± {column.format(row[f'{column.key}_sd'])}"
    else:
        after = ""
    return {"text": text, "bold": column.key in best and best[column.key] == row.get(column.key), "after": after}
