"""Topics: K-means word clusters, K-means document clusters, LDA topics and embedding topics (BERTopic-style), each
scored by the same coherence (NPMI), diversity and agreement with the dataset's labels.

Data use: every unsupervised model (phrases, vocabulary, word vectors, TF-IDF/LSA, LDA, embedding topics) is fitted
on the train split only; coherence (NPMI) is measured on the tokenized train split for all three topic models.
Document clusters and each topic model's documents (word clusters: the cluster whose words a document holds most;
LDA: the dominant topic; embedding topics: the nearest centre) are scored on `doc_split`: the test split by
default, or all splits with doc_split=all (for tiny corpora). LDA's perplexity is always on the test split.
How they are scored follows the data's task (lab/topics/alignment.py): single-label by NMI/ARI and a topic x
label table, multi-label by a topic x label table and each label's best-separating topic (ROC AUC), regression by the
mean target per topic and a linear fit's R² (train -> test). Document clusters are scored only against classes.
No classifier is trained, so RecipeResult.models stays empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from lab.config import CommonConfig
from lab.data import LabData
from lab.errors import LabError
from lab.evaluation import clustering, coherence as scores
from lab.results import RecipeResult
from lab.topics import alignment, kmeans, steps as parts
from lab.topics import words as topic_words
from lab.progress import Progress

PRIORS = ("auto", "symmetric", "asymmetric")
Representation = Literal["tfidf", "lsa", "minilm", "lsa+minilm"]


@dataclass
class Config(CommonConfig):
    # 1. preprocessing (fitted on train); each step can be switched off
    lowercase: bool = True
    remove_stop_words: bool = True
    lemmatize: bool = True
    min_token_length: int = 3
    extra_stop_words: list[str] = field(default_factory=list)
    bigrams: bool = False  # gensim Phrases, e.g. "prime_minister"
    bigram_min_count: int = 5
    no_below: int = 5  # Dictionary.filter_extremes: keep words in >= no_below training documents...
    no_above: float = 0.3  # ...and in <= this share of them (drops "say", "year", "new")
    keep_n: int = 2000  # then the most frequent words: on bbc-news a focused vocabulary gives clearer LDA topics
    # 2. word clusters
    word_vectors: str | None = None  # a GloVe or word2vec file; it replaces word_vector_source
    # encoder_documents: the mean embedding of the training texts that hold the word (the best NPMI by far,
    # benchmarks/topics_quality.py); encoder_context: the encoder's token states averaged over the word's
    # occurrences; encoder: each word embedded alone; word2vec: trained on the train split (before)
    word_vector_source: Literal["encoder_documents", "encoder_context", "encoder", "word2vec"] = "encoder_documents"
    cluster_vocabulary: Literal["df", "count", "tfidf"] = "df"  # how the cluster_words are chosen
    # K-means weight of each word; with 1000 cluster_words, count gave the best mean NPMI over bbc-news and Reuters
    word_weights: Literal["none", "count", "log_count"] = "count"
    w2v_size: int = 100
    w2v_window: int = 5
    w2v_epochs: int = 10
    w2v_workers: int = 1  # >1 is faster but Word2Vec is then not reproducible
    cluster_words: int = 1000  # cluster the first words of cluster_vocabulary (K-means cost grows with it)
    k_min: int = 2
    k_max: int = 15
    nearest_words: int = 10  # words shown per word cluster, besides the one nearest its centre
    # 3. document clusters
    doc_split: Literal["test", "all"] = "test"
    representations: list[Representation] = field(default_factory=lambda: ["tfidf", "lsa", "minilm"])
    lsa_components: int = 100
    encoder: str = "minilm-l6"  # alias of the offline all-MiniLM-L6-v2, or a local model folder
    embed_batch_size: int = 64
    embed_max_length: int = 128  # tokens read per text: a news story's headline and lead carry its subject
    embed_precision: Literal["auto", "fp32", "bf16"] = "auto"  # auto: bf16 where the CPU has it natively (lab/topics/encoder.py)
    cluster_seeds: int = 5
    # 4. LDA
    lda_k: int | None = None  # None: the number of classes
    lda_k_sweep: list[int] = field(default_factory=list)  # if given, K with the best NPMI among these
    lda_passes: int = 10
    lda_iterations: int = 100
    lda_chunksize: int = 2000  # documents per update; >= the training set makes each pass one full update
    lda_restarts: int = 3  # >1: fit with several seeds, keep the best training likelihood bound (no labels used)
    max_train_documents: int | None = None  # None: every training document; else a stratified sample of this many
    lda_alpha: str = "auto"
    lda_eta: str = "auto"
    topn: int = 10
    coherence_c_v: bool = True  # secondary: its author advises against c_v; it costs a few seconds
    sample_docs: int = 5
    # 5. embedding topics: the encoder's document embeddings, PCA, K-means (K at the elbow), c-TF-IDF words
    embedding_topics: bool = True
    embedding_components: int = 5  # as BERTopic reduces (with UMAP); PCA to 5 or 10 scored alike on bbc-news
    embedding_k: int | None = None  # None: K at the elbow of k_min..k_max
    embedding_candidates: int = 30  # c-TF-IDF words re-ranked by closeness to the topic; 0: c-TF-IDF order
    progress: bool = True  # progress bars on a terminal (never when stderr is not one)


def run(cfg: Config, data: LabData) -> RecipeResult:
    check(cfg)
    from lab.topics import plots as topics_plots
    result = RecipeResult()
    progress = Progress(cfg.progress)
    data = parts.capped_train(data, cfg.max_train_documents, cfg.seed, result.notes)
    corpus = parts.prepare(cfg, data, result.notes)
    sweeps: dict[str, tuple[list[dict], int]] = {}
    word_clusters(cfg, data, corpus, result, sweeps, progress)
    doc_clusters(cfg, data, corpus, result, sweeps, progress)
    if cfg.embedding_topics:
        embedding_section(cfg, data, corpus, result, sweeps, progress)
    result.plots["elbow"] = topics_plots.elbow_figure({name: rows for name, (rows, _) in sweeps.items()},
                                                      {name: k for name, (_, k) in sweeps.items()})
    lda_section(cfg, data, corpus, result, progress)
    return result


def check(cfg: Config) -> None:
    """The priors and the embedding topics' sizes; other numeric keys are bounded by lab.config.LIMITS when the
    config is built."""
    if cfg.embedding_k is not None and cfg.embedding_k < 2:
        raise LabError(f"embedding_k={cfg.embedding_k}: must be >= 2; leave the key out for K at the elbow")
    if cfg.embedding_components < 1:
        raise LabError(f"embedding_components={cfg.embedding_components}: must be >= 1; give e.g. "
                       f"embedding_components=10")
    if cfg.embedding_candidates < 0:
        raise LabError(f"embedding_candidates={cfg.embedding_candidates}: must be >= 0; give e.g. "
                       f"embedding_candidates=30")
    for name in ("lda_alpha", "lda_eta"):
        value = getattr(cfg, name)
        if value not in PRIORS:
            try:
                float(value)
            except ValueError:
                raise LabError(f"{name}={value!r} is not a prior; give a number or one of: {', '.join(PRIORS)}") from None


def prior(value: str):
    """gensim takes "auto"/"symmetric"/"asymmetric" as text and a fixed prior as a number."""
    return value if value in PRIORS else float(value)


def word_clusters(cfg: Config, data: LabData, corpus: parts.Corpus, result: RecipeResult, sweeps: dict,
                  progress: Progress) -> None:
    """K-means over word vectors across K; elbow picks K; each cluster is read off the words nearest its centre,
    scored by NPMI like the LDA topics, and given the documents that hold its words most."""
    from lab.topics import vectors as topics_vectors
    from lab.models import word_vectors
    vocabulary = topic_words.RANKINGS[cfg.cluster_vocabulary](corpus)[:cfg.cluster_words]
    if cfg.word_vectors:
        vectors = word_vectors.load_word_vectors(cfg.word_vectors, "word_vectors")
    else:
        vectors = topic_words.SOURCES[cfg.word_vector_source](cfg, corpus, vocabulary, progress)
    words, matrix = topics_vectors.word_matrix(vectors, vocabulary)
    if len(words) < 3:
        raise LabError(f"only {len(words)} vocabulary words have a vector; give word_vectors= for this "
                       f"language, or lower no_below")
    ks, note = kmeans.k_range(cfg.k_min, cfg.k_max, len(words), "words")
    if note:
        result.notes.append(note)
    weights = topic_words.weights(corpus, words, cfg.word_weights)
    rows = kmeans.sweep(matrix, ks, cfg.seed, weights=weights, bar=progress.over("word clusters: K", "K"))
    chosen = kmeans.elbow(ks, [row["distortion"] for row in rows])
    model = kmeans.fit_kmeans(matrix, chosen, cfg.seed, weights=weights)
    ranked = topic_words.nearest_centre(words, matrix, model)
    tops = [cluster[:cfg.topn] for cluster in ranked]
    mean, per_cluster = scores.npmi(tops, corpus.train, corpus.dictionary, cfg.topn)
    dominant = topic_words.dominant_topics(corpus.docs, tops)
    rows_by_topic = parts.topic_rows(tops, per_cluster, dominant, corpus.doc_labels, data.label_names, cfg.topn)
    result.tables["word_elbow"] = rows
    result.tables["word_clusters"] = [
        {"cluster": i, "size": len(cluster), "centre_word": cluster[0], "nearest_words": " ".join(
            cluster[1:cfg.nearest_words + 1]), **{key: row[key] for key in ("top_words", "npmi", "documents", "label")}}
        for i, (cluster, row) in enumerate(zip(ranked, rows_by_topic))]
    view = alignment.TopicView("word_cluster", "word_cluster_label", tops, dominant, len(corpus.test),
                               lambda: topic_words.dominant_topics(corpus.train, tops))
    add_alignment(result, view, corpus, data)
    result.figures.update({"elbow_k": float(chosen), "word_vocabulary": float(len(words)),
                           "elbow_silhouette": next(row["silhouette"] for row in rows if row["k"] == chosen),
                           "word_cluster_npmi_mean": mean,
                           "word_cluster_diversity": scores.topic_diversity(tops, cfg.topn)})
    sweeps["words"] = (rows, chosen)


def embedding_section(cfg: Config, data: LabData, corpus: parts.Corpus, result: RecipeResult, sweeps: dict,
                      progress: Progress) -> None:
    """BERTopic-style topics fitted on the training texts' embeddings; the scored documents get their nearest topic."""
    from lab.topics import embedding_topics
    train = parts.train_encoding(cfg, corpus, progress)[0]
    ks, note = kmeans.k_range(cfg.k_min, cfg.k_max, train.shape[0], "training documents")
    if note:
        result.notes.append(note)
    ks = [min(cfg.embedding_k, ks[-1])] if cfg.embedding_k else ks
    vectors = topic_words.SOURCES["encoder_documents"](cfg, corpus, [], progress)
    model = embedding_topics.fit(train, corpus.train, corpus.dictionary, ks, cfg.embedding_components, cfg.seed,
                                 cfg.topn, vectors, cfg.embedding_candidates, progress.over("embedding topics: K", "K"))
    tops = [[word for word, _ in topic] for topic in model.words]
    mean, per_topic = scores.npmi(tops, corpus.train, corpus.dictionary, cfg.topn)
    doc_vectors = parts.doc_embeddings(cfg, corpus, progress)
    dominant = model.assign(doc_vectors)
    rows = parts.topic_rows(tops, per_topic, dominant, corpus.doc_labels, data.label_names, cfg.topn)
    sizes = np.bincount(model.clusters.labels_, minlength=len(tops)).tolist()
    result.tables["embedding_topics"] = [{**row, "train_documents": size} for row, size in zip(rows, sizes)]
    # Topic scores: closeness to each centre in the reduced space (minus the distance), for AUC and the linear fit.
    view = alignment.TopicView("embedding_topics", "embedding_topic_label", tops, dominant, len(corpus.test),
                               lambda: model.clusters.labels_, -model.distances(doc_vectors),
                               lambda: -model.distances(train))
    add_alignment(result, view, corpus, data)
    result.tables["embedding_elbow"] = model.sweep
    result.figures.update({"embedding_topics_k": float(len(tops)), "embedding_topics_npmi_mean": mean,
                           "embedding_topics_diversity": scores.topic_diversity(tops, cfg.topn)})
    sweeps["embedding topics"] = (model.sweep, len(tops))


def doc_clusters(cfg: Config, data: LabData, corpus: parts.Corpus, result: RecipeResult, sweeps: dict,
                 progress: Progress) -> None:
    """K-means on each document representation: K sweep with elbow and silhouette, then, where each document has
    one class, scores at K = classes (multi-label and regression have no partition to compare with)."""
    labels = corpus.doc_labels
    n_classes = len(data.label_names)
    if len(labels) <= n_classes:
        raise LabError(f"doc_split={cfg.doc_split} has {len(labels)} documents, too few to cluster into "
                       f"{n_classes} classes; use doc_split=all or a larger dataset")
    ks, note = kmeans.k_range(cfg.k_min, cfg.k_max, len(labels), "documents")
    if note:
        result.notes.append(note)
    swept = []
    for name, points in parts.representations(cfg, corpus, progress):
        sweep = kmeans.sweep(points, ks, cfg.seed, bar=progress.over(f"documents ({name}): K", "K"))
        chosen = kmeans.elbow(ks, [row["distortion"] for row in sweep])
        sweeps[f"documents: {name}"] = (sweep, chosen)
        result.tables.setdefault("doc_elbow", []).extend({"representation": name, **row} for row in sweep)
        swept.append((name, points, chosen))
    if alignment.HAS_CLASSES[data.task]:
        doc_cluster_scores(cfg, labels, n_classes, swept, result)


def doc_cluster_scores(cfg: Config, labels: np.ndarray, n_classes: int, swept: list, result: RecipeResult) -> None:
    """Each representation's K-means at K = classes against the classes, over cluster_seeds seeds."""
    seeds = [cfg.seed + i for i in range(cfg.cluster_seeds)]
    rows = []
    for name, points, chosen in swept:
        scores = kmeans.seeded_scores(points, labels, n_classes, seeds)
        rows.append({"representation": name, "k": n_classes, "elbow_k": chosen, **scores})
        result.figures[f"doc_cluster_nmi_{name}"] = scores["nmi_mean"]
    result.tables["doc_cluster_scores"] = rows
    best = max(rows, key=lambda row: row["nmi_mean"])
    for metric in clustering.METRICS:
        result.figures[f"doc_cluster_{metric}"] = best[f"{metric}_mean"]
    result.figures["doc_cluster_nmi_sd"] = best["nmi_sd"]
    result.notes.append(f"best document representation: {best['representation']} "
                        f"(NMI {best['nmi_mean']:.3f} ± {best['nmi_sd']:.3f} over {len(seeds)} seeds, "
                        f"on {len(labels)} {cfg.doc_split} documents)")


def lda_section(cfg: Config, data: LabData, corpus: parts.Corpus, result: RecipeResult, progress: Progress) -> None:
    """LDA on the train split at K = classes (or the sweep's best NPMI); topics, coherence, perplexity, alignment."""
    from lab.topics import lda as topics_lda
    from lab.topics import plots as topics_plots
    lda, k = fit_lda(cfg, data, corpus, result, progress)
    topics = topics_lda.top_words(lda, cfg.topn)
    words = [[word for word, _ in topic] for topic in topics]
    coherence = parts.coherence_table(cfg, lda, corpus)
    theta = topics_lda.doc_topics(lda, corpus.bows(corpus.docs))

    def theta_train():
        return topics_lda.doc_topics(lda, corpus.bows(corpus.train))
    dominant = theta.argmax(axis=1)
    view = alignment.TopicView("lda", "lda_topic_label", words, dominant, len(corpus.test),
                               lambda: theta_train().argmax(axis=1), theta, theta_train)
    aligned, label_tables = alignment.score(view, corpus.doc_labels, data)
    result.figures.update({
        "lda_k": float(k), **aligned,
        "lda_npmi": coherence[-1]["npmi"], "lda_u_mass": coherence[-1]["u_mass"],
        "lda_topic_diversity": scores.topic_diversity(words, cfg.topn),
        "lda_perplexity": topics_lda.perplexity(lda, corpus.bows(corpus.test)),
    })
    if cfg.coherence_c_v:
        result.figures["lda_c_v"] = coherence[-1]["c_v"]
    rows = parts.topic_rows(words, [row["npmi"] for row in coherence[:-1]], dominant, corpus.doc_labels,
                            data.label_names, cfg.topn)
    result.tables["lda_topics"] = [{**row, "top_words": ", ".join(f"{w} {p:.4f}" for w, p in topic)}
                                   for row, topic in zip(rows, topics)]
    result.tables["lda_coherence"] = coherence
    result.tables["lda_doc_topics"] = topics_lda.sample_doc_rows(theta, corpus.doc_labels, data.label_names,
                                                                 corpus.doc_texts, cfg.sample_docs)
    result.tables.update(label_tables)
    result.plots["lda_top_words"] = topics_plots.top_words_figure(topics, cfg.topn)


def add_alignment(result: RecipeResult, view: alignment.TopicView, corpus: parts.Corpus, data: LabData) -> None:
    """How the topic model's topics line up with the labels, in the form the data's task allows."""
    figures, tables = alignment.score(view, corpus.doc_labels, data)
    result.figures.update(figures)
    result.tables.update(tables)


def fit_lda(cfg: Config, data: LabData, corpus: parts.Corpus, result: RecipeResult, progress: Progress):
    """One LDA at the configured K; with lda_k_sweep, one per K and the best NPMI wins (plotted against K)."""
    from lab.topics import lda as topics_lda
    from lab.topics import plots as topics_plots
    train = corpus.bows(corpus.train)

    def fit(k: int):
        restarts = progress.over(f"LDA K={k}: restarts", "fit")(range(cfg.lda_restarts))
        models = [topics_lda.train_lda(train, corpus.dictionary, k, cfg.lda_passes, cfg.lda_iterations,
                                       cfg.lda_chunksize, prior(cfg.lda_alpha), prior(cfg.lda_eta), cfg.seed + i)
                  for i in restarts]
        # Variational LDA can stop in a poor local optimum; the likelihood bound tells the better fit apart.
        return max(models, key=lambda model: model.bound(train)) if len(models) > 1 else models[0]

    if not cfg.lda_k_sweep:
        # Regression has no classes to count: K is then the word clusters' elbow.
        k = cfg.lda_k or len(data.label_names) or int(result.figures["elbow_k"])
        return fit(k), k
    rows, models = [], {}
    for k in sorted(set(cfg.lda_k_sweep)):
        models[k] = fit(k)
        npmi, _ = topics_lda.coherence(models[k], corpus.train, corpus.dictionary, "c_npmi", cfg.topn)
        u_mass, _ = topics_lda.coherence(models[k], corpus.train, corpus.dictionary, "u_mass", cfg.topn)
        words = [[w for w, _ in topic] for topic in topics_lda.top_words(models[k], cfg.topn)]
        rows.append({"k": k, "npmi": npmi, "u_mass": u_mass,
                     "topic_diversity": scores.topic_diversity(words, cfg.topn)})
    best = max(rows, key=lambda row: row["npmi"])["k"]
    result.tables["lda_sweep"] = rows
    result.plots["lda_coherence"] = topics_plots.coherence_figure(rows, best)
    result.notes.append(f"LDA K sweep {[row['k'] for row in rows]}: K={best} has the best NPMI")
    return models[best], best
