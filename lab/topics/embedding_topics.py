"""An embedding topic model in the BERTopic style, in a few scikit-learn steps: documents embedded by the encoder,
reduced by PCA, clustered by K-means (K at the elbow), each cluster's words by class-based TF-IDF (c-TF-IDF),
its first `candidates` words then re-ranked by how close each word's vector lies to the topic's mean embedding
(BERTopic's KeyBERTInspired representation). On bbc-news the re-ranking lifts mean NPMI from 0.13 to about 0.17
(benchmarks/topics_quality.py): c-TF-IDF alone keeps words common to a topic but used everywhere ("use", "game").

Written here rather than taken from `bertopic`: it installs, but brings numba, llvmlite, UMAP, HDBSCAN and plotly,
and with the choices below (given embeddings, PCA, K-means, the lab's own tokens and vocabulary) it would add only
c-TF-IDF, which is one formula. K-means assigns every document a topic, so there is no outlier topic; PCA and
K-means are seeded, so one seed gives the same topics.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lab.topics import kmeans


@dataclass
class EmbeddingTopics:
    reducer: object  # fitted PCA
    clusters: object  # fitted KMeans on the reduced, re-normalised embeddings
    words: list[list[tuple[str, float]]]  # per topic: (word, c-TF-IDF weight), best first
    sweep: list[dict]  # the K sweep the elbow was read from

    def reduce(self, embeddings: np.ndarray) -> np.ndarray:
        from lab.topics.vectors import normalise

        return normalise(self.reducer.transform(embeddings))

    def assign(self, embeddings: np.ndarray) -> np.ndarray:
        """The topic of each document: its nearest cluster centre in the reduced space."""
        return self.clusters.predict(self.reduce(embeddings))

    def distances(self, embeddings: np.ndarray) -> np.ndarray:
        """(documents, K) distance of each document to each topic's centre in the reduced space."""
        return self.clusters.transform(self.reduce(embeddings))


def fit(embeddings: np.ndarray, documents: list[list[str]], dictionary, ks: list[int], components: int, seed: int,
        topn: int = 10, word_vectors=None, candidates: int = 0, bar=None) -> EmbeddingTopics:
    """Fit on the training documents' embeddings and tokens. Cosine geometry throughout: the reduced vectors are
    re-normalised, so K-means' squared distances follow the angle, as the encoder was trained to be read."""
    from sklearn.decomposition import PCA

    from lab.topics.vectors import normalise

    components = max(1, min(components, embeddings.shape[0] - 1, embeddings.shape[1]))
    reducer = PCA(n_components=components, random_state=seed).fit(embeddings)
    points = normalise(reducer.transform(embeddings))
    rows = kmeans.sweep(points, ks, seed, bar=bar)
    chosen = kmeans.elbow(ks, [row["distortion"] for row in rows])
    clusters = kmeans.fit_kmeans(points, chosen, seed)
    words = class_tfidf(documents, clusters.labels_, chosen, dictionary, max(topn, candidates))
    if word_vectors is not None and candidates:
        words = closest_to_topic(words, embeddings, clusters.labels_, word_vectors, candidates)
    return EmbeddingTopics(reducer, clusters, [topic[:topn] for topic in words], rows)


def closest_to_topic(words: list[list[tuple[str, float]]], embeddings: np.ndarray, topics: np.ndarray, word_vectors,
                     candidates: int) -> list[list[tuple[str, float]]]:
    """Each topic's first `candidates` c-TF-IDF words, ordered by the cosine between the word's vector and the
    mean of the topic's document embeddings (both less the mean of all documents, as the word vectors are);
    the weight becomes that cosine. Words without a vector keep their place after those with one."""
    centred = embeddings - embeddings.mean(axis=0)
    ranked = []
    for topic, topic_words in enumerate(words):
        centre = centred[topics == topic].mean(axis=0)
        centre = centre / (np.linalg.norm(centre) or 1.0)
        scored = []
        for word, _ in topic_words[:candidates]:
            if word in word_vectors.key_to_index:
                vector = word_vectors[word]
                scored.append((word, float(vector @ centre / (np.linalg.norm(vector) or 1.0))))
            else:
                scored.append((word, -2.0))  # below any cosine
        ranked.append(sorted(scored, key=lambda pair: -pair[1]))
    return ranked


def class_tfidf(documents: list[list[str]], topics: np.ndarray, k: int, dictionary, topn: int
                ) -> list[list[tuple[str, float]]]:
    """BERTopic's c-TF-IDF: all documents of a topic joined into one, term counts L1-normalised per topic, times
    log(1 + A / f_t), where A is the mean number of words per topic and f_t the word's count over all topics.
    Only dictionary words count, the vocabulary LDA is fitted on, so the topics' NPMI compare."""
    counts = np.zeros((k, len(dictionary)))
    for document, topic in zip(documents, topics):
        for word_id, count in dictionary.doc2bow(document):
            counts[topic, word_id] += count
    per_topic = counts.sum(axis=1, keepdims=True)
    frequency = counts.sum(axis=0)
    idf = np.log(1 + per_topic.mean() / np.maximum(frequency, 1))
    weights = counts / np.maximum(per_topic, 1) * idf
    ranked = []
    for topic in range(k):
        best = [i for i in np.argsort(-weights[topic], kind="stable")[:topn] if weights[topic, i] > 0]
        ranked.append([(dictionary[int(i)], float(weights[topic, i])) for i in best])
    return ranked
