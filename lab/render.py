"""Markdown rendering of the comparison: tables a user can paste into a proposal as they are."""

from __future__ import annotations

from lab.report import SIGNIFICANCE

HEADLINE = ("Recipe", "Model", "Accuracy % (95% CI)", "Macro-F1 % (95% CI)", "vs best", "Train s",
            "Infer ex/s", "Params", "Peak MB")


def render_markdown(runs: list[dict], rows: list[dict], best: dict, warning: str | None) -> str:
    dataset = runs[0]["dataset"]
    lines = [f"# Comparison on {dataset['name']}", "", split_summary(dataset), ""]
    if warning:
        lines += [f"> **Warning:** {warning}", ""]
    lines += table(HEADLINE, [headline_cells(row, best) for row in rows])
    lines += ["", "Best value in each column in **bold**. *vs best*: exact McNemar test of each model against the "
              f"best macro-F1 model on the same test examples; *n.s.* means p ≥ {SIGNIFICANCE} (no significant "
              "difference). Train s: wall time of training; Infer ex/s: test-set inference throughput; "
              "Peak MB: peak resident memory above the start of training.", ""]
    lines += per_class_section(runs)
    for record in runs:
        lines += recipe_section(record)
    lines += ["## Runs", ""] + [f"- `{r['recipe']}`: run `{r['run_id']}` on {r['environment']['machine']} "
                                f"({r['environment']['device']}), lab git `{(r['environment']['git_sha'] or '?')[:8]}`"
                                for r in runs]
    return "\n".join(lines) + "\n"


def split_summary(dataset: dict) -> str:
    sizes = dataset["sizes"]
    return (f"Test split: {sizes['test']} examples, {len(dataset['label_names'])} classes "
            f"({', '.join(dataset['label_names'])}); train {sizes['train']}, validation {sizes['validation']}; "
            f"split fingerprint `{dataset['fingerprint']}`.")


def headline_cells(row: dict, best: dict) -> list[str]:
    def mark(column: str, text: str) -> str:
        return f"**{text}**" if best.get(column) == row[column] else text

    accuracy = mark("accuracy", pct(row["accuracy"])) + f" [{pct(row['accuracy_ci_low'])}–{pct(row['accuracy_ci_high'])}]"
    macro = mark("macro_f1", pct(row["macro_f1"])) + f" [{pct(row['macro_f1_ci_low'])}–{pct(row['macro_f1_ci_high'])}]"
    return [row["recipe"], row["model"], accuracy, macro, significance(row["p_vs_best"]),
            mark("train_seconds", f"{row['train_seconds']:.1f}"),
            mark("examples_per_second", f"{row['examples_per_second']:,.0f}"),
            mark("parameters", compact(row["parameters"])), mark("peak_memory_mb", f"{row['peak_memory_mb']:.0f}")]


def significance(p: float | None) -> str:
    if p is None:
        return "best"
    return f"p={p:.3f}" + (" n.s." if p >= SIGNIFICANCE else "")


def per_class_section(runs: list[dict]) -> list[str]:
    names = runs[0]["dataset"]["label_names"]
    rows = [[m["name"]] + [f"{m['per_class'][n]['f1'] * 100:.1f}" for n in names] for r in runs for m in r["models"]]
    if not rows:
        return []
    return ["## Per-class F1 (%)", ""] + table(["Model"] + names, rows) + [""]


def recipe_section(record: dict) -> list[str]:
    if not record["figures"] and not record["tables"]:
        return []
    lines = [f"## {record['recipe']}", ""]
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
