"""The report model rendered: HTML and Markdown through the Jinja2 templates in templates/, CSV and JSON from the
model's raw parts, and the compact table a terminal shows at the end of a run."""

from __future__ import annotations

import base64
import csv
import io
import json
from functools import lru_cache

STYLE = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:.9em}th,td{border:1px solid #ccc;padding:.3em .6em;text-align:right}
th{background:#f2f2f2}td:first-child,td:nth-child(2),td:nth-child(3){text-align:left}img{max-width:100%}
table.figures td:last-child{font-variant-numeric:tabular-nums}.caption{font-style:italic;margin-bottom:0}
.warning{background:#fff3cd;padding:.6em;border-left:4px solid #e0a800}.failed{background:#f8d7da;padding:.6em;
border-left:4px solid #c82333}.legend{font-size:.85em;color:#555}figure{margin:1em 0}"""


@lru_cache(maxsize=None)
def environment(kind: str):
    """kind "html" escapes every value; kind "md" escapes table pipes instead (Markdown has no autoescape)."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("lab.report", "templates"), autoescape=kind == "html",
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True, trim_blocks=False)
    env.filters["md"] = markdown_escape
    return env


def markdown_escape(value) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def render_html(model: dict, images: dict[str, bytes]) -> str:
    """One self-contained page: the plots are embedded as data URIs."""
    uris = {name: "data:image/png;base64," + base64.b64encode(data).decode("ascii") for name, data in images.items()}
    return environment("html").get_template("report.html.j2").render(**model, images=uris, style=STYLE)


def render_markdown(model: dict) -> str:
    return environment("md").get_template("report.md.j2").render(**model).rstrip("\n") + "\n"


def render_csv(table: dict) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table["columns"])
    writer.writerows(["" if value is None else value for value in row] for row in table["rows"])
    return buffer.getvalue()


def render_json(model: dict) -> str:
    return json.dumps(model["data"], indent=2)


def render_files(model: dict, images: dict[str, bytes]) -> dict[str, str | bytes]:
    """Every file of the report, by name; all rendered before any is written."""
    files = {"comparison.md": render_markdown(model), "comparison.csv": render_csv(model["csv"]),
             "comparison.json": render_json(model), "comparison.html": render_html(model, images)}
    files.update({name: render_csv(table) for name, table in model["sweeps"].items()})
    return {**files, **images}


def render_summary(model: dict) -> str:
    """The headline table in a few columns, aligned for a terminal, like the table lm-eval prints after a run."""
    table = model["summary"]
    rows = [[cell["text"] + cell["after"] for cell in row] for row in table["rows"]]
    widths = [max(len(text) for text in column) for column in zip(table["columns"], *rows)]
    line = lambda values: "|" + "|".join(f" {v:<{w}} " for v, w in zip(values, widths)) + "|"
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(table["columns"]), rule] + [line(row) for row in rows])
