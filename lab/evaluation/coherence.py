"""How well a list of topics reads: coherence of each topic's top words on a reference corpus, and diversity.

Every topic model of the topics rung (word clusters, LDA, embedding topics) is scored here, on the same reference
corpus, window and tokenisation, so their NPMI figures compare. NPMI is gensim's c_npmi: a boolean sliding window
of 10 tokens over each tokenised text, P(w) and P(w, w') the share of windows that hold them, and a topic's
value the mean over its word pairs of log(P(w, w') / (P(w) P(w'))) / -log P(w, w').
"""

from __future__ import annotations

import math

import numpy as np


def coherence(topics: list[list[str]], texts: list[list[str]], dictionary, measure: str = "c_npmi",
              topn: int = 10) -> tuple[float, list[float]]:
    """(mean, per topic) of a gensim coherence measure over each topic's first topn words. A topic of fewer than
    two words has no word pair: it scores NaN and the mean is over the others. processes=1: no worker pool."""
    from gensim.models import CoherenceModel

    lists = [[word for word in topic[:topn] if word in dictionary.token2id] for topic in topics]
    scored = [index for index, words in enumerate(lists) if len(words) >= 2]
    per_topic = [math.nan] * len(lists)
    if scored:
        model = CoherenceModel(topics=[lists[i] for i in scored], texts=texts, dictionary=dictionary,
                               coherence=measure, topn=topn, processes=1)
        for index, value in zip(scored, model.get_coherence_per_topic()):
            per_topic[index] = float(value)
    finite = [value for value in per_topic if math.isfinite(value)]
    return (float(np.mean(finite)) if finite else math.nan), per_topic


def npmi(topics: list[list[str]], texts: list[list[str]], dictionary, topn: int = 10) -> tuple[float, list[float]]:
    return coherence(topics, texts, dictionary, "c_npmi", topn)


def topic_diversity(topics: list[list[str]], topn: int = 10) -> float:
    """Unique words among all topics' top-n lists, divided by n * K: 1.0 means no two topics share a top word
    (and every topic has n words)."""
    if not topics:
        return 0.0
    words = [word for topic in topics for word in topic[:topn]]
    return len(set(words)) / (topn * len(topics))
