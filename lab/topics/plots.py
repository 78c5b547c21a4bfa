"""Figures for the topics recipe. They are returned, never written: the runner saves each as <name>.png."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")  # no display on a server; must precede pyplot
import matplotlib.pyplot as plt  # noqa: E402


def elbow_figure(sweeps: dict[str, list[dict]], chosen: dict[str, int]):
    """One panel per clustering: distortion (left axis) and silhouette (right axis) against K, chosen K marked."""
    figure, axes = plt.subplots(1, len(sweeps), figsize=(4.5 * len(sweeps), 3.6), squeeze=False)
    for axis, (name, rows) in zip(axes[0], sweeps.items()):
        ks = [row["k"] for row in rows]
        axis.plot(ks, [row["distortion"] for row in rows], "o-", color="tab:blue", label="distortion")
        axis.set_xlabel("K")
        axis.set_ylabel("distortion", color="tab:blue")
        twin = axis.twinx()
        twin.plot(ks, [row["silhouette"] for row in rows], "s--", color="tab:orange", label="silhouette")
        twin.set_ylabel("silhouette", color="tab:orange")
        if name in chosen:
            axis.axvline(chosen[name], color="grey", linestyle=":", label=f"K={chosen[name]}")
        axis.set_title(name)
    figure.tight_layout()
    return figure


def coherence_figure(rows: list[dict], chosen_k: int):
    """NPMI (and u_mass on its own axis, since its scale differs) against the number of LDA topics."""
    figure, axis = plt.subplots(figsize=(5, 3.6))
    ks = [row["k"] for row in rows]
    axis.plot(ks, [row["npmi"] for row in rows], "o-", color="tab:green")
    axis.set_xlabel("number of topics K")
    axis.set_ylabel("NPMI", color="tab:green")
    twin = axis.twinx()
    twin.plot(ks, [row["u_mass"] for row in rows], "s--", color="tab:purple")
    twin.set_ylabel("u_mass", color="tab:purple")
    axis.axvline(chosen_k, color="grey", linestyle=":")
    axis.set_title("LDA coherence against K")
    figure.tight_layout()
    return figure


def top_words_figure(topics: list[list[tuple[str, float]]], count: int = 10):
    """A horizontal bar chart of P(word | topic) for each topic's top words, one panel per topic."""
    columns = min(len(topics), 5)
    rows = math.ceil(len(topics) / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(3.2 * columns, 3.0 * rows), squeeze=False)
    for index, axis in enumerate(axes.flat):
        if index >= len(topics):
            axis.axis("off")
            continue
        words = topics[index][:count][::-1]  # largest at the top
        axis.barh([word for word, _ in words], [weight for _, weight in words], color="tab:blue")
        axis.set_title(f"topic {index}")
        axis.tick_params(axis="y", labelsize=8)
        axis.set_xlabel("P(word | topic)", fontsize=8)
    figure.tight_layout()
    return figure
