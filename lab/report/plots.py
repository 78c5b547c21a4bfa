"""The report's figures, drawn from run records so every model is drawn the same way. Returns PNG bytes."""

from __future__ import annotations

import io

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
from matplotlib.text import Text  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

FAMILY_MARKERS = {"classical": "o", "neural": "s", "transformer": "^"}
# Beyond this many classes a confusion matrix's cells are too small to read a count in, and drawing one text per
# cell was 22 of the report's 27 s for six 35-class matrices (benchmarks/README.md, scaling.py): colour only then.
COUNTS_UP_TO = 15


def png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def confusion_matrices(models: list[dict], label_names: list[str]) -> bytes:
    columns = min(3, len(models))
    rows = -(-len(models) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.8 * rows), squeeze=False)
    for axis in axes.flat[len(models):]:
        axis.axis("off")
    for axis, model in zip(axes.flat, models):
        matrix = model["confusion_matrix"]
        image = axis.imshow(matrix, cmap="Blues")
        if len(matrix) > COUNTS_UP_TO:
            figure.colorbar(image, ax=axis, fraction=0.046, pad=0.04)
        else:
            for i, row in enumerate(matrix):
                for j, count in enumerate(row):
                    axis.text(j, i, str(count), ha="center", va="center", fontsize=8,
                              color="white" if count > max(map(max, matrix)) / 2 else "black")
        axis.set_title(model["name"], fontsize=10)
        axis.set_xticks(range(len(label_names)), label_names, rotation=45, ha="right", fontsize=7)
        axis.set_yticks(range(len(label_names)), label_names, fontsize=7)
        axis.set_xlabel("predicted", fontsize=8)
        axis.set_ylabel("true", fontsize=8)
    figure.tight_layout()
    return png(figure)


def learning_curves(models: list[dict], key: str = "val_macro_f1", metric: str = "macro-F1",
                    loss: str = "cross-entropy") -> bytes:
    """Train and validation loss, and the validation metric the task's history records under `key`."""
    figure, (loss_axis, metric_axis) = plt.subplots(1, 2, figsize=(10, 3.8))
    for model in models:
        epochs = [h["epoch"] for h in model["history"]]
        line, = loss_axis.plot(epochs, [h["train_loss"] for h in model["history"]], label=f"{model['name']} train")
        loss_axis.plot(epochs, [h["val_loss"] for h in model["history"]], "--", color=line.get_color(),
                       label=f"{model['name']} validation")
        metric_axis.plot(epochs, [h.get(key) for h in model["history"]], marker=".", label=model["name"])
    loss_axis.set(xlabel="epoch", ylabel=loss, title="loss")
    metric_axis.set(xlabel="epoch", ylabel=metric, title=f"validation {metric}")
    loss_axis.legend(fontsize=7)
    metric_axis.legend(fontsize=7)
    figure.tight_layout()
    return png(figure)


def predicted_vs_true(truth, predicted: dict[tuple, object]) -> bytes:
    """Regression: one panel per model, each prediction against its true value, with the line of perfect ones."""
    columns = min(3, len(predicted))
    rows = -(-len(predicted) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(4 * columns, 3.8 * rows), squeeze=False)
    for axis in axes.flat[len(predicted):]:
        axis.axis("off")
    every = np.concatenate([truth, *predicted.values()])
    low, high = every.min(), every.max()
    for axis, ((recipe, model), values) in zip(axes.flat, predicted.items()):
        axis.scatter(truth, values, s=10, alpha=0.6)
        axis.plot([low, high], [low, high], color="0.5", lw=0.8)
        axis.set(xlabel="true", ylabel="predicted", title=f"{recipe}/{model}")
    figure.tight_layout()
    return png(figure)


def cost_quality(rows: list[dict], key: str = "macro_f1", header: str = "Macro-F1 % (95% CI)") -> bytes:
    return png(cost_quality_figure(rows, key, header))


def cost_quality_figure(rows: list[dict], key: str, header: str):
    """Training time against the headline metric, each model's 95% CI as an error bar, labels that never overlap
    one another or any model's bar."""
    figure, axis = plt.subplots(figsize=(6.5, 4.2))
    points = []
    for row in rows:
        seconds = max(row["train_seconds"], 1e-3)  # a log axis cannot show 0
        value, low, high = (row.get(k) for k in (key, f"{key}_ci_low", f"{key}_ci_high"))
        low, high = (value, value) if low is None or high is None else (low, high)
        axis.errorbar(seconds, value, yerr=[[value - low], [high - value]], fmt=FAMILY_MARKERS.get(row["family"], "o"),
                      markersize=6, capsize=3, elinewidth=1)
        points.append((seconds, value, low, high, row["model"]))
    axis.set_xscale("log")
    axis.set(xlabel="training wall time, seconds (log scale)", ylabel=header.replace(" % (95% CI)", ""),
             title="cost versus quality (marker: o classical, s neural, ^ transformer)")
    axis.grid(alpha=0.3)
    place_labels(figure, axis, points)
    return figure


# Where a label may sit relative to its point, in points, tried in this order: right, left, then a line higher or
# lower each time, nearest first.
OFFSETS = [(dx, dy) for dy in (2, -10, 14, -22, 26, -34, 38, -46, 50, -58) for dx in (6, -6)]


def bar_boxes(figure, axis, points) -> list[Bbox]:
    """Each model's marker and error bar, caps included, in display pixels: places no label may cover."""
    half = 4 * figure.dpi / 72  # the caps reach 3 points either side, the marker 3; one more to breathe
    boxes = []
    for x, _, low, high, _ in points:
        (px, bottom), (_, top) = axis.transData.transform([(x, low), (x, high)])
        boxes.append(Bbox.from_extents(px - half, bottom - half, px + half, top + half))
    return boxes


def text_box(label, renderer) -> Bbox:
    """The label's text in display pixels, without its leader line (Annotation's own extent includes the line)."""
    label.update_positions(renderer)  # an offset label finds its place on the figure only here
    return Text.get_window_extent(label, renderer)


def within(box: Bbox, frame: Bbox) -> bool:
    return frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1


def place_labels(figure, axis, points: list[tuple]) -> list:
    """Each label at the first offset whose box covers no bar and no label placed before it; deterministic, and a
    label that finds no free offset is pushed down until it is free, so labels never overlap."""
    figure.canvas.draw()  # settles the axis limits (autoscaling is lazy), so data maps to its final pixels
    renderer = figure.canvas.get_renderer()
    placed, labels = bar_boxes(figure, axis, points), []
    for x, y, _, _, name in sorted(points, key=lambda p: (-p[1], p[0], p[4])):
        label = axis.annotate(name, (x, y), textcoords="offset points", fontsize=8, xytext=OFFSETS[0],
                              arrowprops={"arrowstyle": "-", "color": "0.6", "lw": 0.5})
        for dx, dy in OFFSETS + [(6, -70 - 12 * step) for step in range(200)]:
            label.set_position((dx, dy))
            label.set_horizontalalignment("left" if dx >= 0 else "right")
            box = text_box(label, renderer).expanded(1.05, 1.1)
            inside = (dx, dy) not in OFFSETS or within(box, axis.bbox)  # off the axes only as a last resort
            if inside and not any(box.overlaps(other) for other in placed):
                break
        placed.append(box)
        labels.append(label)
    return labels


def data_efficiency(curves: dict[str, list[tuple[int, float]]], metric: str = "macro-F1",
                    spreads: dict[str, list[tuple[int, float]]] | None = None) -> bytes:
    return png(data_efficiency_figure(curves, metric, spreads or {}))


def data_efficiency_figure(curves: dict, metric: str, spreads: dict):
    """One line per model; where its points are means over folds (spreads: model -> [(size, sd)]), a band of ±1 sd."""
    figure, axis = plt.subplots(figsize=(6.5, 4.2))
    for model, points in curves.items():
        sizes, scores = zip(*sorted(points))
        line, = axis.plot(sizes, scores, marker="o", label=model)
        if model in spreads:
            sd = np.array([dict(spreads[model]).get(size, 0.0) for size in sizes])
            axis.fill_between(sizes, np.array(scores) - sd, np.array(scores) + sd, color=line.get_color(), alpha=0.2,
                              linewidth=0)
    axis.set_xscale("log")
    band = "; bands: ±1 sd over the folds" if spreads else ""
    axis.set(xlabel="training examples (log scale)", ylabel=f"test {metric}", title=f"data efficiency{band}")
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8)
    return figure


def fold_scores(per_fold: dict[str, list[float]], metric: str = "macro-F1") -> bytes:
    return png(fold_scores_figure(per_fold, metric))


def fold_scores_figure(per_fold: dict[str, list[float]], metric: str):
    """A strip plot: one column per model, its per-fold scores as dots jittered sideways, its mean as a bar."""
    figure, axis = plt.subplots(figsize=(max(4.0, 1.1 * len(per_fold) + 1.5), 4.2))
    jitter = np.random.default_rng(0)  # the same page every time
    for column, (model, scores) in enumerate(per_fold.items()):
        offsets = jitter.uniform(-0.15, 0.15, len(scores))
        axis.scatter(column + offsets, scores, s=18, alpha=0.7, zorder=2)
        axis.hlines(np.mean(scores), column - 0.3, column + 0.3, color="black", linewidth=2, zorder=3)
    axis.set_xticks(range(len(per_fold)), list(per_fold), rotation=30, ha="right", fontsize=8)
    axis.set_xlim(-0.6, len(per_fold) - 0.4)
    axis.set(ylabel=f"test {metric}", title=f"{metric} per fold (bar: the mean)")
    axis.grid(alpha=0.3, axis="y")
    return figure
