import numpy as np
import pytest
from gensim.corpora import Dictionary

from lab.topics import steps, words


def corpus_of(documents):
    dictionary = Dictionary(documents)
    return steps.Corpus(train=documents, test=[], docs=documents, doc_texts=[" ".join(d) for d in documents],
                        doc_labels=np.zeros(len(documents), dtype=int), dictionary=dictionary, min_count=1)


def test_word_vectors_from_the_documents_that_hold_each_word():
    documents = [["goal", "match"], ["goal", "team"], ["oven", "bread"]]
    corpus = corpus_of(documents)
    embeddings = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    corpus.cache["train"] = (embeddings, None)  # as if the encoder had read the three texts
    vectors = words.SOURCES["encoder_documents"](None, corpus, [], None)
    centred = embeddings - embeddings.mean(axis=0)  # the mean text is (2/3, 2/3)
    np.testing.assert_allclose(vectors["goal"], (centred[0] + centred[1]) / 2, atol=1e-6)
    np.testing.assert_allclose(vectors["bread"], centred[2], atol=1e-6)
    assert vectors["oven"].tolist() == vectors["bread"].tolist()  # the same documents, the same vector


def test_vocabulary_rankings_by_document_frequency_count_and_tfidf():
    # "a" is in every document once; "b" three times in one document; "c" once in two documents.
    corpus = corpus_of([["a", "b", "b", "b"], ["a", "c"], ["a", "c"], ["a", "d"]])
    assert words.RANKINGS["df"](corpus) == ["a", "c", "b", "d"]
    assert words.RANKINGS["count"](corpus) == ["a", "b", "c", "d"]


def test_tfidf_ranks_a_word_that_fills_its_document_above_one_spread_thin():
    # "b" is the only word of its document: TF-IDF weight 1 (an L2 row of one). "e" is in two documents, each
    # beside three rarer words: idf ln(4/3) + 1 = 1.288 beside 1.693, so 1.288 / sqrt(1.288^2 + 3 * 1.693^2)
    # = 0.402 per document, 0.804 in all; the rare words weigh 0.529 each.
    corpus = corpus_of([["b"], ["e", "x", "y", "z"], ["e", "p", "q", "r"]])
    assert words.RANKINGS["tfidf"](corpus) == ["b", "e", "p", "q", "r", "x", "y", "z"]
    assert words.RANKINGS["df"](corpus)[:2] == ["e", "b"]


def test_kmeans_weights_from_word_counts():
    corpus = corpus_of([["a", "b", "b", "b"], ["a", "c"]])
    assert words.weights(corpus, ["a", "b", "c"], "none") is None
    assert words.weights(corpus, ["a", "b", "c"], "count").tolist() == [2, 3, 1]
    assert words.weights(corpus, ["b"], "log_count").tolist() == pytest.approx([np.log(4)])


def test_each_document_gets_the_topic_whose_words_it_holds_most():
    topics = [["goal", "match", "team"], ["oven", "bread"]]
    documents = [["goal", "oven", "team"], ["bread", "oven", "goal"], ["zebra"], ["goal", "bread"]]
    assert words.dominant_topics(documents, topics).tolist() == [0, 1, -1, 0]  # a tie goes to the first topic


def test_words_nearest_each_centre_come_first():
    class Model:
        cluster_centers_ = np.array([[1.0, 0.0], [0.0, 1.0]])
        labels_ = np.array([0, 0, 1, 0])

    matrix = np.array([[0.6, 0.8], [1.0, 0.0], [0.0, 1.0], [0.8, 0.6]])
    assert words.nearest_centre(["w", "x", "y", "z"], matrix, Model()) == [["x", "z", "w"], ["y"]]
