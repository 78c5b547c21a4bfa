"""Markdown rendering of the comparison: tables a user can paste into a proposal as they are."""

from __future__ import annotations

from lab.evaluation.significance import SIGNIFICANCE

HEADLINE = ("Recipe", "Model", "Family", "Accuracy % (95% CI)", "Macro-F1 % (95% CI)", "vs best", "Train s",
            "Infer ex/s", "Params", "Peak MB")


LEGEND = ("Best value in each column in **bold**. *vs best*: exact McNemar test of each model against the best "
          f"macro-F1 model on the same test examples; *n.s.* means p ≥ {SIGNIFICANCE} (no significant difference). "
          "95% CIs: percentile bootstrap over 1,000 resamples of the test set. Train s: wall time of training; "
          "Infer ex/s: test-set inference throughput; Peak MB: peak resident memory above the start of training.")


def render_markdown(report: dict) -> str:
    runs, rows, dataset = report["runs"], report["rows"], report["dataset"]
    lines = [f"# Comparison on {dataset['name']}", "", split_summary(dataset), ""]
    if report["warning"]:
        lines += [f"> **Warning:** {report['warning']}", ""]
    lines += failure_lines(report["failures"])
    lines += table(HEADLINE, [headline_cells(row, report["best"]) for row in rows]) + ["", LEGEND, ""]
    lines += image_lines(report["images"], "cost_quality.png", "Cost versus quality")
    lines += per_class_section(runs)
    lines += image_lines(report["images"], "confusion_matrices.png", "Confusion matrices")
    lines += image_lines(report["images"], "learning_curves.png", "Learning curves")
    lines += hard_section(report["hard"])
    lines += efficiency_section(report["efficiency"], report["images"])
    for record in runs:
        lines += recipe_section(record, report["images"])
    lines += ["## Runs", ""] + [f"- `{r['recipe']}`: run `{r['run_id']}` on {r['environment']['machine']} "
                                f"({r['environment']['device']}), lab git `{(r['environment']['git_sha'] or '?')[:8]}`"
                                for r in runs]
    return "\n".join(lines) + "\n"


def failure_lines(failures: list[dict]) -> list[str]:
    return [f"> **Failed:** recipe `{f['recipe']}`: {escape(f['error'])}" for f in failures] + ([""] if failures else [])


def image_lines(images: list[str], name: str, title: str) -> list[str]:
    return [f"## {title}", "", f"![{title}]({name})", ""] if name in images else []


def efficiency_table(curves: dict) -> tuple[list[str], list[list[str]]]:
    """Header and rows of macro-F1 % per model (rows) and training-set size (columns); shared with the HTML page."""
    sizes = sorted({size for points in curves.values() for size, _ in points})
    rows = [[model] + [pct(dict(points)[s]) if s in dict(points) else "" for s in sizes] for model, points in curves.items()]
    return ["Model"] + [str(s) for s in sizes], rows


def per_class_table(runs: list[dict]) -> tuple[list[str], list[list[str]]]:
    names = runs[0]["dataset"]["label_names"]
    return ["Model"] + names, [[m["name"]] + [f"{m['per_class'][n]['f1'] * 100:.1f}" for n in names]
                               for r in runs for m in r["models"]]


HARD_HEADER = ("Row", "True label", "Missed by", "Predicted as", "Text")


def hard_rows(hard: dict) -> list[list[str]]:
    """Shared with the HTML page."""
    return [[str(e["row"]), e["label"], f"{e['missed_by']} of {hard['models']}",
             ", ".join(f"{label} ({n})" for label, n in e["predicted"].items()), e["text"]] for e in hard["examples"]]


def hard_summary(hard: dict) -> str:
    shown = f"; the first {len(hard['examples'])} are listed" if hard["count"] > len(hard["examples"]) else ""
    count, everyone = hard["count"], hard["missed_by_all"]
    text = (f"{count} test example{'' if count == 1 else 's'} {verb(count)} missed by at least {hard['threshold']} of "
            f"the {hard['models']} models{shown}. Row: position in the test split (as in each run's predictions.csv).")
    if everyone:
        text += (f" {everyone} {verb(everyone)} missed by every model: a model that missed only "
                 f"{'that one' if everyone == 1 else 'those'} would score {pct(hard['ceiling_macro_f1'])} macro-F1, "
                 f"a practical ceiling for this test split.")
    return text


def verb(count: int) -> str:
    return "is" if count == 1 else "are"


def hard_section(hard: dict | None) -> list[str]:
    if not hard or not hard["count"]:
        return []
    return ["## Test examples most models miss", "", hard_summary(hard), ""] + table(HARD_HEADER, hard_rows(hard)) + [""]


def efficiency_section(curves: dict, images: list[str]) -> list[str]:
    if not curves:
        return []
    return (["## Data efficiency: test macro-F1 % by training examples", ""]
            + table(*efficiency_table(curves)) + [""]
            + (["![Data efficiency](data_efficiency.png)", ""] if "data_efficiency.png" in images else []))


def split_summary(dataset: dict) -> str:
    sizes = dataset["sizes"]
    return (f"Test split: {sizes['test']} examples, {len(dataset['label_names'])} classes "
            f"({', '.join(dataset['label_names'])}); train {sizes['train']}, validation {sizes['validation']}; "
            f"split fingerprint `{dataset['fingerprint']}`." + "".join(f" Data: {note}." for note in dataset["notes"]))


def headline_cells(row: dict, best: dict) -> list[str]:
    def mark(column: str, text: str) -> str:
        return f"**{text}**" if best.get(column) == row[column] else text

    accuracy = mark("accuracy", pct(row["accuracy"])) + f" [{pct(row['accuracy_ci_low'])}–{pct(row['accuracy_ci_high'])}]"
    macro = mark("macro_f1", pct(row["macro_f1"])) + f" [{pct(row['macro_f1_ci_low'])}–{pct(row['macro_f1_ci_high'])}]"
    return [row["recipe"], row["model"], row["family"], accuracy, macro, significance(row["p_vs_best"]),
            mark("train_seconds", f"{row['train_seconds']:.1f}"),
            mark("examples_per_second", f"{row['examples_per_second']:,.0f}"),
            mark("parameters", compact(row["parameters"])), mark("peak_memory_mb", f"{row['peak_memory_mb']:.0f}")]


def significance(p: float | None) -> str:
    if p is None:
        return "best"
    return f"p={p:.3f}" + (" n.s." if p >= SIGNIFICANCE else "")


def per_class_section(runs: list[dict]) -> list[str]:
    header, rows = per_class_table(runs)
    return ["## Per-class F1 (%)", ""] + table(header, rows) + [""] if rows else []


def recipe_section(record: dict, images: list[str]) -> list[str]:
    notes = record["notes"]
    if not record["figures"] and not record["tables"] and not notes:
        return []
    lines = [f"## {record['recipe']}", ""] + [f"- {escape(note)}" for note in notes] + ([""] if notes else [])
    for plot in record["plots"]:
        if f"{record['recipe']}_{plot}.png" in images and not plot.startswith("learning_curves"):
            lines += [f"![{plot}]({record['recipe']}_{plot}.png)", ""]
    if record["figures"]:
        lines += table(["Figure", "Value"], [[k, number(v)] for k, v in record["figures"].items()]) + [""]
    for name, rows in record["tables"].items():
        if rows:
            columns = list(rows[0])
            lines += [f"### {name.replace('_', ' ')}", ""]
            lines += table(columns, [[number(row.get(c)) for c in columns] for row in rows]) + [""]
    return lines


def table(header, rows) -> list[str]:
    cells = lambda values: "| " + " | ".join(escape(v) for v in values) + " |"
    return [cells(header), "|" + "|".join("---" for _ in header) + "|"] + [cells(row) for row in rows]


def escape(value) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def pct(value: float) -> str:
    return f"{value * 100:.1f}"


def number(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "" if value is None else str(value)


def compact(count: int) -> str:
    for unit, size in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if count >= size:
            return f"{count / size:.1f}{unit}"
    return str(count)
