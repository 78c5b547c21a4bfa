"""Word clusters' inputs and readings: where word vectors come from, which words are clustered, how much each word
weighs in K-means, and each cluster read as a topic (its words nearest the centre, their NPMI, its documents).

Each choice is a table (name -> function), so a new source, ranking or weighting is one entry.
"""

from __future__ import annotations

import numpy as np

from lab.topics import steps


def word2vec(cfg, corpus: steps.Corpus, words: list[str], progress):
    from lab.models import word_vectors

    return word_vectors.train_word2vec(corpus.train, cfg.w2v_size, cfg.w2v_window, corpus.min_count,
                                       cfg.w2v_epochs, cfg.seed, cfg.w2v_workers)


def encoder_alone(cfg, corpus: steps.Corpus, words: list[str], progress):
    from lab.topics import encoder

    return encoder.word_vectors_alone(steps.encoder_of(cfg, corpus), words, batch_size=256)


def encoder_context(cfg, corpus: steps.Corpus, words: list[str], progress):
    """Vectors for the whole dictionary, whichever words are clustered: the pass costs the same, and one cached
    pass then serves every vocabulary."""
    every = [corpus.dictionary[i] for i in range(len(corpus.dictionary))]
    return steps.train_encoding(cfg, corpus, progress, every)[1]


def encoder_documents(cfg, corpus: steps.Corpus, words: list[str], progress):
    """Each word as the mean embedding of the training documents that hold it, less the mean of all of them: words
    of one subject share documents, so they land together, where synonyms that never meet (hugely, extremely)
    do not. The training texts' embeddings are the ones the embedding topics use: no second pass."""
    from scipy import sparse

    from lab.topics import encoder

    embeddings = steps.train_encoding(cfg, corpus, progress)[0]
    bows = corpus.bows(corpus.train)
    rows = [row for row, bow in enumerate(bows) for _ in bow]
    columns = [word_id for bow in bows for word_id, _ in bow]
    holds = sparse.csr_matrix((np.ones(len(rows)), (rows, columns)), shape=(len(corpus.train), len(corpus.dictionary)))
    frequency = np.asarray(holds.sum(axis=0)).ravel()
    sums = holds.T @ (embeddings - embeddings.mean(axis=0))
    found = np.flatnonzero(frequency)
    names = [corpus.dictionary[int(i)] for i in found]
    return encoder.keyed(names, sums[found] / frequency[found, None], embeddings.shape[1])


# word_vector_source -> (cfg, corpus, words to cluster, progress) -> KeyedVectors
SOURCES = {"word2vec": word2vec, "encoder": encoder_alone, "encoder_context": encoder_context,
           "encoder_documents": encoder_documents}


def by_document_frequency(corpus: steps.Corpus) -> list[str]:
    return corpus.frequent_words(len(corpus.dictionary))


def by_count(corpus: steps.Corpus) -> list[str]:
    cfs = corpus.dictionary.cfs
    return [corpus.dictionary[i] for i in sorted(cfs, key=lambda i: (-cfs[i], corpus.dictionary[i]))]


def by_tfidf(corpus: steps.Corpus) -> list[str]:
    """Words by their summed TF-IDF weight over the training documents (sublinear tf, L2 rows): frequent words
    that stay in few documents rank above words spread thinly over many."""
    from lab.topics.vectors import tfidf

    words = [corpus.dictionary[i] for i in range(len(corpus.dictionary))]
    known = [[token for token in document if token in corpus.dictionary.token2id] for document in corpus.train]
    matrix, _ = tfidf(known, known, vocabulary=words)
    weight = np.asarray(matrix.sum(axis=0)).ravel()
    return [words[i] for i in sorted(range(len(words)), key=lambda i: (-weight[i], words[i]))]


# cluster_vocabulary -> the corpus's dictionary words, best first; the first cluster_words are clustered
RANKINGS = {"df": by_document_frequency, "count": by_count, "tfidf": by_tfidf}

# word_weights -> the K-means sample weight of each word from its count in the training documents
WEIGHTS = {"none": lambda counts: None, "count": lambda counts: counts, "log_count": np.log1p}


def weights(corpus: steps.Corpus, words: list[str], scheme: str) -> np.ndarray | None:
    ids = corpus.dictionary.token2id
    counts = np.array([corpus.dictionary.cfs[ids[word]] for word in words], dtype=float)
    return WEIGHTS[scheme](counts)


def nearest_centre(words: list[str], matrix: np.ndarray, model) -> list[list[str]]:
    """Per cluster, its member words by falling cosine to the cluster centre (ties by position, so stable)."""
    ranked = []
    for cluster, centre in enumerate(model.cluster_centers_):
        members = np.flatnonzero(model.labels_ == cluster)
        similarity = matrix[members] @ (centre / (np.linalg.norm(centre) or 1.0))
        ranked.append([words[members[i]] for i in np.argsort(-similarity, kind="stable")])
    return ranked


def dominant_topics(documents: list[list[str]], topics: list[list[str]]) -> np.ndarray:
    """Each document's topic read from words alone: the topic whose top words it holds most often (ties: the first
    such topic); -1 for a document that holds none of any topic's words."""
    index: dict[str, list[int]] = {}
    for topic, words in enumerate(topics):
        for word in words:
            index.setdefault(word, []).append(topic)
    dominant = np.full(len(documents), -1)
    for row, document in enumerate(documents):
        hits = np.zeros(len(topics))
        for token in document:
            for topic in index.get(token, ()):
                hits[topic] += 1
        if hits.any():
            dominant[row] = int(np.argmax(hits))
    return dominant
