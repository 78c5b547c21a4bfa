"""Which figures a report holds, by file name: drawn by lab/report/plots.py from the report's rows and runs, or
copied from the run folders."""

from __future__ import annotations

from pathlib import Path

from lab.report import by_task
from lab.report import resampled


def draw_images(report: dict, headline) -> dict[str, bytes]:
    from lab.report import plots
    models = [m for r in report["runs"] for m in r["models"]]
    images = {}
    folds = report["resampling"]
    if folds:
        images["fold_scores.png"] = plots.fold_scores(folds["per_fold"], short_name(headline.header))
    if report["rows"]:
        shown = [row for row in report["rows"] if row["recipe"] != by_task.FLOOR_RECIPE]  # the floor has no cost
        shown = resampled.sd_bars(shown, headline.key) if folds else shown
        images["cost_quality.png"] = plots.cost_quality(shown, headline.key, headline.header)
    with_matrix = [m for m in models if m.get("confusion_matrix")]  # single-label only
    if with_matrix:
        images["confusion_matrices.png"] = plots.confusion_matrices(with_matrix, report["dataset"]["label_names"])
    if report["scatter"]:
        images["predicted_vs_true.png"] = plots.predicted_vs_true(*report["scatter"])
    trained = [m for m in models if m.get("history")]
    if trained:
        images["learning_curves.png"] = plots.learning_curves(trained, *by_task.CURVES[report["task"]])
    if report["efficiency"]:
        images["data_efficiency.png"] = plots.data_efficiency(report["efficiency"], short_name(headline.header),
                                                              report["efficiency_sd"])
    return {**images, **run_plots(report["runs"])}


def run_plots(runs: list[dict]) -> dict[str, bytes]:
    """The recipes' own plots, as <recipe>_<plot>.png."""
    images = {}
    for record in runs:
        for plot in record["plots"]:
            source = Path(record["path"]) / f"{plot}.png"
            if plot.startswith("learning_curves"):
                continue  # drawn once for every model together in learning_curves.png
            if source.is_file():
                images[f"{record['recipe']}_{plot}.png"] = source.read_bytes()
    return images


def short_name(header: str) -> str:
    """'Macro-F1 % (95% CI)' -> 'Macro-F1'."""
    return header.split(" (")[0].removesuffix(" %")
