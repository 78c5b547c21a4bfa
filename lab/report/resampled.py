"""Cross-validated runs (folds=K, repeats=R) in the report: the headline table as mean ± sd over the folds, the
corrected resampled t-test against the best model, and the notes that say what the numbers are.

The runner writes a `resampling` block into each cross-validated record (per-fold metrics, their summary, the
floor's per-fold metrics, the fold sizes). Runs on the same folds share a fingerprint, so one table holds either
cross-validated runs or single-split runs, never both. Everything here is a no-op for single-split runs.
"""

from __future__ import annotations

import dataclasses

from lab.evaluation.resampling import compare_with_best, summarise_folds
from lab.report import columns as spec
from lab.report.by_task import FLOOR_RECIPE
from lab.tasks import task

TEST_NAME = "corrected resampled t-test (Nadeau and Bengio 2003)"
FOLDS = spec.Column("folds", "Folds", source="folds")
# scheme -> what the tables after the headline table were computed from
SCHEME_NOTES = {
    "pooled": "Per-class tables, confusion matrices and hard examples come from the pooled out-of-fold predictions: "
              "each example predicted once, by the fold that held it out (repeat 0).",
    "own_test": "The test-split tables below (per-class F1, confusion matrices, hard examples) come from the models "
                "refit on all the folded data and scored once on the source's own test split.",
}
LEGEND = ("Best value in each column in bold. Mean ± sd over the {folds} folds. vs best: {test} of each model's "
          "per-fold {headline} against the best model's, on the same folds; n.s. means p ≥ {alpha} (no significant "
          "difference). Train s: wall time of training ({trained}); Infer ex/s: test-set inference throughput; "
          "Params: parameters trained (frozen ones not counted); Peak MB: peak resident memory above the start of "
          "training.")
TRAINED = {"pooled": "the mean over the folds", "own_test": "the refit on all the folded data"}
COST_CAPTION = "Training wall time against the headline metric's mean over the folds; bars: ± 1 sd over the folds."


def block_of(runs: list[dict]) -> dict | None:
    """The newest run's `resampling` block where every run with models carries one, else None (a single split).
    A run without models (topics) has no row in the table, whichever split it ran on."""
    runs = [record for record in runs if record.get("models") != []]
    if not runs or not all(record.get("resampling") for record in runs):
        return None
    return max(runs, key=lambda record: record["created"])["resampling"]


def columns_for(task_name: str) -> tuple[spec.Column, ...]:
    """The task's headline columns with every metric as its mean ± sd over the folds, and the folds counted."""
    shown = []
    for column in spec.columns_for(task_name):
        if column.key == "p_vs_best":
            shown.append(FOLDS)
        shown.append(over_folds(column) if column.source == "metrics" else column)
    return tuple(shown)


def over_folds(column: spec.Column) -> spec.Column:
    """'Macro-F1 % (95% CI)' read from the run's metrics -> 'Macro-F1 % (mean ± sd)' read from its fold summary."""
    return dataclasses.replace(column, header=f"{column.header.split(' (')[0]} (mean ± sd)", source="folds",
                               ci=False, spread=True)


def fold_values(record: dict, recipe: str, model_name: str) -> dict:
    """A model's summary over the folds as row keys (<metric>: the mean, <metric>_sd, folds); the floor row's from
    the floor's per-fold metrics. Empty for a single-split run."""
    block = record.get("resampling")
    if not block:
        return {}
    summaries = (summarise_folds(block["floor_per_fold"]) if recipe == FLOOR_RECIPE
                 else block["summary"].get(model_name, {}))
    values = {}
    for key, summary in summaries.items():
        values.update({key: summary["mean"], f"{key}_sd": summary["sd"], "folds": summary["folds"]})
    return values


def headline_scores(record: dict, model_name: str, key: str) -> list[float]:
    return [fold[key] for fold in record["resampling"]["per_fold"][model_name]]


def add_significance(rows: list[dict], runs: list[dict], task_name: str) -> None:
    """p_vs_best of every model: the corrected resampled t-test of its per-fold headline against the best mean's."""
    facts, block = task(task_name), block_of(runs)
    by_id = {record["run_id"]: record for record in runs}
    scores = {(row["recipe"], row["model"]): headline_scores(by_id[row["run_id"]], row["model"], facts.headline)
              for row in rows}
    if len(scores) < 2:
        return
    p = compare_with_best(scores, "higher" if facts.higher_is_better else "lower", block["n_train"], block["n_test"])
    for row in rows:
        row["p_vs_best"] = p[(row["recipe"], row["model"])]


def view(runs: list[dict], task_name: str) -> dict | None:
    """What the page, the strip plot and the JSON say about the folds: the scheme and sizes, the test used, and each
    model's per-fold headline scores (the floor's too)."""
    block = block_of(runs)
    if block is None:
        return None
    key = task(task_name).headline
    per_fold = {model["name"]: headline_scores(record, model["name"], key) for record in runs
                for model in record["models"]}
    kept = ("folds", "repeats", "seed", "scheme", "n_train", "n_test", "headline")
    return {**{name: block.get(name) for name in kept}, "test": TEST_NAME, "per_fold": per_fold,
            "floor_per_fold": [fold.get(key) for fold in block.get("floor_per_fold", [])]}


def notes(folds: dict | None) -> list[str]:
    """The lines above the headline table: what its numbers are, and where the tables below come from."""
    if folds is None:
        return []
    k, r = folds["folds"], folds["repeats"]
    over = f"{k * r} folds" + (f" ({k} × {r})" if r > 1 else "")
    return [f"{k}-fold cross-validation, {r} repeat{'' if r == 1 else 's'}: mean ± sd over {over}; "
            f"p: {TEST_NAME} against the best model.", SCHEME_NOTES[folds["scheme"]]]


def legend(folds: dict, task_name: str, alpha: float) -> str:
    headline = spec.headline_column(task_name).header.split(" (")[0].removesuffix(" %")
    return LEGEND.format(folds=folds["folds"] * folds["repeats"], test=TEST_NAME, headline=headline, alpha=alpha,
                         trained=TRAINED[folds["scheme"]])


def facts(folds: dict, sizes: dict, kind: str) -> list[dict]:
    """The header lines that replace the single split's 'Test split' and 'Train / validation'."""
    pool = f" of {sizes['pool']:,} examples" if sizes.get("pool") else ""
    return [{"label": "Cross-validation", "text": f"{folds['folds']} folds × {folds['repeats']} "
             f"repeat{'' if folds['repeats'] == 1 else 's'}{pool}, seed {folds['seed']}, {kind}"},
            {"label": "One fold", "text": f"{sizes['train']} / {sizes['validation']} / {sizes['test']} train / "
             f"validation / test examples (means over the folds)"}]


def headline_point(record: dict, model: dict, key: str) -> tuple[float, float | None]:
    """A data-efficiency point: the test metric, or, for a cross-validated run, its mean and sd over the folds."""
    summary = (record.get("resampling") or {}).get("summary", {}).get(model["name"], {}).get(key)
    return (summary["mean"], summary["sd"]) if summary else (model["metrics"][key], None)


def sd_bars(rows: list[dict], key: str) -> list[dict]:
    """The rows with mean ± 1 sd where the cost-quality plot reads a CI."""
    return [{**row, f"{key}_ci_low": row[key] - (row.get(f"{key}_sd") or 0),
             f"{key}_ci_high": row[key] + (row.get(f"{key}_sd") or 0)} for row in rows]
