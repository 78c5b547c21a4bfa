"""Clusters scored against known labels: NMI, ARI, V-measure and purity."""

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
