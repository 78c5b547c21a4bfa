import math

import numpy as np
import pytest
from gensim.corpora import Dictionary

from lab.evaluation import clustering

from lab.data import text

from lab.topics import alignment, lda as topics_lda
from lab.data import load


def npmi_of(p_ab: float, p_a: float, p_b: float) -> float:
    """NPMI's definition, with gensim's epsilon for a pair that never co-occurs."""
    return math.log((p_ab + 1e-12) / (p_a * p_b)) / -math.log(p_ab + 1e-12)


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


def test_perplexity_of_four_equally_likely_words_is_four():
    # Every document uses the words a, b, c, d equally often, so the one topic learns P(w) = 1/4 for each and
    # any text of them has perplexity 4, up to the variational bound's slack: its topic-word term is spread over
    # the words scored, small for all 4,000 here (4.01), larger for a tenth of them (4.19).
    documents = [["a", "b", "c", "d"] * 5] * 200
    dictionary = Dictionary(documents)
    bows = [dictionary.doc2bow(document) for document in documents]
    lda = topics_lda.train_lda(bows, dictionary, 1, passes=20, iterations=100, chunksize=200, alpha="symmetric",
                               eta="symmetric", seed=0)
    assert topics_lda.perplexity(lda, bows) == pytest.approx(4.0, abs=0.05)
    assert math.isnan(topics_lda.perplexity(lda, [[]]))


def test_coherence_of_a_topic_holding_every_word_is_the_hand_computed_npmi():
    # Four documents, each shorter than the 10-token window, so P(w) is the share of documents holding w.
    documents = [["a", "b"], ["a", "b"], ["a", "c"], ["c", "d"]]
    dictionary = Dictionary(documents)
    lda = topics_lda.train_lda([dictionary.doc2bow(d) for d in documents], dictionary, 1, passes=5,
                               iterations=50, chunksize=4, alpha="symmetric", eta="symmetric", seed=0)
    pairs = [npmi_of(2 / 4, 3 / 4, 2 / 4),  # a b
             npmi_of(1 / 4, 3 / 4, 2 / 4),  # a c
             npmi_of(0, 3 / 4, 1 / 4),  # a d
             npmi_of(0, 2 / 4, 2 / 4),  # b c
             npmi_of(0, 2 / 4, 1 / 4),  # b d
             npmi_of(1 / 4, 2 / 4, 1 / 4)]  # c d
    mean, per_topic = topics_lda.coherence(lda, documents, dictionary, "c_npmi", topn=4)
    assert per_topic == [pytest.approx(sum(pairs) / 6)]
    assert mean == pytest.approx(sum(pairs) / 6)


def test_coherence_on_the_tiny_corpus_is_per_topic_and_bounded(tiny):
    lda, dictionary, tokens, _, _ = tiny
    mean, per_topic = topics_lda.coherence(lda, tokens["train"], dictionary, "c_npmi", topn=5)
    assert len(per_topic) == 2 and -1 <= min(per_topic) <= max(per_topic) <= 1


def test_topic_label_table_counts_documents():
    rows = alignment.topic_label_table(np.array([0, 0, 1, 1, 1]), np.array([0, 1, 1, 1, 0]), ["cooking", "sport"],
                                        2, [["oven"], ["goal"]])
    assert rows == [{"topic": 0, "top_words": "oven", "cooking": 1, "sport": 1},
                    {"topic": 1, "top_words": "goal", "cooking": 1, "sport": 2}]
