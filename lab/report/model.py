"""The report as one plain data structure: the templates render it to HTML and Markdown, and its `data` and `csv`
parts are the JSON and CSV files, so every output says the same thing.

    title, facts (header lines), warnings, failures,
    headline: {columns, rows of cells, legend}, summary: the terminal's compact table,
    sections: [{title, level, text, notes, figures, images, tables}],
    data: the JSON (raw keys), csv: {columns, rows} (raw keys)
"""

from __future__ import annotations

from lab.evaluation.significance import SIGNIFICANCE
from lab.report import columns as spec
from lab.report import names
from lab.report.sections import recipe_sections, section

LEGEND = ("Best value in each column in bold. vs best: exact McNemar test of each model against the best "
          f"{{headline}} model on the same test examples; n.s. means p ≥ {SIGNIFICANCE} (no significant difference). "
          "95% CIs: percentile bootstrap over 1,000 resamples of the test set. Train s: wall time of training; "
          "Infer ex/s: test-set inference throughput; Peak MB: peak resident memory above the start of training.")
HARD_HEADER = ["Row", "True label", "Missed by", "Predicted as", "Text"]


def build_model(report: dict) -> dict:
    """report: what build.py gathered (dataset, runs, rows, best, warning, failures, efficiency, hard, images,
    excluded, profile, task)."""
    columns = spec.columns_for(report["task"])
    shown = [c for c in columns if c.page]
    headline = {"columns": [c.header for c in shown],
                "rows": [[spec.cell(row, c, report["best"]) for c in shown] for row in report["rows"]],
                "legend": LEGEND.format(headline=short(spec.headline_column(report["task"]).header))}
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


def short(header: str) -> str:
    """'Macro-F1 % (95% CI)' -> 'Macro-F1'."""
    return header.split(" (")[0].removesuffix(" %")


def header_facts(report: dict) -> list[dict]:
    dataset, sizes = report["dataset"], report["dataset"]["sizes"]
    facts = [{"label": "Profile", "text": report["profile"]},
             {"label": "Test split", "text": f"{sizes['test']} examples, {len(dataset['label_names'])} classes "
                                             f"({', '.join(dataset['label_names'])})"},
             {"label": "Train / validation", "text": f"{sizes['train']} / {sizes['validation']} examples"},
             {"label": "Split fingerprint", "text": dataset["fingerprint"]}]
    return facts + [{"label": "Data", "text": note} for note in dataset["notes"]]


def summary(report: dict, columns) -> dict:
    """model, headline metric with its CI, vs best, train time: the same cells as the headline table."""
    headline = spec.task(report["task"]).headline
    keys = [key.format(headline=headline) for key in spec.SUMMARY_KEYS]
    chosen = [c for key in keys for c in columns if c.key == key]  # a task's list may lack one: it is skipped
    return {"columns": [c.header for c in chosen],
            "rows": [[spec.cell(row, c, {}) for c in chosen] for row in report["rows"]]}


def sections(report: dict) -> list[dict]:
    images, runs = report["images"], report["runs"]
    parts = [image_section("Cost versus quality", "cost_quality.png", images,
                           "Training wall time against the headline metric; bars: 95% CIs.")]
    parts.append(per_class_section(runs))
    parts.append(image_section("Confusion matrices", "confusion_matrices.png", images))
    parts.append(image_section("Learning curves", "learning_curves.png", images))
    parts.append(hard_section(report["hard"]))
    parts.append(efficiency_section(report["efficiency"], images))
    flat = [part for part in parts if part]
    for record in runs:
        flat += recipe_sections(record, images)
    flat.append(section("Runs", 2, tables=[runs_table(runs)]))
    return flat


def image_section(title: str, name: str, images: dict, text: str | None = None) -> dict | None:
    if name not in images:
        return None
    return section(title, 2, text=[text] if text else [], images=[{"title": title, "src": name}])


def per_class_section(runs: list[dict]) -> dict | None:
    label_names = runs[0]["dataset"]["label_names"]
    rows = [[m["name"]] + [spec.pct(m["per_class"][n]["f1"]) for n in label_names] for r in runs for m in r["models"]]
    if not rows:
        return None
    return section("Per-class F1 (%)", 2, tables=[{"title": "", "columns": ["Model"] + label_names, "rows": rows}])


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


def efficiency_section(curves: dict, images: dict) -> dict | None:
    if not curves:
        return None
    sizes = sorted({size for points in curves.values() for size, _ in points})
    rows = [[model] + [spec.pct(dict(points).get(s)) for s in sizes] for model, points in curves.items()]
    plot = [{"title": "Data efficiency", "src": "data_efficiency.png"}] if "data_efficiency.png" in images else []
    return section("Data efficiency: test macro-F1 % by training examples", 2, images=plot,
                   tables=[{"title": "", "columns": ["Model"] + [str(s) for s in sizes], "rows": rows}])


def runs_table(runs: list[dict]) -> dict:
    rows = [[r["recipe"], r.get("config_name") or "defaults", r["run_id"], r["environment"]["machine"],
             r["environment"]["device"], (r["environment"]["git_sha"] or "?")[:8]] for r in runs]
    return {"title": "", "columns": ["Recipe", "Config", "Run", "Machine", "Device", "lab git"], "rows": rows}


def json_data(report: dict, columns) -> dict:
    keys = spec.raw_keys(columns)
    return {"dataset": report["dataset"], "profile": report["profile"], "task": report["task"],
            "rows": [{key: row.get(key) for key in keys} for row in report["rows"]], "best": report["best"],
            "excluded_runs": [r["path"] for r in report["excluded"]], "failures": report["failures"],
            "data_efficiency": report["efficiency"], "hard_examples": report["hard"],
            "figures": {r["recipe"]: r["figures"] for r in report["runs"] if r["figures"]},
            "tables": {r["recipe"]: r["tables"] for r in report["runs"] if r["tables"]}}


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
