"""How each topic model's topics line up with the dataset's labels, in the form the task allows.

One table keyed by task (lab/tasks.py), the same for the word clusters, LDA and the embedding topics:
- single_label: NMI and ARI of the documents' dominant topic against their class, and a topic x label table;
- multi_label: a topic x label table (documents per dominant topic carrying each label) and, per label, the topic
  whose score column (P(topic|doc) for LDA) best separates its documents, by ROC AUC;
- regression: the mean target per dominant topic, and the R² on the test split of a linear fit of the target on the
  topic features (P(topic|doc) for LDA, the one-hot dominant topic otherwise) fitted on the train split.
The scored documents are the recipe's doc_split; the regression fit is always train -> test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from lab.evaluation import clustering


@dataclass
class TopicView:
    """What the alignment needs to know of one topic model. The scored documents (doc_split) end with the test
    split, in its order, whether doc_split is test or all: their last n_test rows are the test split."""

    prefix: str  # figure keys: <prefix>_nmi, <prefix>_r2, ...
    table: str  # the topic x label table's key; the other tables' keys derive from it
    tops: list[list[str]]  # each topic's top words
    dominant: np.ndarray  # the scored documents' topic (-1: none)
    n_test: int
    train_dominant: Callable[[], np.ndarray]  # the train split's topics, asked for only by regression
    scores: np.ndarray | None = None  # the scored documents' (n, K) topic scores; None: the one-hot dominant topic
    train_scores: Callable[[], np.ndarray] | None = None  # the same for the train split

    def topic_scores(self) -> np.ndarray:
        return self.scores if self.scores is not None else one_hot(self.dominant, len(self.tops))

    def regression_features(self) -> tuple[np.ndarray, np.ndarray]:
        """(train, test) features of the linear fit: the topic scores where the model has them, else one-hot."""
        if self.scores is not None and self.train_scores is not None:
            return self.train_scores(), self.scores[-self.n_test:]
        k = len(self.tops)
        return one_hot(self.train_dominant(), k), one_hot(self.dominant[-self.n_test:], k)


def one_hot(dominant: np.ndarray, k: int) -> np.ndarray:
    """(n, k) indicator of each document's topic; a document with none (-1) gets a zero row."""
    matrix = np.zeros((len(dominant), k))
    rows = np.flatnonzero(dominant >= 0)
    matrix[rows, dominant[rows]] = 1.0
    return matrix


def single_label(view: TopicView, labels: np.ndarray, label_names: list[str], data) -> tuple[dict, dict]:
    aligned = clustering.cluster_scores(labels, view.dominant)
    table = topic_label_table(view.dominant, labels, label_names, len(view.tops), view.tops)
    return {f"{view.prefix}_nmi": aligned["nmi"], f"{view.prefix}_ari": aligned["ari"]}, {view.table: table}


def topic_label_table(dominant: np.ndarray, labels: np.ndarray, label_names: list[str], k: int,
                      topics: list[list[str]]) -> list[dict]:
    """One row per topic: its first words and how many documents of each label have it as dominant topic."""
    rows = []
    for topic in range(k):
        row = {"topic": topic, "top_words": " ".join(topics[topic][:5])}
        for index, name in enumerate(label_names):
            row[name] = int(np.sum((dominant == topic) & (labels == index)))
        rows.append(row)
    return rows


def multi_label(view: TopicView, labels: np.ndarray, label_names: list[str], data) -> tuple[dict, dict]:
    table = []
    for topic, words in enumerate(view.tops):
        mine = labels[view.dominant == topic]
        row = {"topic": topic, "top_words": " ".join(words[:5]), "documents": int(len(mine))}
        row.update({name: int(mine[:, index].sum()) for index, name in enumerate(label_names)})
        table.append(row)
    best = clustering.best_separating_topics(view.topic_scores(), labels)
    separation = [{"label": name, "documents": int(labels[:, index].sum()), "topic": topic,
                   "top_words": " ".join(view.tops[topic][:5]) if topic >= 0 else "", "roc_auc": auc}
                  for index, (name, (topic, auc)) in enumerate(zip(label_names, best))]
    aucs = [auc for _, auc in best if np.isfinite(auc)]
    figures = {f"{view.prefix}_auc_mean": float(np.mean(aucs)) if aucs else float("nan")}
    return figures, {view.table: table, f"{view.table}_separation": separation}


def regression(view: TopicView, labels: np.ndarray, label_names: list[str], data) -> tuple[dict, dict]:
    from sklearn.linear_model import LinearRegression
    table = []
    for topic, words in enumerate(view.tops):
        mine = labels[view.dominant == topic]
        table.append({"topic": topic, "top_words": " ".join(words[:5]), "documents": int(mine.size),
                      "mean_target": float(mine.mean()) if mine.size else float("nan")})
    train, test = view.regression_features()
    fit = LinearRegression().fit(train, data.labels("train"))
    r2 = clustering.r2(data.labels("test"), fit.predict(test))
    return {f"{view.prefix}_r2": r2}, {f"{view.table}_target": table}


# Whether each document has exactly one class, so that a clustering can be compared with the classes' partition.
HAS_CLASSES = {"single_label": True, "multi_label": False, "regression": False}
SCORERS = {"single_label": single_label, "multi_label": multi_label, "regression": regression}


def score(view: TopicView, labels: np.ndarray, data) -> tuple[dict, dict]:
    """(figures, tables) for the data's task; labels are the scored documents'."""
    return SCORERS[data.task](view, labels, data.label_names, data)


def label_text(labels: np.ndarray, label_names: list[str], row: int) -> str:
    """One document's label as a person reads it, whatever the task."""
    value = labels[row]
    if np.ndim(value) == 1:
        return ";".join(name for name, flag in zip(label_names, value) if flag)
    return label_names[int(value)] if label_names else f"{float(value):.3g}"
