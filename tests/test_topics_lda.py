import numpy as np
import pytest

from lab.evaluation import clustering

from lab.data import text

from lab.topics import lda as topics_lda
from lab.data import load


def test_topic_diversity_hand_computed():
    topics = [["a", "b", "c"], ["a", "d", "e"]]  # 5 unique words among 2 * 3
    assert topics_lda.topic_diversity(topics, topn=3) == pytest.approx(5 / 6)
    assert topics_lda.topic_diversity([["a", "b"], ["c", "d"]], topn=2) == 1.0


@pytest.fixture(scope="module")
def tiny():
    data = load("tests/assets/tiny.csv")
    splits = ("train", "validation", "test")
    tokens = {name: text.preprocess(data.texts(name)) for name in splits}
    dictionary = text.build_dictionary(tokens["train"], no_below=2, no_above=1.0)
    train = [dictionary.doc2bow(doc) for doc in tokens["train"]]
    # Variational LDA has local optima on so small a corpus: keep the best training bound of a few seeds,
    # as the recipe does with lda_restarts.
    models = [topics_lda.train_lda(train, dictionary, 2, passes=30, iterations=100, chunksize=4, alpha="auto",
                                   eta="auto", seed=seed) for seed in (42, 43, 44, 45)]
    lda = max(models, key=lambda model: model.bound(train))
    everything = [dictionary.doc2bow(doc) for name in splits for doc in tokens[name]]
    labels = np.concatenate([data.labels(name) for name in splits])
    return lda, dictionary, tokens, everything, labels


def test_lda_separates_sport_from_cooking(tiny):
    lda, _, _, everything, labels = tiny
    theta = topics_lda.doc_topics(lda, everything)
    np.testing.assert_allclose(theta.sum(axis=1), 1.0, rtol=1e-6)
    assert clustering.cluster_scores(labels, theta.argmax(axis=1))["nmi"] >= 0.9


def test_perplexity_is_two_to_the_minus_bound(tiny):
    lda, dictionary, tokens, _, _ = tiny
    test = [dictionary.doc2bow(doc) for doc in tokens["test"]]
    assert topics_lda.perplexity(lda, test) == pytest.approx(2 ** -lda.log_perplexity(test))
    assert 1 < topics_lda.perplexity(lda, test) < len(dictionary) * 2


def test_coherence_is_per_topic_and_npmi_is_bounded(tiny):
    lda, dictionary, tokens, _, _ = tiny
    mean, per_topic = topics_lda.coherence(lda, tokens["train"], dictionary, "c_npmi", topn=5)
    assert len(per_topic) == 2 and -1 <= min(per_topic) <= max(per_topic) <= 1
    assert mean == pytest.approx(np.mean(per_topic))


def test_topic_label_table_counts_documents():
    rows = topics_lda.topic_label_table(np.array([0, 0, 1, 1, 1]), np.array([0, 1, 1, 1, 0]), ["cooking", "sport"],
                                        2, [["oven"], ["goal"]])
    assert rows == [{"topic": 0, "top_words": "oven", "cooking": 1, "sport": 1},
                    {"topic": 1, "top_words": "goal", "cooking": 1, "sport": 2}]
