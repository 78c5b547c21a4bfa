"""Topics: K-means word and document clusters and LDA topics, each scored against the dataset's labels.

Data use: every unsupervised model (phrases, vocabulary, Word2Vec, TF-IDF/LSA, LDA) is fitted on the train split
only. Document clusters and LDA's dominant topics are scored on `doc_split`: the test split by default (held out,
and small enough to embed with MiniLM on a CPU in seconds), or all splits with doc_split=all (for tiny corpora).
LDA's perplexity is always on the test split. No classifier is trained, so RecipeResult.models stays empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from lab.evaluation import clustering
from lab.topics import kmeans
from lab.config import CommonConfig
from lab.data import LabData
from lab.errors import LabError
from lab.results import RecipeResult
from lab.topics import steps as parts
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
    word_vectors: str | None = None  # GloVe or word2vec file; None: train Word2Vec on the train split
    w2v_size: int = 100
    w2v_window: int = 5
    w2v_epochs: int = 10
    w2v_workers: int = 1  # >1 is faster but Word2Vec is then not reproducible
    cluster_words: int = 2000  # cluster the most frequent vocabulary words (K-means cost grows with it)
    k_min: int = 2
    k_max: int = 15
    nearest_words: int = 10  # words shown per word cluster, besides the one nearest its centre
    # 3. document clusters
    doc_split: Literal["test", "all"] = "test"
    representations: list[Representation] = field(default_factory=lambda: ["tfidf", "lsa", "minilm"])
    lsa_components: int = 100
    encoder: str = "minilm-l6"  # alias of the offline all-MiniLM-L6-v2, or a local model folder
    embed_batch_size: int = 64
    embed_max_length: int = 256
    cluster_seeds: int = 5
    # 4. LDA
    lda_k: int | None = None  # None: the number of classes
    lda_k_sweep: list[int] = field(default_factory=list)  # if given, K with the best NPMI among these
    lda_passes: int = 10
    lda_iterations: int = 100
    lda_chunksize: int = 2000  # documents per update; >= the training set makes each pass one full update
    lda_restarts: int = 3  # >1: fit with several seeds, keep the best training likelihood bound (no labels used)
    lda_alpha: str = "auto"
    lda_eta: str = "auto"
    topn: int = 10
    coherence_c_v: bool = True  # secondary: its author advises against c_v; it costs a few seconds
    sample_docs: int = 5


def run(cfg: Config, data: LabData) -> RecipeResult:
    check(cfg)
    from lab.topics import plots as topics_plots
    result = RecipeResult()
    corpus = parts.prepare(cfg, data, result.notes)
    sweeps: dict[str, tuple[list[dict], int]] = {}
    word_clusters(cfg, corpus, result, sweeps)
    doc_clusters(cfg, data, corpus, result, sweeps)
    result.plots["elbow"] = topics_plots.elbow_figure({name: rows for name, (rows, _) in sweeps.items()},
                                                      {name: k for name, (_, k) in sweeps.items()})
    lda_section(cfg, data, corpus, result)
    return result


def check(cfg: Config) -> None:
    """The priors; numeric keys are bounded by lab.config.LIMITS when the config is built."""
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


def word_clusters(cfg: Config, corpus: parts.Corpus, result: RecipeResult, sweeps: dict) -> None:
    """K-means over word vectors across K; elbow picks K; each cluster is read off the words nearest its centre."""
    from lab.topics import vectors as topics_vectors
    from lab.models import word_vectors
    if cfg.word_vectors:
        vectors = word_vectors.load_word_vectors(cfg.word_vectors, "word_vectors")
    else:
        vectors = word_vectors.train_word2vec(corpus.train, cfg.w2v_size, cfg.w2v_window, corpus.min_count,
                                              cfg.w2v_epochs, cfg.seed, cfg.w2v_workers)
    words, matrix = topics_vectors.word_matrix(vectors, corpus.frequent_words(cfg.cluster_words))
    if len(words) < 3:
        raise LabError(f"only {len(words)} vocabulary words have a vector; give word_vectors= for this "
                       f"language, or lower no_below")
    ks, note = kmeans.k_range(cfg.k_min, cfg.k_max, len(words), "words")
    if note:
        result.notes.append(note)
    rows = kmeans.sweep(matrix, ks, cfg.seed)
    chosen = kmeans.elbow(ks, [row["distortion"] for row in rows])
    model = kmeans.fit_kmeans(matrix, chosen, cfg.seed)
    result.tables["word_elbow"] = rows
    result.tables["word_clusters"] = parts.word_cluster_rows(words, matrix, model, cfg.nearest_words)
    result.figures["elbow_k"] = float(chosen)
    result.figures["elbow_silhouette"] = next(row["silhouette"] for row in rows if row["k"] == chosen)
    result.figures["word_vocabulary"] = float(len(words))
    sweeps["words"] = (rows, chosen)


def doc_clusters(cfg: Config, data: LabData, corpus: parts.Corpus, result: RecipeResult, sweeps: dict) -> None:
    """K-means on each document representation: K sweep with elbow and silhouette, then scores at K = classes."""
    labels = corpus.doc_labels
    n_classes = len(data.label_names)
    if len(labels) <= n_classes:
        raise LabError(f"doc_split={cfg.doc_split} has {len(labels)} documents, too few to cluster into "
                       f"{n_classes} classes; use doc_split=all or a larger dataset")
    seeds = [cfg.seed + i for i in range(cfg.cluster_seeds)]
    ks, note = kmeans.k_range(cfg.k_min, cfg.k_max, len(labels), "documents")
    if note:
        result.notes.append(note)
    rows = []
    for name, points in parts.representations(cfg, corpus):
        sweep = kmeans.sweep(points, ks, cfg.seed)
        chosen = kmeans.elbow(ks, [row["distortion"] for row in sweep])
        sweeps[f"documents: {name}"] = (sweep, chosen)
        result.tables.setdefault("doc_elbow", []).extend({"representation": name, **row} for row in sweep)
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


def lda_section(cfg: Config, data: LabData, corpus: parts.Corpus, result: RecipeResult) -> None:
    """LDA on the train split at K = classes (or the sweep's best NPMI); topics, coherence, perplexity, alignment."""
    from lab.topics import lda as topics_lda
    from lab.topics import plots as topics_plots
    lda, k = fit_lda(cfg, data, corpus, result)
    topics = topics_lda.top_words(lda, cfg.topn)
    words = [[word for word, _ in topic] for topic in topics]
    coherence = parts.coherence_table(cfg, lda, corpus)
    theta = topics_lda.doc_topics(lda, corpus.bows(corpus.docs))
    dominant = theta.argmax(axis=1)
    alignment = clustering.cluster_scores(corpus.doc_labels, dominant)
    result.figures.update({
        "lda_k": float(k), "lda_nmi": alignment["nmi"], "lda_ari": alignment["ari"],
        "lda_npmi": coherence[-1]["npmi"], "lda_u_mass": coherence[-1]["u_mass"],
        "lda_topic_diversity": topics_lda.topic_diversity(words, cfg.topn),
        "lda_perplexity": topics_lda.perplexity(lda, corpus.bows(corpus.test)),
    })
    if cfg.coherence_c_v:
        result.figures["lda_c_v"] = coherence[-1]["c_v"]
    result.tables["lda_topics"] = [{"topic": i, "top_words": ", ".join(f"{w} {p:.4f}" for w, p in topic)}
                                   for i, topic in enumerate(topics)]
    result.tables["lda_coherence"] = coherence
    result.tables["lda_doc_topics"] = topics_lda.sample_doc_rows(theta, corpus.doc_labels, data.label_names,
                                                                 corpus.doc_texts, cfg.sample_docs)
    result.tables["lda_topic_label"] = topics_lda.topic_label_table(dominant, corpus.doc_labels, data.label_names,
                                                                    k, words)
    result.plots["lda_top_words"] = topics_plots.top_words_figure(topics, cfg.topn)


def fit_lda(cfg: Config, data: LabData, corpus: parts.Corpus, result: RecipeResult):
    """One LDA at the configured K; with lda_k_sweep, one per K and the best NPMI wins (plotted against K)."""
    from lab.topics import lda as topics_lda
    from lab.topics import plots as topics_plots
    train = corpus.bows(corpus.train)

    def fit(k: int):
        models = [topics_lda.train_lda(train, corpus.dictionary, k, cfg.lda_passes, cfg.lda_iterations,
                                       cfg.lda_chunksize, prior(cfg.lda_alpha), prior(cfg.lda_eta), cfg.seed + i)
                  for i in range(cfg.lda_restarts)]
        # Variational LDA can stop in a poor local optimum; the likelihood bound tells the better fit apart.
        return max(models, key=lambda model: model.bound(train)) if len(models) > 1 else models[0]

    if not cfg.lda_k_sweep:
        k = cfg.lda_k or len(data.label_names)
        return fit(k), k
    rows, models = [], {}
    for k in sorted(set(cfg.lda_k_sweep)):
        models[k] = fit(k)
        npmi, _ = topics_lda.coherence(models[k], corpus.train, corpus.dictionary, "c_npmi", cfg.topn)
        u_mass, _ = topics_lda.coherence(models[k], corpus.train, corpus.dictionary, "u_mass", cfg.topn)
        words = [[w for w, _ in topic] for topic in topics_lda.top_words(models[k], cfg.topn)]
        rows.append({"k": k, "npmi": npmi, "u_mass": u_mass,
                     "topic_diversity": topics_lda.topic_diversity(words, cfg.topn)})
    best = max(rows, key=lambda row: row["npmi"])["k"]
    result.tables["lda_sweep"] = rows
    result.plots["lda_coherence"] = topics_plots.coherence_figure(rows, best)
    result.notes.append(f"LDA K sweep {[row['k'] for row in rows]}: K={best} has the best NPMI")
    return models[best], best
