"""What the report does differently per task type, as tables keyed by task (nothing else branches on the task):
how predictions.csv cells read back, which learning-curve keys a history holds, the floor row and its flags, and
each task's own sections (regression: the largest errors; multi-label: per-label F1 and label frequencies).
"""

from __future__ import annotations

import numpy as np

from lab.tasks import task

FLOOR_RECIPE = "floor"
BELOW_FLOOR, SMALL_TRAINING = "†", "‡"
SMALL_SHARE = 0.05  # a model that saw less of the training split than this is flagged
FLAG_LEGEND = {BELOW_FLOOR: "† does not beat the floor (the dummy model's row) on the headline metric",
               SMALL_TRAINING: f"‡ trained on under {SMALL_SHARE:.0%} of the training split (max_train_examples, or "
                               f"a max_train_seconds budget that ended inside the first pass)"}


def multi_hot(names: list[str], cells: list[str]) -> np.ndarray:
    index = {name: i for i, name in enumerate(names)}
    matrix = np.zeros((len(cells), len(names)))
    for row, cell in enumerate(cells):
        for name in filter(None, cell.split(";")):
            matrix[row, index[name]] = 1.0
    return matrix


# task -> predictions.csv cells (one column) back to what lab.evaluation.paired_test reads
READ_CELLS = {
    "single_label": lambda names, cells: list(cells),
    "multi_label": multi_hot,
    "regression": lambda names, cells: np.array([float(c) for c in cells]),
}

# task -> (history key of the validation curve, its axis label, the training loss's name)
CURVES = {"single_label": ("val_macro_f1", "macro-F1", "cross-entropy"),
          "multi_label": ("val_micro_f1", "micro-F1", "binary cross-entropy"),
          "regression": ("val_rmse", "RMSE", "squared error")}


def floor_model(record: dict) -> dict | None:
    """The newest run's dummy model as a model entry of the headline table, or None for runs without one."""
    if not record.get("floor"):
        return None
    return {"name": "dummy", "family": FLOOR_RECIPE, "metrics": record["floor"], "efficiency": {}}


def beats(value, floor_value, higher_is_better: bool) -> bool:
    if value is None or floor_value is None:
        return False
    return value > floor_value if higher_is_better else value < floor_value


def training_share(record: dict) -> float | None:
    """The share of the training split a model saw, where its config capped it (max_train_examples) or its
    training stopped inside the first pass (a time budget: the record's training_examples_seen)."""
    train = record["dataset"]["sizes"]["train"]
    counts = [record["config"].get("max_train_examples"), (record.get("figures") or {}).get("training_examples_seen")]
    counts = [count for count in counts if count]  # 0 seen: a record from before the figure existed
    return None if not counts or not train else min(min(counts), train) / train


def flag_rows(rows: list[dict], runs: list[dict], task_name: str) -> list[str]:
    """Marks each row's flags in place; returns the legend lines of the flags used."""
    facts = task(task_name)
    floor = next((row for row in rows if row["recipe"] == FLOOR_RECIPE), None)
    shares = {record["run_id"]: training_share(record) for record in runs}
    used = set()
    for row in rows:
        flags = []
        if row["recipe"] != FLOOR_RECIPE:
            if floor is not None and not beats(row[facts.headline], floor[facts.headline], facts.higher_is_better):
                flags.append(BELOW_FLOOR)
            share = shares.get(row["run_id"])
            if share is not None and share < SMALL_SHARE:
                flags.append(SMALL_TRAINING)
        row["flags"] = flags
        used.update(flags)
    return [line for mark, line in FLAG_LEGEND.items() if mark in used]


def largest_errors(truth, predicted: dict[tuple, np.ndarray], texts: list[str] | None, count: int = 10) -> dict:
    """Regression's hard examples: the test rows with the largest mean absolute error over models."""
    truth = np.asarray(truth, dtype=float)
    names = [f"{recipe}/{model}" for recipe, model in predicted]
    errors = np.mean([np.abs(p - truth) for p in predicted.values()], axis=0)
    order = np.argsort(-errors, kind="stable")[:count]
    rows = [[str(i), f"{truth[i]:.3g}", f"{errors[i]:.3g}"]
            + [f"{p[i]:.3g}" for p in predicted.values()] + [texts[i] if texts else ""] for i in order]
    return {"columns": ["Row", "True value", "Mean abs. error"] + names + ["Text"], "rows": rows}


def label_table(runs: list[dict], label_names: list[str]) -> tuple[dict, dict, list[str]]:
    """Multi-label: per-label F1 (models x labels), each label's test count, and the labels every model misses."""
    models = [m for r in runs for m in r["models"]]
    f1 = {m["name"]: [m["per_label"][n]["f1"] for n in label_names] for m in models}
    scores = {"title": "", "columns": ["Model"] + label_names,
              "rows": [[name] + [f"{v * 100:.1f}" for v in values] for name, values in f1.items()]}
    support = [models[0]["per_label"][n]["support"] for n in label_names] if models else []
    train = runs[0]["dataset"].get("train_label_counts")  # runs written before lab counted them have none
    counts = {"title": "", "columns": ["Label", "Train examples", "Test examples"],
              "rows": [[n, str(train[i]) if train else "", str(s)] for i, (n, s) in enumerate(zip(label_names, support))]}
    missed = [n for i, n in enumerate(label_names) if models and all(values[i] == 0 for values in f1.values())]
    return scores, counts, missed
