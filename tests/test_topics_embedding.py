import math

import numpy as np
import pytest
from gensim.corpora import Dictionary
from gensim.models import KeyedVectors

from lab.topics import embedding_topics


def test_class_tfidf_hand_computed():
    documents = [["goal", "goal"], ["match"], ["oven", "goal"]]
    dictionary = Dictionary(documents)
    words = embedding_topics.class_tfidf(documents, np.array([0, 0, 1]), 2, dictionary, topn=3)
    # Topic 0 holds goal 2, match 1; topic 1 oven 1, goal 1. A = (3 + 2) / 2; goal occurs 3 times, the others once.
    goal, rare = math.log(1 + 2.5 / 3), math.log(1 + 2.5 / 1)
    assert words[0] == [("match", pytest.approx(rare / 3)), ("goal", pytest.approx(2 / 3 * goal))]
    assert words[1] == [("oven", pytest.approx(rare / 2)), ("goal", pytest.approx(goal / 2))]  # no zero weights


def test_candidates_are_reordered_by_closeness_to_the_topic():
    embeddings = np.array([[1.0, 0.0], [1.0, 0.2], [-1.0, 0.0], [-1.0, -0.2]])  # two topics, mean (0, 0)
    vectors = KeyedVectors(vector_size=2)
    vectors.add_vectors(["near", "far"], np.array([[1.0, 0.1], [0.0, 1.0]], dtype=np.float32))
    words = [[("far", 0.9), ("unknown", 0.8), ("near", 0.1)], [("near", 0.5)]]
    ranked = embedding_topics.closest_to_topic(words, embeddings, np.array([0, 0, 1, 1]), vectors, candidates=3)
    assert [word for word, _ in ranked[0]] == ["near", "far", "unknown"]  # no vector: after those with one
    assert ranked[1][0][1] < 0  # "near" points away from topic 1's documents
