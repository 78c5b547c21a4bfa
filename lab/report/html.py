"""The report as one self-contained HTML page: plots embedded as data URIs, every dataset string escaped."""

from __future__ import annotations

import base64
from html import escape

from lab.report.markdown import (HARD_HEADER, HEADLINE, LEGEND, efficiency_table, hard_rows, hard_summary, headline_cells,
                        number, per_class_table, split_summary)

STYLE = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:.9em}th,td{border:1px solid #ccc;padding:.3em .6em;text-align:right}
th{background:#f2f2f2}td:first-child,td:nth-child(2),td:nth-child(3){text-align:left}img{max-width:100%}
.warning{background:#fff3cd;padding:.6em;border-left:4px solid #e0a800}.failed{background:#f8d7da;padding:.6em;
border-left:4px solid #c82333}.legend{font-size:.85em;color:#555}"""


def render_html(report: dict, images: dict[str, bytes]) -> str:
    dataset = report["dataset"]
    parts = [f"<h1>Comparison on {escape(dataset['name'])}</h1>", f"<p>{escape(split_summary(dataset))}</p>"]
    if report["warning"]:
        parts.append(f'<p class="warning">{escape(report["warning"])}</p>')
    parts += [f'<p class="failed">Recipe <code>{escape(f["recipe"])}</code> failed: {escape(f["error"])}</p>'
              for f in report["failures"]]
    cells = [[markdown_bold(cell) for cell in headline_cells(row, report["best"])] for row in report["rows"]]
    parts += [table(HEADLINE, cells, raw=True), f'<p class="legend">{markdown_bold(LEGEND)}</p>']
    parts += image("Cost versus quality", images.get("cost_quality.png"))
    parts += per_class(report)
    parts += image("Confusion matrices", images.get("confusion_matrices.png"))
    parts += image("Learning curves", images.get("learning_curves.png"))
    parts += hard_examples(report["hard"])
    parts += efficiency(report["efficiency"], images.get("data_efficiency.png"))
    for record in report["runs"]:
        parts += recipe_section(record, images)
    body = "\n".join(parts)
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>lab: "
            f"{escape(dataset['name'])}</title><style>{STYLE}</style></head><body>\n{body}\n</body></html>\n")


def markdown_bold(text: str) -> str:
    """Escape first, then turn the renderer's **x** marks into <b>x</b>: no dataset string reaches HTML raw."""
    pieces = escape(str(text)).split("**")
    return "".join(f"<b>{p}</b>" if i % 2 else p for i, p in enumerate(pieces))


def table(header, rows, raw: bool = False) -> str:
    head = "".join(f"<th>{escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c if raw else escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def image(title: str, data: bytes | None) -> list[str]:
    if data is None:
        return []
    encoded = base64.b64encode(data).decode("ascii")
    return [f"<h2>{escape(title)}</h2>", f'<img alt="{escape(title)}" src="data:image/png;base64,{encoded}">']


def hard_examples(hard: dict | None) -> list[str]:
    if not hard or not hard["count"]:
        return []
    return ["<h2>Test examples most models miss</h2>", f"<p>{escape(hard_summary(hard))}</p>",
            table(HARD_HEADER, hard_rows(hard))]


def per_class(report: dict) -> list[str]:
    header, rows = per_class_table(report["runs"])
    return ["<h2>Per-class F1 (%)</h2>", table(header, rows)] if rows else []


def efficiency(curves: dict, plot: bytes | None) -> list[str]:
    if not curves:
        return []
    return (["<h2>Data efficiency: test macro-F1 % by training examples</h2>", table(*efficiency_table(curves))]
            + image("Data efficiency", plot)[1:])


def recipe_section(record: dict, images: dict[str, bytes]) -> list[str]:
    notes = record["notes"]
    if not record["figures"] and not record["tables"] and not notes:
        return []
    parts = [f"<h2>{escape(record['recipe'])}</h2>"]
    if notes:
        parts.append("<ul>" + "".join(f"<li>{escape(note)}</li>" for note in notes) + "</ul>")
    if record["figures"]:
        parts.append(table(["Figure", "Value"], [[k, number(v)] for k, v in record["figures"].items()]))
    for name, rows in record["tables"].items():
        if rows:
            columns = list(rows[0])
            parts += [f"<h3>{escape(name.replace('_', ' '))}</h3>",
                      table(columns, [[number(row.get(c)) for c in columns] for row in rows])]
    for plot in record["plots"]:
        if not plot.startswith("learning_curves"):
            parts += image(plot.replace("_", " "), images.get(f"{record['recipe']}_{plot}.png"))
    return parts
