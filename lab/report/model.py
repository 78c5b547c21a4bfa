"""The report as one plain data structure: the templates render it to HTML and Markdown, and its `data` and `csv`
parts are the JSON and CSV files, so every output says the same thing.

    title, facts (header lines), warnings, failures,
    headline: {columns, rows of cells, legend}, summary: the terminal's compact table,
    sections: [{title, level, text, notes, figures, images, tables}],
    data: the JSON (raw keys), csv: {columns, rows} (raw keys)
"""

from __future__ import annotations

from lab.evaluation.significance import SIGNIFICANCE
from lab.report import by_task
from lab.report import columns as spec
from lab.report import names
from lab.report import resampled, tuning
from lab.report.sections import recipe_sections, section

LEGEND = ("Best value in each column in bold. vs best: {test} of each model against the best "
          f"{{headline}} model on the same test examples; n.s. means p ≥ {SIGNIFICANCE} (no significant difference). "
          "95% CIs: percentile bootstrap over 1,000 resamples of the test set. Train s: wall time of training; "
          "Infer ex/s: test-set inference throughput; Params: parameters trained (frozen ones not counted); "
          "Peak MB: peak resident memory above the start of training.")
# task -> the paired test lab.evaluation.paired_test runs for it, as the legend names it
PAIRED_TEST_NAMES = {"single_label": "exact McNemar test",
                     "multi_label": "paired permutation test of the micro-F1 difference",
                     "regression": "paired permutation test of the RMSE difference"}
FLOOR_LEGEND = "floor: the dummy model ({floor}), not a model to compare against; it is never marked best."
HARD_HEADER = ["Row", "True label", "Missed by", "Predicted as", "Text"]


def build_model(report: dict) -> dict:
    """report: what build.py gathered (dataset, runs, rows, best, warning, failures, efficiency, hard, images,
    excluded, profile, task)."""
    columns = report["columns"]
    shown = [c for c in columns if c.page]
    headline = {"columns": [c.header for c in shown],
                "rows": [[headline_cell(row, c, report["best"]) for c in shown] for row in report["rows"]],
                "legend": legend(report), "notes": resampled.notes(report["resampling"])}
    return {
        "title": f"Comparison on {report['dataset']['name']}",
        "facts": header_facts(report),
        "warnings": [report["warning"]] if report["warning"] else [],
        "failures": report["failures"],
        "headline": headline,
        "summary": summary(report, columns),
        "sections": sections(report),
        "data": json_data(report, columns),
        "csv": csv_table(report["rows"], report["best"], columns),
        "sweeps": sweep_tables(report["runs"]),
    }


def headline_cell(row: dict, column, best: dict) -> dict:
    """The floor row shows its metrics only (a dummy has no cost); a flagged model carries its marks by its name."""
    if row["recipe"] == by_task.FLOOR_RECIPE and column.source in ("computed", "efficiency"):
        return {"text": "", "bold": False, "after": ""}
    cell = spec.cell(row, column, best)
    if column.key == "model" and row["recipe"] == by_task.FLOOR_RECIPE:
        cell["text"] += " (floor)"  # the terminal's summary has no recipe column to say so
    if column.key == "model" and row.get("flags"):
        cell["text"] += " " + "".join(row["flags"])
    return cell


def legend(report: dict) -> str:
    task_name, folds = report["task"], report["resampling"]
    parts = [resampled.legend(folds, task_name, SIGNIFICANCE) if folds else
             LEGEND.format(test=PAIRED_TEST_NAMES[task_name], headline=short(spec.headline_column(task_name).header))]
    if any(row["recipe"] == by_task.FLOOR_RECIPE for row in report["rows"]):
        parts.append(FLOOR_LEGEND.format(floor=spec.task(task_name).floor))
    return " ".join(parts + report.get("flags", []))


def short(header: str) -> str:
    """'Macro-F1 % (95% CI)' -> 'Macro-F1'."""
    return header.split(" (")[0].removesuffix(" %")


def header_facts(report: dict) -> list[dict]:
    dataset, sizes = report["dataset"], report["dataset"]["sizes"]
    names = dataset["label_names"]
    kind = (f"{len(names)} {'labels' if report['task'] == 'multi_label' else 'classes'} ({', '.join(names)})" if names
            else spec.task(report["task"]).description)
    split = ([{"label": "Test split", "text": f"{sizes['test']} examples, {kind}"},
              {"label": "Train / validation", "text": f"{sizes['train']} / {sizes['validation']} examples"}]
             if not report["resampling"] else resampled.facts(report["resampling"], sizes, kind))
    facts = [{"label": "Profile", "text": report["profile"]}, *split,
             {"label": "Split fingerprint", "text": dataset["fingerprint"]}]
    return facts + [{"label": "Data", "text": note} for note in dataset["notes"]]


def summary(report: dict, columns) -> dict:
    """model, headline metric with its CI, vs best, train time: the same cells as the headline table."""
    headline = spec.task(report["task"]).headline
    keys = [key.format(headline=headline) for key in spec.SUMMARY_KEYS]
    chosen = [c for key in keys for c in columns if c.key == key]  # a task's list may lack one: it is skipped
    return {"columns": [c.header for c in chosen],
            "rows": [[headline_cell(row, c, {}) for c in chosen] for row in report["rows"]]}


def sections(report: dict) -> list[dict]:
    images, runs, folds = report["images"], report["runs"], report["resampling"]
    parts = [fold_scores_section(folds, images, spec.headline_column(report["task"])),
             image_section("Cost versus quality", "cost_quality.png", images, resampled.COST_CAPTION if folds else
                           "Training wall time against the headline metric; bars: 95% CIs.")]
    parts.append(per_class_section(runs))
    parts += label_sections(report.get("labels"))
    parts.append(image_section("Confusion matrices", "confusion_matrices.png", images))
    parts.append(image_section("Predicted against true values", "predicted_vs_true.png", images,
                               "Each test example's prediction against its true value; the line marks perfect ones."))
    parts.append(image_section("Learning curves", "learning_curves.png", images))
    parts.append(hard_section(report["hard"]))
    parts.append(errors_section(report.get("errors")))
    parts.append(efficiency_section(report["efficiency"], images, spec.headline_column(report["task"]),
                                    report["efficiency_sd"]))
    parts.append(tuning.tuning_section(runs))
    flat = [part for part in parts if part]
    for record in runs:
        flat += recipe_sections(record, images)
    flat.append(section("Runs", 2, tables=[runs_table(runs)]))
    return flat


def fold_scores_section(folds: dict | None, images: dict, headline) -> dict | None:
    if not folds:
        return None
    text = (f"Each model's test {short(headline.header)} on each of the {folds['folds'] * folds['repeats']} folds "
            f"(dots, spread sideways so that they do not hide one another); the bar marks the mean.")
    return image_section("Scores per fold", "fold_scores.png", images, text)


def image_section(title: str, name: str, images: dict, text: str | None = None) -> dict | None:
    if name not in images:
        return None
    return section(title, 2, text=[text] if text else [], images=[{"title": title, "src": name}])


def per_class_section(runs: list[dict]) -> dict | None:
    label_names = runs[0]["dataset"]["label_names"]
    rows = [[m["name"]] + [spec.pct(m["per_class"][n]["f1"]) for n in label_names]
            for r in runs for m in r["models"] if "per_class" in m]  # single-label only
    if not rows:
        return None
    return section("Per-class F1 (%)", 2, tables=[{"title": "", "columns": ["Model"] + label_names, "rows": rows}])


def label_sections(labels: tuple | None) -> list[dict]:
    """Multi-label: per-label F1 (models x labels), how often each label occurs, and the labels no model finds."""
    if not labels:
        return []
    scores, counts, missed = labels
    text = ([f"No model finds {len(missed)} label(s) (F1 0 for every model): {', '.join(missed)}."] if missed
            else ["Every label is found by at least one model."])
    return [section("Per-label F1 (%)", 2, text=text, tables=[scores]),
            section("Label frequencies", 2, text=["Train and test examples carrying each label."], tables=[counts])]


def errors_section(errors: dict | None) -> dict | None:
    if not errors or not errors["rows"]:
        return None
    return section("Test examples with the largest errors", 2, tables=[{"title": "", **errors}],
                   text=["Ordered by the mean absolute error over all models. Row: position in the test split."])


def hard_section(hard: dict | None) -> dict | None:
    if not hard or not hard["count"]:
        return None
    rows = [[str(e["row"]), e["label"], f"{e['missed_by']} of {hard['models']}",
             ", ".join(f"{label} ({n})" for label, n in e["predicted"].items()), e["text"]] for e in hard["examples"]]
    return section("Test examples most models miss", 2, text=[hard_summary(hard)],
                   tables=[{"title": "", "columns": HARD_HEADER, "rows": rows}])


def hard_summary(hard: dict) -> str:
    shown = f"; the first {len(hard['examples'])} are listed" if hard["count"] > len(hard["examples"]) else ""
    count, everyone = hard["count"], hard["missed_by_all"]
    text = (f"{count} test example{'' if count == 1 else 's'} {verb(count)} missed by at least {hard['threshold']} of "
            f"the {hard['models']} models{shown}. Row: position in the test split (as in each run's predictions.csv).")
    if everyone:
        text += (f" {everyone} {verb(everyone)} missed by every model: a model that missed only "
                 f"{'that one' if everyone == 1 else 'those'} would score {spec.pct(hard['ceiling_macro_f1'])} "
                 f"macro-F1, a practical ceiling for this test split.")
    return text


def verb(count: int) -> str:
    return "is" if count == 1 else "are"


def efficiency_section(curves: dict, images: dict, headline, spreads: dict) -> dict | None:
    """spreads: model -> [(size, sd over the folds)], for the points of cross-validated runs."""
    if not curves:
        return None
    sizes = sorted({size for points in curves.values() for size, _ in points})
    rows = [[model] + [headline.format(dict(points).get(s)) + spread(headline, dict(spreads.get(model, ())).get(s))
                       for s in sizes] for model, points in curves.items()]
    plot = [{"title": "Data efficiency", "src": "data_efficiency.png"}] if "data_efficiency.png" in images else []
    return section(f"Data efficiency: test {headline.header.split(' (')[0]} by training examples", 2, images=plot,
                   tables=[{"title": "", "columns": ["Model"] + [str(s) for s in sizes], "rows": rows}])


def spread(column, sd) -> str:
    return "" if sd is None else f" ± {column.format(sd)}"


def runs_table(runs: list[dict]) -> dict:
    rows = [[r["recipe"], r.get("config_name") or "defaults", r["run_id"], r["environment"]["machine"],
             r["environment"]["device"], (r["environment"]["git_sha"] or "?")[:8]] for r in runs]
    return {"title": "", "columns": ["Recipe", "Config", "Run", "Machine", "Device", "lab git"], "rows": rows}


def json_data(report: dict, columns) -> dict:
    keys = spec.raw_keys(columns)
    return {"dataset": report["dataset"], "profile": report["profile"], "task": report["task"],
            "rows": [json_row(row, keys) for row in report["rows"]], "best": report["best"],
            "excluded_runs": [r["path"] for r in report["excluded"]], "failures": report["failures"],
            "data_efficiency": report["efficiency"], "hard_examples": report["hard"],
            **({"resampling": report["resampling"]} if report["resampling"] else {}),
            **({"data_efficiency_sd": report["efficiency_sd"]} if report["efficiency_sd"] else {}),
            **({"largest_errors": report["errors"]} if report.get("errors") else {}),
            "figures": {r["recipe"]: r["figures"] for r in report["runs"] if r["figures"]},
            "tables": {r["recipe"]: r["tables"] for r in report["runs"] if r["tables"]}}


def json_row(row: dict, keys: list[str]) -> dict:
    return {**{key: row.get(key) for key in keys}, **({"flags": row["flags"]} if row.get("flags") else {})}


def csv_table(rows: list[dict], best: dict, columns) -> dict:
    keys = spec.raw_keys(columns)
    return {"columns": keys + ["best_in"],
            "rows": [[row.get(key) for key in keys] + [";".join(k for k, v in best.items() if row.get(k) == v)]
                     for row in rows]}


def sweep_tables(runs: list[dict]) -> dict[str, dict]:
    """The full sweeps kept off the page, each as <recipe>_<table>.csv beside the report (and in the JSON)."""
    found = {}
    for record in runs:
        for name, rows in record["tables"].items():
            if rows and names.lookup(names.TABLES, name, "").step == names.SWEEP:
                columns = list(rows[0])
                found[f"{record['recipe']}_{name}.csv"] = {"columns": columns,
                                                           "rows": [[row.get(c) for c in columns] for row in rows]}
    return found
