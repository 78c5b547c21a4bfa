"""The tuning table: per searched model, the trials it got, the validation score of the setting chosen (and of the
config's own setting) and the setting itself, so a reader sees that every model had the same budget.

It reads the "search" block the runner stores in a run record (lab/search.py's search record); records without one
give no rows.
"""

from __future__ import annotations

from lab.config import shown
from lab.report import columns as spec
from lab.report.render import markdown_escape
from lab.report.sections import section

COLUMNS = ["Recipe", "Model", "Trials", "Scored on", "Metric", "Best", "Default", "Chosen setting"]


def tuning_rows(records: list[dict]) -> list[dict]:
    """One row per searched model of every record, in the records' order: raw values, not yet formatted."""
    rows = []
    for record in records:
        search = record.get("search")
        if not search:
            continue
        for name, model in search["models"].items():
            rows.append({"recipe": record["recipe"], "model": name, "task": record["task"],
                         "trials": len(model["trials"]), "budget": search["trials"],
                         "scored_on": search["scored_on"], "metric": search["metric"],
                         "best_value": model["best_value"], "default_value": model.get("default_value"),
                         "setting": dict(model["best_params"])})
    return rows


def tuning_table(records: list[dict]) -> dict | None:
    """The rows as the report's tables are: {"title", "columns", "rows"} of text cells; None without a search."""
    rows = tuning_rows(records)
    if not rows:
        return None
    cells = []
    for row in rows:
        written = spec.headline_column(row["task"]).format
        setting = " ".join(f"{key}={shown(value)}" for key, value in row["setting"].items())
        cells.append([row["recipe"], row["model"], f"{row['trials']}/{row['budget']}", row["scored_on"],
                      row["metric"], written(row["best_value"]), written(row["default_value"]),
                      setting or "(nothing to search: the config's own)"])
    return {"title": "Tuning: Optuna trials per model, scored on validation", "columns": COLUMNS, "rows": cells}


def tuning_section(records: list[dict]) -> dict | None:
    """The page's "Tuning" section (the shape lab/report/sections.py gives every part); None without a search."""
    table = tuning_table(records)
    if table is None:
        return None
    text = ("Each model got the same number of Optuna (TPE) trials over its recipe's search space, each scored on "
            "the validation split, never on the test split; the best setting was then refit and tested. "
            "Default: the config's own setting, scored the same way.")
    return section("Tuning", 2, text=[text], tables=[table])


def render_tuning_markdown(records: list[dict]) -> str:
    """The table in Markdown; "" when no record holds a search."""
    table = tuning_table(records)
    if table is None:
        return ""
    lines = ["| " + " | ".join(table["columns"]) + " |", "|" + "---|" * len(table["columns"])]
    lines += ["| " + " | ".join(markdown_escape(cell) for cell in row) + " |" for row in table["rows"]]
    return "\n".join(lines) + "\n"
