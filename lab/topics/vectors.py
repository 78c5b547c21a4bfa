"""Vectors for the topics recipe: word clusters' inputs and document representations (word vectors
themselves: lab/models/word_vectors.py)."""

from __future__ import annotations

import numpy as np


def word_matrix(vectors, vocabulary: list[str]) -> tuple[list[str], np.ndarray]:
    """The vocabulary words that have a vector, and their L2-normalised vectors (so K-means follows cosine)."""
    words = [word for word in vocabulary if word in vectors.key_to_index]
    if not words:
        return [], np.zeros((0, vectors.vector_size), dtype=np.float32)
    return words, normalise(np.vstack([vectors[word] for word in words]))


def normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


def tfidf(train_docs: list[list[str]], docs: list[list[str]], vocabulary: list[str] | None = None):
    """TF-IDF (sublinear tf, L2 rows) fitted on the training documents, applied to docs: a sparse matrix."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=1, vocabulary=vocabulary)
    vectorizer.fit(train_docs)
    return vectorizer.transform(docs), vectorizer.transform(train_docs)


def lsa(train_docs: list[list[str]], docs: list[list[str]], components: int, seed: int) -> np.ndarray:
    """TF-IDF reduced by truncated SVD fitted on the training documents, then re-normalised (classic LSA)."""
    from sklearn.decomposition import TruncatedSVD

    matrix, train_matrix = tfidf(train_docs, docs)
    components = max(1, min(components, train_matrix.shape[0] - 1, train_matrix.shape[1] - 1))
    svd = TruncatedSVD(n_components=components, random_state=seed).fit(train_matrix)
    return normalise(svd.transform(matrix))


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def embed(texts: list[str], encoder: str, batch_size: int = 64, max_length: int = 256) -> np.ndarray:
    """Sentence embeddings: mean of the token states over the attention mask, L2-normalised,
    which is how all-MiniLM-L6-v2 was trained to be used."""
    from lab.topics import encoder as topics_encoder

    return topics_encoder.read(topics_encoder.load(encoder), texts, None, [], batch_size, max_length)[0]


def mean_pool(states, attention_mask):
    """Each row's token states averaged over its real (unpadded) tokens: (batch, tokens, dim) -> (batch, dim)."""
    mask = attention_mask.unsqueeze(-1).to(states.dtype)
    return (states * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
