"""Clustering against known labels: scores, K sweeps with distortion and silhouette, and elbow selection."""

from __future__ import annotations

import numpy as np

METRICS = ("nmi", "ari", "v_measure", "purity")


def purity(labels_true, labels_pred) -> float:
    """Share of items that carry their cluster's majority label: sum over clusters of the largest label count, / n."""
    labels_true = np.asarray(labels_true)
    labels_pred = np.asarray(labels_pred)
    if labels_true.shape != labels_pred.shape or labels_true.size == 0:
        raise ValueError("purity needs two non-empty label arrays of the same length")
    _, true_ids = np.unique(labels_true, return_inverse=True)
    _, pred_ids = np.unique(labels_pred, return_inverse=True)
    table = np.zeros((pred_ids.max() + 1, true_ids.max() + 1), dtype=np.int64)
    np.add.at(table, (pred_ids, true_ids), 1)
    return float(table.max(axis=1).sum() / labels_true.size)


def cluster_scores(labels_true, labels_pred) -> dict[str, float]:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score, v_measure_score

    return {
        "nmi": float(normalized_mutual_info_score(labels_true, labels_pred)),
        "ari": float(adjusted_rand_score(labels_true, labels_pred)),
        "v_measure": float(v_measure_score(labels_true, labels_pred)),
        "purity": purity(labels_true, labels_pred),
    }


def kmeans(points: np.ndarray, k: int, seed: int, n_init: int = 10):
    import warnings

    from sklearn.cluster import KMeans
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        # Duplicate documents (common in small corpora) leave fewer distinct clusters than K: sweep() copes.
        warnings.simplefilter("ignore", ConvergenceWarning)
        return KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(points)


def seeded_scores(points: np.ndarray, labels: np.ndarray, k: int, seeds: list[int]) -> dict[str, float]:
    """K-means once per seed; each metric as mean and (population) sd over the seeds."""
    runs = [cluster_scores(labels, kmeans(points, k, seed).labels_) for seed in seeds]
    summary: dict[str, float] = {}
    for metric in METRICS:
        values = np.array([run[metric] for run in runs])
        summary[f"{metric}_mean"] = float(values.mean())
        summary[f"{metric}_sd"] = float(values.std())
    return summary


def sweep(points: np.ndarray, ks: list[int], seed: int, n_init: int = 3, silhouette_sample: int = 2000) -> list[dict]:
    """Distortion (K-means inertia) and silhouette at each K. Silhouette is sampled: it costs O(n^2)."""
    from sklearn.metrics import silhouette_score

    rows = []
    for k in ks:
        model = kmeans(points, k, seed, n_init)
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
