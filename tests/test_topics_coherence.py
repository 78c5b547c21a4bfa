import math

import pytest
from gensim.corpora import Dictionary

from lab.evaluation import coherence
from tests.test_topics_lda import npmi_of

# Each document is shorter than the 10-token window, so P(w) is the share of the 4 documents that hold w.
DOCUMENTS = [["a", "b"], ["a", "b"], ["a", "c"], ["c", "d"]]


def test_npmi_of_a_word_cluster_is_computed_by_hand():
    dictionary = Dictionary(DOCUMENTS)
    mean, per_topic = coherence.npmi([["a", "b", "c"], ["c", "d"]], DOCUMENTS, dictionary, topn=10)
    # a b: together in 2 of 4 documents, a in 3, b in 2: log((1/2) / (3/8)) / log 2 = log(4/3) / log 2
    a_b = math.log(4 / 3) / math.log(2)
    a_c = math.log((1 / 4) / (3 / 8)) / math.log(4)  # together once; c in 2
    b_c = npmi_of(0, 1 / 2, 1 / 2)  # never together: close to -1
    c_d = math.log((1 / 4) / (1 / 8)) / math.log(4)  # = 1/2
    assert per_topic == [pytest.approx((a_b + a_c + b_c) / 3), pytest.approx(c_d)]
    assert c_d == pytest.approx(0.5) and b_c == pytest.approx(-1, abs=0.06)
    assert mean == pytest.approx(((a_b + a_c + b_c) / 3 + c_d) / 2)


def test_only_the_first_topn_words_count_and_a_single_word_topic_is_not_scored():
    dictionary = Dictionary(DOCUMENTS)
    mean, per_topic = coherence.npmi([["c", "d", "a"], ["b"], ["b", "unknown"]], DOCUMENTS, dictionary, topn=2)
    assert per_topic[0] == pytest.approx(0.5)  # c d only
    assert math.isnan(per_topic[1]) and math.isnan(per_topic[2])  # one known word: no pair
    assert mean == pytest.approx(0.5)


def test_topic_diversity_hand_computed():
    assert coherence.topic_diversity([["a", "b", "c"], ["a", "d", "e"]], topn=3) == pytest.approx(5 / 6)
    assert coherence.topic_diversity([["a", "b"], ["c", "d"]], topn=2) == 1.0
    assert coherence.topic_diversity([["a"], ["b"]], topn=2) == pytest.approx(2 / 4)  # short topics count short
    assert coherence.topic_diversity([], topn=2) == 0.0
