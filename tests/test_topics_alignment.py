"""The topics recipe scored against each task's labels: hand-built cases, then the recipe on the task fixtures."""

import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest

import recipes.topics as topics
from lab.config import build, read_variant
from lab.data import load
from lab.evaluation import clustering
from lab.topics import alignment


def view(dominant, tops=3, n_test=None, train_dominant=(), scores=None, train_scores=None):
    dominant = np.asarray(dominant)
    return alignment.TopicView("lda", "lda_topic_label", [[f"w{t}a", f"w{t}b"] for t in range(tops)], dominant,
                               n_test or len(dominant), lambda: np.asarray(train_dominant), scores, train_scores)


def test_best_separating_topic_by_hand():
    # label 0 is carried by documents 0 and 1: topic 1's scores rank them above the rest (AUC 1), topic 0 inverts
    # them (AUC 0)
    scores = np.array([[0.1, 0.9], [0.2, 0.8], [0.7, 0.3], [0.6, 0.4]])
    labels = np.array([[1, 0], [1, 1], [0, 1], [0, 0]])
    best = clustering.best_separating_topics(scores, labels)
    assert best[0] == (1, 1.0)
    # label 1, topic 0: positives 0.2, 0.7 vs negatives 0.1, 0.6 -> pairs won 0.2>0.1, 0.7>0.1, 0.7>0.6: 3/4
    # topic 1: positives 0.8, 0.3 vs negatives 0.9, 0.4 -> 0.8>0.4 only: 1/4
    assert best[1] == (0, 0.75)
    assert clustering.best_separating_topics(scores, np.ones((4, 1)))[0][0] == -1  # no negatives: no AUC


def test_best_separating_topics_agree_with_roc_auc_score_ties_included():
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    scores = rng.integers(0, 5, size=(60, 7)) / 4  # few distinct values: many tied scores
    labels = (rng.random((60, 9)) < [0.05, 0.1, 0.3, 0.5, 0.7, 0.9, 0.2, 0.4, 0.6]).astype(np.float32)
    best = clustering.best_separating_topics(scores, labels)
    assert sum(topic == -1 for topic, _ in best) == sum(column.min() == column.max() for column in labels.T) == 1
    for column, (topic, auc) in zip(labels.T, best):
        if column.min() == column.max():
            continue
        expected = [roc_auc_score(column, scores[:, t]) for t in range(7)]
        assert topic == int(np.argmax(expected)) and auc == pytest.approx(max(expected), abs=1e-12)


def test_r2_by_hand():
    # targets 1, 2, 3 (mean 2, SS_tot 2); predictions 1, 2, 2 leave SS_res 1: R² = 1 - 1/2
    assert clustering.r2([1, 2, 3], [1, 2, 2]) == pytest.approx(0.5)
    assert np.isnan(clustering.r2([2, 2], [1, 3]))


def test_multi_label_counts_documents_per_dominant_topic_and_label():
    labels = np.array([[1, 0], [1, 1], [0, 1], [0, 0]], dtype=np.float32)
    data = SimpleNamespace(task="multi_label", label_names=["sport", "music"])
    figures, tables = alignment.score(view([0, 0, 1, 2]), labels, data)
    table = tables["lda_topic_label"]
    assert [(row["documents"], row["sport"], row["music"]) for row in table] == [(2, 2, 1), (1, 0, 1), (1, 0, 0)]
    separation = {row["label"]: row for row in tables["lda_topic_label_separation"]}
    # one-hot scores: topic 0 holds both sport documents and nothing else: AUC 1
    assert (separation["sport"]["topic"], separation["sport"]["roc_auc"]) == (0, 1.0)
    assert separation["sport"]["documents"] == 2 and separation["sport"]["top_words"] == "w0a w0b"
    # music (documents 1, 2 against 0, 3), pairs won (ties 1/2): topic 0 scores 1, 0 vs 1, 0 -> (0.5 + 1 + 0 + 0.5)/4
    # = 0.5; topic 1 scores 0, 1 vs 0, 0 -> (0.5 + 0.5 + 1 + 1)/4 = 0.75; topic 2 scores 0, 0 vs 1, 0 -> 0.25
    assert (separation["music"]["topic"], separation["music"]["roc_auc"]) == (1, 0.75)
    assert figures["lda_auc_mean"] == pytest.approx(0.875)


def test_regression_mean_target_and_one_hot_r2_by_hand():
    # train: topics 0, 0, 1 with targets 1, 3, 5 -> the one-hot fit predicts 2 for topic 0 and 5 for topic 1
    # test: topics 0, 1 with targets 2, 4 -> predictions 2, 5: SS_res 1, SS_tot 2, R² 0.5
    targets = {"train": np.array([1.0, 3.0, 5.0]), "test": np.array([2.0, 4.0])}
    data = SimpleNamespace(task="regression", label_names=[], labels=targets.__getitem__)
    figures, tables = alignment.score(view([0, 1], tops=2, train_dominant=[0, 0, 1]), targets["test"], data)
    assert figures["lda_r2"] == pytest.approx(0.5)
    assert [(row["documents"], row["mean_target"]) for row in tables["lda_topic_label_target"]] == [(1, 2.0),
                                                                                                     (1, 4.0)]


def test_regression_fit_uses_the_topic_scores_when_given():
    from sklearn.linear_model import LinearRegression
    rng = np.random.default_rng(0)
    train, test = rng.dirichlet(np.ones(3), 12), rng.dirichlet(np.ones(3), 5)
    targets = {"train": rng.normal(size=12), "test": rng.normal(size=5)}
    data = SimpleNamespace(task="regression", label_names=[], labels=targets.__getitem__)
    topic_view = view(test.argmax(axis=1), scores=test, train_scores=lambda: train)
    figures, _ = alignment.score(topic_view, targets["test"], data)
    expected = LinearRegression().fit(train, targets["train"]).score(test, targets["test"])
    assert figures["lda_r2"] == pytest.approx(expected)


def tiny_run(path: str, **spec):
    cfg = dataclasses.replace(build(topics.Config, read_variant("topics", "tiny"), {}), progress=False)
    data = load(path, **spec)
    return data, topics.run(cfg, data)


@pytest.fixture(scope="module")
def regression_run():
    return tiny_run("tests/assets/learnable_regression.csv", label_column="score")


@pytest.fixture(scope="module")
def multi_label_run():
    return tiny_run("tests/assets/learnable_multilabel.csv", label_sep=";")


def scored_labels(data):
    # the tiny config scores every split (doc_split=all), in this order
    return np.concatenate([data.labels(name) for name in ("train", "validation", "test")])


def test_regression_run_reports_mean_targets_and_r2(regression_run):
    data, result = regression_run
    assert data.task == "regression"
    targets = scored_labels(data)
    for prefix, table in (("lda", "lda_topic_label_target"), ("embedding_topics", "embedding_topic_label_target")):
        rows = result.tables[table]
        # every scored document has one dominant topic: the topics' documents and mean targets add up to the whole
        assert sum(row["documents"] for row in rows) == len(targets)
        total = sum(row["documents"] * row["mean_target"] for row in rows if row["documents"])
        assert total == pytest.approx(targets.sum())
        assert np.isfinite(result.figures[f"{prefix}_r2"]) and result.figures[f"{prefix}_r2"] <= 1
    assert "word_cluster_r2" in result.figures
    assert "doc_cluster_scores" not in result.tables and "lda_topic_label" not in result.tables


def test_multi_label_run_reports_topic_label_counts_and_separation(multi_label_run):
    data, result = multi_label_run
    assert data.task == "multi_label"
    labels = scored_labels(data)
    for table in ("lda_topic_label", "embedding_topic_label"):
        rows = result.tables[table]
        for index, name in enumerate(data.label_names):
            assert sum(row[name] for row in rows) == labels[:, index].sum()
        separation = result.tables[f"{table}_separation"]
        assert [row["label"] for row in separation] == data.label_names
        assert all(0 <= row["roc_auc"] <= 1 for row in separation)
    assert "word_cluster_label_separation" in result.tables
    assert "lda_nmi" not in result.figures
