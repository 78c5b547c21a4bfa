"""K-means for the topics rung: K sweeps with distortion and silhouette, elbow selection, seeded scores against labels."""

from __future__ import annotations

import numpy as np

from lab.evaluation.clustering import METRICS, cluster_scores


def fit_kmeans(points: np.ndarray, k: int, seed: int, n_init: int = 10, weights: np.ndarray | None = None):
    import warnings

    from sklearn.cluster import KMeans
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        # Duplicate documents (common in small corpora) leave fewer distinct clusters than K: sweep() copes.
        warnings.simplefilter("ignore", ConvergenceWarning)
        return KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(points, sample_weight=weights)


def seeded_scores(points: np.ndarray, labels: np.ndarray, k: int, seeds: list[int]) -> dict[str, float]:
    """K-means once per seed; each metric as mean and (population) sd over the seeds."""
    runs = [cluster_scores(labels, fit_kmeans(points, k, seed).labels_) for seed in seeds]
    summary: dict[str, float] = {}
    for metric in METRICS:
        values = np.array([run[metric] for run in runs])
        summary[f"{metric}_mean"] = float(values.mean())
        summary[f"{metric}_sd"] = float(values.std())
    return summary


def sweep(points: np.ndarray, ks: list[int], seed: int, n_init: int = 3, silhouette_sample: int = 2000,
          weights: np.ndarray | None = None, bar=None) -> list[dict]:
    """Distortion (K-means inertia, weighted if weights are given) and silhouette at each K. Silhouette is sampled:
    it costs O(n^2). bar, if given, wraps the list of Ks (a progress bar)."""
    from sklearn.metrics import silhouette_score

    rows = []
    for k in (bar(ks) if bar else ks):
        model = fit_kmeans(points, k, seed, n_init, weights)
        if len(np.unique(model.labels_)) < 2:
            silhouette = float("nan")  # duplicate points can leave fewer distinct clusters than asked for
        else:
            sample = min(silhouette_sample, points.shape[0])
            silhouette = float(silhouette_score(points, model.labels_, sample_size=sample, random_state=seed))
        rows.append({"k": k, "distortion": float(model.inertia_), "silhouette": silhouette})
    return rows


def elbow(ks: list[int], distortions: list[float]) -> int:
    """The knee of a decreasing, convex distortion curve (kneed); the point farthest below the chord if kneed finds none."""
    from kneed import KneeLocator

    if len(ks) < 3:
        return ks[0]
    knee = KneeLocator(ks, distortions, curve="convex", direction="decreasing").knee
    if knee is not None:
        return int(knee)
    x = (np.asarray(ks, float) - ks[0]) / (ks[-1] - ks[0])
    span = distortions[0] - distortions[-1]
    y = (np.asarray(distortions, float) - distortions[-1]) / span if span else np.zeros(len(ks))
    return int(ks[int(np.argmax((1 - x) - y))])


def k_range(k_min: int, k_max: int, n_points: int, what: str) -> tuple[list[int], str | None]:
    """Clamp K to 2..n_points-1 (silhouette needs at least one cluster with two items); say so when clamped."""
    from lab.errors import LabError

    if n_points < 3:
        raise LabError(f"only {n_points} {what} to cluster, at least 3 are needed; use a larger dataset")
    if k_min > k_max:
        raise LabError(f"k_min={k_min} is above k_max={k_max}; give k_min <= k_max")
    low, high = max(2, k_min), min(k_max, n_points - 1)
    low = min(low, high)
    note = None
    if (low, high) != (k_min, k_max):
        note = f"K range {k_min}..{k_max} clamped to {low}..{high} for {n_points} {what}"
    return list(range(low, high + 1)), note
