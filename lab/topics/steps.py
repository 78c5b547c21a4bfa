"""The topics recipe's data preparation and table building, kept apart so recipes/topics.py reads as the method."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from lab.data import text
from lab.errors import LabError


@dataclass
class Corpus:
    """Tokenized splits. `docs` are the documents that clusterings are scored on (cfg.doc_split)."""

    train: list[list[str]]
    test: list[list[str]]
    docs: list[list[str]]
    doc_texts: list[str]
    doc_labels: np.ndarray
    dictionary: object  # gensim Dictionary fitted on train
    min_count: int  # the document-frequency floor actually used
    train_texts: list[str] = field(default_factory=list)  # the raw training texts, for the encoder
    options: text.TextOptions = text.TextOptions()  # how the texts were tokenized, for contextual word vectors
    cache: dict = field(default_factory=dict)  # the encoder and its outputs, computed once and shared

    def bows(self, documents: list[list[str]]) -> list[list[tuple[int, int]]]:
        return [self.dictionary.doc2bow(document) for document in documents]

    def frequent_words(self, count: int) -> list[str]:
        """Vocabulary words by falling document frequency (ties by word, so the order is reproducible)."""
        dfs = self.dictionary.dfs
        ids = sorted(dfs, key=lambda i: (-dfs[i], self.dictionary[i]))
        return [self.dictionary[i] for i in ids[:count]]


def capped_train(data, cap: int | None, seed: int, notes: list[str]):
    """At most `cap` training documents, a stratified seeded sample (as the data-efficiency curve draws them):
    LDA, the vocabulary and Word2Vec learn from it; the scored documents (doc_split) stay whole."""
    from lab.data.dataset import subsample_train

    total = len(data.texts("train"))
    if cap is None or cap >= total:
        return data
    if cap < len(data.label_names):
        raise LabError(f"max_train_documents={cap} is below the {len(data.label_names)} classes; give at least "
                       f"{len(data.label_names)}, or leave it out")
    notes.append(f"topics learnt from a stratified sample of {cap:,} of the {total:,} training documents "
                 f"(max_train_documents=; leave it out for all of them)")
    return replace(subsample_train(data, cap, seed), spec=data.spec)


def prepare(cfg, data, notes: list[str]) -> Corpus:
    """Preprocess every split with the config's switches; phrases and vocabulary are learnt on train only."""
    options = text.TextOptions(cfg.lowercase, cfg.remove_stop_words, cfg.lemmatize, cfg.min_token_length,
                               tuple(cfg.extra_stop_words))
    split_names = ("train", "validation", "test")
    tokens = {name: text.preprocess(data.texts(name), options) for name in split_names}
    if cfg.bigrams:
        phraser = text.fit_phrases(tokens["train"], min_count=cfg.bigram_min_count)
        tokens = {name: text.apply_phrases(phraser, documents) for name, documents in tokens.items()}
    # A floor of 5 documents would empty the vocabulary of a 30-document corpus: cap it at a tenth of train.
    below = max(1, min(cfg.no_below, len(tokens["train"]) // 10))
    if below != cfg.no_below:
        notes.append(f"no_below lowered from {cfg.no_below} to {below} for {len(tokens['train'])} training documents")
    dictionary = text.build_dictionary(tokens["train"], below, cfg.no_above, cfg.keep_n)
    if len(dictionary) < 2:
        raise LabError(f"the vocabulary has {len(dictionary)} word(s) after preprocessing and filtering; "
                       f"lower no_below, raise no_above, or switch off remove_stop_words")
    scored = split_names if cfg.doc_split == "all" else ("test",)
    return Corpus(
        train=tokens["train"], test=tokens["test"],
        docs=[document for name in scored for document in tokens[name]],
        doc_texts=[t for name in scored for t in data.texts(name)],
        doc_labels=np.concatenate([data.labels(name) for name in scored]),
        dictionary=dictionary, min_count=below, train_texts=data.texts("train"), options=options,
    )


def encoder_of(cfg, corpus: Corpus):
    from lab.topics import encoder

    if "encoder" not in corpus.cache:
        corpus.cache["encoder"] = encoder.load(cfg.encoder, cfg.embed_precision)
    return corpus.cache["encoder"]


def train_encoding(cfg, corpus: Corpus, progress, words: list[str] | None = None):
    """(embeddings of the training texts, contextual vectors of `words` or None): one encoder pass over the
    training texts, shared by the contextual word vectors and the embedding topics. Asking for words after a pass
    without them makes a second pass."""
    from lab.topics import encoder

    cached = corpus.cache.get("train")
    if cached is None or (words is not None and cached[1] is None):
        with progress.bar(len(corpus.train_texts), "encoding training texts", "doc") as bar:
            cached = corpus.cache["train"] = encoder.read(
                encoder_of(cfg, corpus), corpus.train_texts, corpus.options if words is not None else None,
                words or [], cfg.embed_batch_size, cfg.embed_max_length, bar)
    return cached


def doc_embeddings(cfg, corpus: Corpus, progress) -> np.ndarray:
    """Embeddings of the scored documents (doc_split), for the minilm representation and the embedding topics."""
    from lab.topics import encoder

    if "docs" not in corpus.cache:
        with progress.bar(len(corpus.doc_texts), "encoding scored texts", "doc") as bar:
            corpus.cache["docs"] = encoder.read(encoder_of(cfg, corpus), corpus.doc_texts, None, [],
                                                cfg.embed_batch_size, cfg.embed_max_length, bar)[0]
    return corpus.cache["docs"]


def representations(cfg, corpus: Corpus, progress):
    """(name, matrix) for each configured document representation, computed lazily and shared (lsa+minilm)."""
    from lab.topics import vectors as topics_vectors
    cache: dict[str, object] = {}

    def get(name: str):
        if name not in cache:
            if name == "tfidf":
                cache[name] = topics_vectors.tfidf(corpus.train, corpus.docs)[0]
            elif name == "lsa":
                cache[name] = topics_vectors.lsa(corpus.train, corpus.docs, cfg.lsa_components, cfg.seed)
            elif name == "minilm":
                cache[name] = doc_embeddings(cfg, corpus, progress)
            else:  # both unit-length blocks side by side, scaled so each row stays unit length
                cache[name] = np.hstack([get("lsa"), get("minilm")]) / np.sqrt(2)
        return cache[name]

    for name in dict.fromkeys(cfg.representations):
        yield name, get(name)


def topic_rows(topics: list[list[str]], per_topic_npmi: list[float], dominant: np.ndarray, labels: np.ndarray,
               label_names: list[str], topn: int) -> list[dict]:
    """One row per topic, the same for every topic model: its top words, NPMI, how many scored documents it is
    the topic of, and what they carry most (the commonest label; regression: their mean target; empty if none)."""
    rows = []
    for topic, words in enumerate(topics):
        mine = labels[dominant == topic]
        rows.append({"topic": topic, "top_words": " ".join(words[:topn]), "npmi": per_topic_npmi[topic],
                     "documents": int(len(mine)), "label": commonest_label(mine, label_names) if len(mine) else ""})
    return rows


def commonest_label(labels: np.ndarray, label_names: list[str]) -> str:
    """The label most of these documents carry: class ids (n,), a 0/1 matrix (n, L), or targets (regression)."""
    if labels.ndim == 2:
        return label_names[int(np.argmax(labels.sum(axis=0)))]
    if not label_names:
        return f"mean {float(labels.mean()):.3g}"
    return label_names[int(np.argmax(np.bincount(labels, minlength=len(label_names))))]


def coherence_table(cfg, lda, corpus: Corpus) -> list[dict]:
    """Per-topic NPMI (main figure), u_mass and, if asked, c_v (secondary), on the tokenized train corpus;
    the last row holds the means."""
    from lab.topics import lda as topics_lda
    measures = {"npmi": "c_npmi", "u_mass": "u_mass"}
    if cfg.coherence_c_v:
        measures["c_v"] = "c_v"
    values = {name: topics_lda.coherence(lda, corpus.train, corpus.dictionary, measure, cfg.topn)
              for name, measure in measures.items()}
    rows = [{"topic": topic, **{name: per_topic[topic] for name, (_, per_topic) in values.items()}}
            for topic in range(lda.num_topics)]
    rows.append({"topic": "mean", **{name: mean for name, (mean, _) in values.items()}})
    return rows
