"""Human names for what recipes record: one line per figure, table and plot key.

A recipe stores raw keys (`doc_cluster_nmi_lsa`, `seconds_in_validation`); the CSV and JSON keep them, and the page
shows the names below. Adding a figure to a recipe is one line here: its key, the step of the recipe's section it
belongs to (see lab/report/sections.py), and its human name with its unit. A key with no line still reaches the page,
under its raw name in the section's last step, so nothing is ever dropped.

A key may hold a `{placeholder}` (`doc_cluster_nmi_{representation}`): it matches any key of that shape, and the
name fills in what the placeholder matched, spelt as TERMS says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

SWEEP = "sweep"  # the step of full sweep tables: CSV and JSON only, never the page


@dataclass(frozen=True)
class Name:
    step: str  # which step of the section shows it; SWEEP: CSV/JSON only
    label: str  # what a person reads, with the unit in brackets
    digits: str = ".3g"  # format spec of the value
    spread: str | None = None  # the key of its ± figure (a standard deviation over seeds)
    best_of: tuple[str, str, str] | None = None  # (table, score column, name column): "best <name column>: <name>"


FIGURES = {
    # topics: choosing K for the word clusters
    "elbow_k": Name("elbow", "word clusters: K chosen by the elbow", ".0f"),
    "elbow_silhouette": Name("elbow", "word clusters: silhouette at that K", ".3f"),
    "word_vocabulary": Name("elbow", "words clustered", ".0f"),
    # topics: word clusters read as topics (each document takes the cluster most of its words fall in)
    "word_cluster_nmi": Name("words", "documents' dominant word cluster vs labels (NMI)", ".2f"),
    "word_cluster_ari": Name("words", "documents' dominant word cluster vs labels (ARI)", ".2f"),
    # topics: document clusters scored against the labels
    "doc_cluster_nmi": Name("documents", "document clusters vs labels (NMI)", ".2f", spread="doc_cluster_nmi_sd",
                            best_of=("doc_cluster_scores", "nmi_mean", "representation")),
    "doc_cluster_ari": Name("documents", "document clusters vs labels (ARI), same representation", ".2f"),
    "doc_cluster_v_measure": Name("documents", "document clusters vs labels (V-measure), same representation", ".2f"),
    "doc_cluster_purity": Name("documents", "document clusters vs labels (purity), same representation", ".2f"),
    "doc_cluster_nmi_sd": Name("documents", "", ".2f"),  # shown as the ± of doc_cluster_nmi
    "doc_cluster_nmi_{representation}": Name("documents", "document clusters vs labels (NMI), {representation}", ".2f"),
    # topics: LDA
    "lda_k": Name("lda", "LDA topics (K)", ".0f"),
    "lda_nmi": Name("lda", "LDA dominant topic vs labels (NMI)", ".2f"),
    "lda_ari": Name("lda", "LDA dominant topic vs labels (ARI)", ".2f"),
    "lda_perplexity": Name("lda", "LDA perplexity on held-out documents (lower is better)", ".1f"),
    # topics: the embedding topic model (clusters of document embeddings, read off by their top words)
    "embedding_topics_k": Name("embedding", "embedding topics (K)", ".0f"),
    "embedding_topics_nmi": Name("embedding", "embedding topics: dominant topic vs labels (NMI)", ".2f"),
    "embedding_topics_ari": Name("embedding", "embedding topics: dominant topic vs labels (ARI)", ".2f"),
    # topics: coherence
    "lda_npmi": Name("coherence", "LDA coherence (NPMI, mean over topics; -1 to 1)", ".3f"),
    "lda_u_mass": Name("coherence", "LDA coherence (UMass, mean over topics; higher is better)", ".2f"),
    "lda_c_v": Name("coherence", "LDA coherence (C_v, mean over topics; 0 to 1)", ".3f"),
    "lda_topic_diversity": Name("coherence", "LDA topic diversity (share of distinct top words)", ".2f"),
    "word_cluster_npmi_mean": Name("coherence", "word clusters' coherence (NPMI, mean over clusters)", ".3f"),
    "word_cluster_diversity": Name("coherence", "word clusters' diversity (share of distinct top words)", ".2f"),
    "embedding_topics_npmi_mean": Name("coherence", "embedding topics' coherence (NPMI, mean over topics)", ".3f"),
    "embedding_topics_diversity": Name("coherence", "embedding topics' diversity (share of distinct top words)",
                                       ".2f"),
    "word_cluster_auc_mean": Name("words", "per label, the best-separating word cluster's ROC AUC (mean)", ".2f"),
    "lda_auc_mean": Name("lda", "per label, the best-separating LDA topic's ROC AUC (mean over labels)", ".2f"),
    "embedding_topics_auc_mean": Name("embedding", "per label, the best-separating embedding topic's ROC AUC (mean)",
                                      ".2f"),
    "word_cluster_r2": Name("words", "target on the dominant word cluster: linear fit's test R²", ".3f"),
    "lda_r2": Name("lda", "target on P(topic | document): linear fit's test R²", ".3f"),
    "embedding_topics_r2": Name("embedding", "target on distances to the embedding topics: linear fit's test R²",
                                ".3f"),
    # the torch recipes' time split
    "seconds_in_training_steps": Name("cost", "time in training steps (s)", ".3g"),
    "seconds_in_validation": Name("cost", "validation time (s)", ".3g"),
    "seconds_in_setup": Name("cost", "setup time: data, vocabulary, model (s)", ".3g"),
    "train_examples_per_second": Name("cost", "training throughput (examples/s)", ".3g"),
}

TABLES = {
    "word_elbow": Name(SWEEP, "word clusters: K sweep"),
    "doc_elbow": Name(SWEEP, "document clusters: K sweep"),
    "lda_sweep": Name(SWEEP, "LDA: K sweep"),
    "embedding_elbow": Name(SWEEP, "embedding topics: K sweep"),
    "word_clusters": Name("words", "Word clusters: the word nearest each centre, and its nearest neighbours"),
    "word_cluster_label": Name("words", "Documents per dominant word cluster and label"),
    "doc_cluster_scores": Name("documents", "K-means at K = number of classes, mean ± sd over seeds"),
    "lda_topics": Name("lda", "LDA topics: top words with P(word | topic)"),
    "lda_topic_label": Name("lda", "Documents per dominant topic and label: the label each topic maps to"),
    "lda_doc_topics": Name("lda", "Sample documents and their topic mixtures"),
    "lda_coherence": Name("coherence", "LDA coherence per topic"),
    "embedding_topics": Name("embedding", "Embedding topics: top words"),
    "embedding_topic_label": Name("embedding", "Documents per dominant embedding topic and label"),
    "word_cluster_label_separation": Name("words", "Per label, the word cluster that best separates it (ROC AUC)"),
    "lda_topic_label_separation": Name("lda", "Per label, the LDA topic that best separates it (ROC AUC)"),
    "embedding_topic_label_separation": Name("embedding", "Per label, the embedding topic that best separates it "
                                                          "(ROC AUC)"),
    "word_cluster_label_target": Name("words", "Mean target per dominant word cluster"),
    "lda_topic_label_target": Name("lda", "Mean target per dominant LDA topic"),
    "embedding_topic_label_target": Name("embedding", "Mean target per dominant embedding topic"),
}

PLOTS = {
    "elbow": Name("elbow", "Elbow: distortion and silhouette against K"),
    "lda_top_words": Name("lda", "LDA top words per topic"),
    "lda_coherence": Name("coherence", "LDA coherence against K"),
}

# Column headers of the recipes' tables; a column not listed shows with its underscores as spaces.
COLUMNS = {
    "centre_word": "centre word", "nearest_words": "nearest words", "top_words": "top words",
    "elbow_k": "elbow K", "k": "K", "nmi_mean": "NMI", "nmi_sd": "NMI sd", "ari_mean": "ARI", "ari_sd": "ARI sd",
    "v_measure_mean": "V-measure", "v_measure_sd": "V-measure sd", "purity_mean": "purity", "purity_sd": "purity sd",
    "npmi": "NPMI", "u_mass": "UMass", "c_v": "C_v", "dominant_topic": "dominant topic",
}

# How a value that a key or a table names is spelt for people.
TERMS = {"tfidf": "TF-IDF", "lsa": "LSA", "minilm": "MiniLM", "word2vec": "Word2Vec"}


def term(value) -> str:
    return TERMS.get(str(value), str(value))


def column_header(column: str) -> str:
    return COLUMNS.get(column, column.replace("_", " "))


def lookup(table: dict[str, Name], key: str, fallback_step: str) -> Name:
    """The key's line, filled in where it matched a pattern; a key with no line keeps its raw name."""
    if key in table:
        return table[key]
    for pattern, name in table.items():
        matched = compiled(pattern).fullmatch(key) if "{" in pattern else None
        if matched:
            return Name(name.step, name.label.format(**{k: term(v) for k, v in matched.groupdict().items()}),
                        name.digits, name.spread, name.best_of)
    return Name(fallback_step, key)


def rank(table: dict[str, Name], key: str) -> int:
    """The position of the key's line: a step lists its figures in the table's order, unlisted ones last."""
    for position, pattern in enumerate(table):
        if pattern == key or ("{" in pattern and compiled(pattern).fullmatch(key)):
            return position
    return len(table)


@lru_cache(maxsize=None)
def compiled(pattern: str) -> re.Pattern:
    return re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.+)", re.escape(pattern)))
