"""Each recipe's section of the page, built from its record's figures, tables and plots through the names table.

A section is a list of steps; each figure, table and plot goes to the step its line in lab/report/names.py names,
and a key with no line goes to the last step ("Other figures") under its raw name. The topics section follows the
method in order: choosing K, the word clusters, the document clusters scored against the labels, the LDA topics,
the embedding topics, and the coherence of all of them. A new step is one line in SECTIONS. Steps with nothing in them are left out, so a recipe that records none of a step's keys shows
no empty heading.
"""

from __future__ import annotations

from lab.report import names

OTHER = ("other", "Other figures")
SECTIONS = {
    "topics": (
        ("elbow", "Choosing K: the elbow"),
        ("words", "Word clusters"),
        ("documents", "Document clusters scored against the labels"),
        ("lda", "LDA topics"),
        ("embedding", "Embedding topics"),
        ("coherence", "Topic coherence"),
        OTHER,
    ),
}
DEFAULT_SECTION = (("cost", "Where the training time went"), OTHER)
RECIPE_TITLES = {"topics": "Topics: clusters and topic models", "classical": "Classical: TF-IDF and linear models",
                 "bow_ffn": "Bag of words, feed-forward network", "lstm": "LSTM", "transformer": "Transformer"}


def recipe_sections(record: dict, images: dict) -> list[dict]:
    """A level-2 section for the recipe (its notes), then a level-3 section per step that has something to show."""
    steps = SECTIONS.get(record["recipe"], DEFAULT_SECTION)
    fallback = steps[-1][0]
    content = {step: {"figures": [], "images": [], "tables": []} for step, _ in steps}
    content[names.SWEEP] = {"figures": [], "images": [], "tables": []}
    for row in figure_rows(record, fallback):
        content[row.pop("step")]["figures"].append(row)
    for plot in record["plots"]:
        name = names.lookup(names.PLOTS, plot, fallback)
        source = f"{record['recipe']}_{plot}.png"
        if source in images and not plot.startswith("learning_curves"):
            content[name.step]["images"].append({"title": name.label, "src": source})
    for table_name, rows in record["tables"].items():
        name = names.lookup(names.TABLES, table_name, fallback)
        if rows:
            content[name.step]["tables"].append(shown_table(name.label if name.label != table_name
                                                            else table_name.replace("_", " "), rows))
    sections = [section(RECIPE_TITLES.get(record["recipe"], record["recipe"]), 2, notes=list(record["notes"]))]
    shown = [(step, title) for step, title in steps if any(content[step].values())]
    numbered = record["recipe"] in SECTIONS  # the steps of a method, numbered as they are shown
    sections += [section(f"{i}. {title}" if numbered and step != OTHER[0] else title, 3, **content[step])
                 for i, (step, title) in enumerate(shown, 1)]
    return sections if len(sections) > 1 or record["notes"] else []


def figure_rows(record: dict, fallback: str) -> list[dict]:
    """[{step, name, value}] for every figure but those shown as another's ± spread."""
    figures = record["figures"]
    named = {key: names.lookup(names.FIGURES, key, fallback) for key in figures}
    spreads = {name.spread for name in named.values() if name.spread in figures}
    rows = []
    for key, value in sorted(figures.items(), key=lambda item: names.rank(names.FIGURES, item[0])):
        if key in spreads:
            continue
        name = named[key]
        text = "" if value is None else format(value, name.digits) if isinstance(value, (int, float)) else str(value)
        if name.spread in figures:
            text += f" ± {format(figures[name.spread], name.digits)}"
        rows.append({"step": name.step, "name": name.label + best_of(name, record["tables"]), "value": text,
                     "key": key})
    return rows


def best_of(name: names.Name, tables: dict) -> str:
    """', best representation: LSA' from the row of the named table with the highest score."""
    if not name.best_of or not tables.get(name.best_of[0]):
        return ""
    table, score, label = name.best_of
    best = max(tables[table], key=lambda row: row[score])
    return f", best {label}: {names.term(best[label])}"


def shown_table(title: str, rows: list[dict]) -> dict:
    columns = list(rows[0])
    return {"title": title, "columns": [names.column_header(c) for c in columns],
            "rows": [[shown_value(row.get(c)) for c in columns] for row in rows]}


def shown_value(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "" if value is None else names.term(value)


def section(title: str, level: int, text=(), notes=(), figures=(), images=(), tables=()) -> dict:
    """The one shape every part of the page has; the templates render any of them the same way."""
    return {"title": title, "level": level, "text": list(text), "notes": list(notes), "figures": list(figures),
            "images": list(images), "tables": list(tables)}
