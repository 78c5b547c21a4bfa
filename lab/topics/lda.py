"""LDA with gensim, and the numbers we read off it: coherence, diversity, held-out perplexity, label alignment."""

from __future__ import annotations

import logging
import math

import numpy as np


def train_lda(corpus: list, dictionary, k: int, passes: int, iterations: int, chunksize: int, alpha: str, eta: str,
              seed: int):
    """eval_every=None: gensim would otherwise estimate perplexity every 10 updates, which costs time and
    changes nothing; a fixed random_state makes the topics reproducible."""
    from gensim.models import LdaModel

    logging.getLogger("gensim").setLevel(logging.WARNING)
    return LdaModel(corpus=corpus, id2word=dictionary, num_topics=k, passes=passes, iterations=iterations,
                    chunksize=chunksize, alpha=alpha, eta=eta, eval_every=None, random_state=seed)


def top_words(lda, topn: int = 10) -> list[list[tuple[str, float]]]:
    """P(word | topic): each topic's topn words with their probabilities."""
    return [[(word, float(weight)) for word, weight in lda.show_topic(topic, topn=topn)]
            for topic in range(lda.num_topics)]


def coherence(lda, texts: list[list[str]], dictionary, measure: str, topn: int = 10) -> tuple[float, list[float]]:
    """Overall and per-topic coherence of the topics' top words on the given tokenized corpus
    (lab.evaluation.coherence, the one place every topic model of the rung is scored)."""
    from lab.evaluation.coherence import coherence as score

    return score([[word for word, _ in words] for words in top_words(lda, topn)], texts, dictionary, measure, topn)


def perplexity(lda, corpus: list) -> float:
    """Held-out perplexity, exp(-bound). log_perplexity returns a per-word likelihood bound in nats (gensim's bound
    sums natural logs, though gensim's own log line raises 2 to it): on four equally likely words it is -ln 4."""
    if not any(corpus):
        return float("nan")
    return float(math.exp(-lda.log_perplexity(corpus)))


def doc_topics(lda, corpus: list) -> np.ndarray:
    """P(topic | document) as a dense (documents, K) array; rows sum to 1."""
    matrix = np.zeros((len(corpus), lda.num_topics))
    for row, bow in enumerate(corpus):
        for topic, weight in lda.get_document_topics(bow, minimum_probability=0.0):
            matrix[row, topic] = weight
    sums = matrix.sum(axis=1, keepdims=True)
    return matrix / np.where(sums == 0, 1.0, sums)


def sample_doc_rows(theta: np.ndarray, labels: np.ndarray, label_names: list[str], texts: list[str],
                    count: int) -> list[dict]:
    """P(topic | document) for a few documents: the first one of each class (single-label), then the next ones in
    order; for the other tasks simply the first ones."""
    from lab.topics.alignment import label_text
    classes = range(len(label_names)) if labels.ndim == 1 and label_names else []
    firsts = [int(np.flatnonzero(labels == index)[0]) for index in classes if np.any(labels == index)]
    order = firsts + [i for i in range(len(labels)) if i not in firsts]
    rows = []
    for index in order[:count]:
        row = {"document": index, "label": label_text(labels, label_names, index), "text": snippet(texts[index]),
               "dominant_topic": int(theta[index].argmax())}
        row.update({f"p_topic_{topic}": round(float(p), 4) for topic, p in enumerate(theta[index])})
        rows.append(row)
    return rows


def snippet(text: str, length: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1] + "…"
