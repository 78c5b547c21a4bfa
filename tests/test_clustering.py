import math

import numpy as np
import pytest

from lab.evaluation import clustering
from lab.topics import kmeans
from lab.errors import LabError


def test_purity_hand_computed():
    # clusters: {a,a,b} -> majority 2, {b,b,c} -> 2, {c} -> 1: (2 + 2 + 1) / 7
    true = ["a", "a", "b", "b", "b", "c", "c"]
    pred = [0, 0, 0, 1, 1, 1, 2]
    assert clustering.purity(true, pred) == pytest.approx(5 / 7)


def test_purity_of_one_big_cluster_is_the_majority_share():
    assert clustering.purity([0, 0, 0, 1], [7, 7, 7, 7]) == pytest.approx(0.75)


def test_purity_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="two non-empty label arrays of the same length"):
        clustering.purity([0, 1], [0])


def test_scores_are_invariant_to_cluster_names_and_perfect_on_a_relabelling():
    scores = clustering.cluster_scores([0, 0, 1, 1, 2, 2], [5, 5, 3, 3, 9, 9])
    assert scores == pytest.approx({"nmi": 1.0, "ari": 1.0, "v_measure": 1.0, "purity": 1.0})


def test_scores_hand_computed_case():
    # true = [0,0,1,1], pred = [0,0,0,1]. H(true) = ln 2. H(pred) = -(3/4 ln 3/4 + 1/4 ln 1/4).
    # I = sum p(i,j) ln(p(i,j) / p(i)p(j)): cells (0,0)=1/2, (1,0)=1/4, (1,1)=1/4.
    h_true = math.log(2)
    h_pred = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))
    mutual = 0.5 * math.log(0.5 / (0.5 * 0.75)) + 0.25 * math.log(0.25 / (0.5 * 0.75)) + 0.25 * math.log(0.25 / (0.5 * 0.25))
    scores = clustering.cluster_scores([0, 0, 1, 1], [0, 0, 0, 1])
    assert scores["nmi"] == pytest.approx(2 * mutual / (h_true + h_pred))  # arithmetic-mean normalisation
    assert scores["v_measure"] == pytest.approx(scores["nmi"])  # the same quantity for beta = 1
    assert scores["purity"] == pytest.approx(0.75)
    # ARI by hand: pair counts sum C(n_ij,2) = 1, rows (true) 1 + 1 = 2, columns (pred) 3 + 0 = 3, C(4,2) = 6.
    expected = (1 - 2 * 3 / 6) / (0.5 * (2 + 3) - 2 * 3 / 6)
    assert scores["ari"] == pytest.approx(expected)


def test_elbow_finds_a_known_knee_on_synthetic_blobs():
    rng = np.random.default_rng(0)
    centres = rng.normal(scale=20.0, size=(4, 5))
    points = np.vstack([centre + rng.normal(scale=0.5, size=(50, 5)) for centre in centres])
    ks = list(range(2, 11))
    rows = kmeans.sweep(points, ks, seed=0)
    assert kmeans.elbow(ks, [row["distortion"] for row in rows]) == 4
    silhouette = {row["k"]: row["silhouette"] for row in rows}
    assert max(silhouette, key=silhouette.get) == 4


def test_elbow_on_a_piecewise_linear_curve():
    ks = list(range(1, 10))
    distortions = [100, 60, 20, 18, 16, 14, 12, 10, 8]  # drops steeply until K=3, then flattens
    assert kmeans.elbow(ks, distortions) == 3


def test_seeded_scores_report_mean_and_sd():
    points = np.array([[0.0, 0.0], [0.1, 0.0], [10.0, 10.0], [10.1, 10.0]])
    summary = kmeans.seeded_scores(points, np.array([0, 0, 1, 1]), 2, seeds=[0, 1, 2])
    assert summary["nmi_mean"] == pytest.approx(1.0) and summary["nmi_sd"] == pytest.approx(0.0)
    assert set(summary) == {f"{m}_{s}" for m in clustering.METRICS for s in ("mean", "sd")}


def test_k_range_clamps_and_says_so():
    ks, note = kmeans.k_range(2, 15, 6, "documents")
    assert ks == [2, 3, 4, 5] and "clamped to 2..5" in note
    assert kmeans.k_range(2, 5, 100, "words") == ([2, 3, 4, 5], None)
    with pytest.raises(LabError, match="at least 3"):
        kmeans.k_range(2, 15, 2, "words")


def test_weighted_kmeans_pulls_the_centre_towards_heavy_points():
    points = np.array([[0.0], [1.0], [10.0]])
    assert kmeans.fit_kmeans(points, 1, seed=0).cluster_centers_[0, 0] == pytest.approx(11 / 3)
    weighted = kmeans.fit_kmeans(points, 1, seed=0, weights=np.array([1.0, 1.0, 8.0]))
    assert weighted.cluster_centers_[0, 0] == pytest.approx((0 + 1 + 80) / 10)
    rows = kmeans.sweep(points, [1], seed=0, weights=np.array([1.0, 1.0, 8.0]))
    assert rows[0]["distortion"] == pytest.approx(8.1 ** 2 + 7.1 ** 2 + 8 * 1.9 ** 2)
