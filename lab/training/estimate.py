"""A recipe's expected wall time from the sizes it was given and rates measured on real machines.

Cheap by design, so it can run before every recipe: no tokenizer is loaded. Token counts are approximated from
whitespace words on a sample of the train texts (TOKENS_PER_WORD), and cut at the recipe's max_length.
The figure is an upper bound where early stopping ends training before the last epoch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

HOUR = 3600.0
SAMPLE = 500  # train texts whose words are counted
DEVICE_NAMES = {"cpu": "CPU", "cuda": "GPU"}
CPU_ONLY = {"topics"}  # its encoder, gensim and scikit-learn run on the CPU whatever the machine has
# WordPiece tokens per whitespace word, plus the [CLS]/[SEP] pair: all-MiniLM-L6-v2's tokenizer on the bbc-news
# train split gave 1.269 (489.7 tokens for 385.9 words per article), and the estimate's mean at 256 tokens, 251.07,
# matched the tokenizer's own to 0.01
TOKENS_PER_WORD = {"wordpiece": (1.27, 2), "words": (1.0, 0), "texts": (0.0, 1)}  # texts: the cost is per text


@dataclass(frozen=True)
class Rate:
    """A recipe's measured throughput, in tokens (examples x tokens each) per second."""

    train: float  # training steps: forward, backward and optimizer update (classical: the fits)
    infer: float  # scoring the validation split after each epoch, and the test split once
    setup: float = 0.0  # fixed seconds before the first step: loading the model, building the network
    tokens: str = "wordpiece"  # how TOKENS_PER_WORD turns words into the model's tokens
    machine: str = "a 2-core AMD EPYC"  # where the rates were measured, named in the note
    # work before training that grows with the train split: train-split tokens per second of one pass, and the
    # passes a config makes (Word2Vec's epochs, the vectorizer's one)
    prepare: float | None = None
    prepare_passes: Callable[[object], int] = lambda cfg: 1
    prepare_cap: Callable[[object], int | None] = lambda cfg: None  # the train texts it reads at most (None: all)
    train_cost: Callable[[object], float] = lambda cfg: 1.0  # a config's training work per unit, relative to `train`'s
    validates: bool = True  # scores the validation split after every epoch (the torch recipes)
    per_output: bool = False  # the work grows with the classes or labels too (one-vs-rest linear models)


@dataclass(frozen=True)
class TopicsRate:
    """The topics recipe trains no network: its work is the encoder's passes, Word2Vec's epochs and LDA's passes
    over the training words, the K-means sweeps, and per-document work. Each rate is in topics_units per second."""

    encode: float  # (wordpieces + ENCODED_TEXT_PIECES) per text through the sentence encoder
    word2vec: float  # training words x Word2Vec epochs
    lda: float  # (words + LDA_DOCUMENT_WORDS) per training document x LDA passes x fits (restarts, K sweep)
    kmeans: float  # points x K values of the sweeps, plus points x seeds of the seeded scores
    documents: float  # (words + DOCUMENT_WORDS) per document of every split x analyses: the rest of the recipe
    setup: float = 0.0  # seconds to load the encoder, where one is used
    machine: str = "a 2-core CPU"


@dataclass(frozen=True)
class TopicsWork:
    """What a topics config will process on this data (topics_work)."""

    train: int  # training documents, after max_train_documents
    scored: int  # documents scored (doc_split)
    documents: int  # every split's documents
    words: float  # mean whitespace words per training text
    wordpieces: float  # mean wordpieces per text, cut at embed_max_length
    encoded: int  # texts through the encoder (0: no encoder)
    w2v_epochs: int  # 0 without Word2Vec
    lda_passes: int  # passes x restarts x K values
    kmeans_points: int  # points x K values, plus points x seeds
    analyses: int  # document representations scored, plus the embedding topics


# A document costs more than its words: a text through the encoder about 44 wordpieces more (its batch's padding and
# Python's per-text work), an LDA document 46 words more (its own E-step iterations), a document in the rest of the
# recipe 20 words more. Each pair (fixed cost, rate) was solved from two measured lengths, 20-word sentences and
# 390-word articles (benchmarks/topics_rates.py, topics_encode.py).
ENCODED_TEXT_PIECES = 44
LDA_DOCUMENT_WORDS = 46
DOCUMENT_WORDS = 20


# (recipe, device) -> Rate; a recipe with no measured rate on the device gets no estimate
RATES = {
    # all-MiniLM-L6-v2, batch 16, attention_dropout=0, bf16 autocast, the default `lab run all` on bbc-news on a
    # quiet 2-core AMD EPYC (Zen 5, avx512_bf16): training steps 18.3 examples/s x 256 tokens, validation and test
    # scoring 60 examples/s, setup 2.4 s, rounded up (benchmarks/README.md, transformer_speed.py). The 2-core Xeon
    # with AMX of earlier sessions trained at about half that rate: read the figure as within 2x.
    ("transformer", "cpu"): Rate(train=18.3 * 256, infer=60.0 * 256, setup=5.0),
    # the lab's full-precision training steps on an H100 (auto's choice for MiniLM there), bbc-news at 128 tokens:
    # 628 examples/s (612 in bf16; benchmarks/README.md); inference taken as 3x training (a forward pass is a third
    # of a step)
    ("transformer", "cuda"): Rate(train=628 * 128, infer=3 * 628 * 128, setup=10.0,
                                      machine="an H100"),
    # the default configs on bbc-news and 30,000 short texts, fitted by benchmarks/recipe_rates.py on a quiet
    # 2-core AMD EPYC; rerun with --check, each estimate was within 16% of its wall but bow_ffn's 4-second
    # bbc-news run (31% under). The lstm: words (cut at max_length) per
    # second, its preparation Word2Vec's w2v_epochs passes. bow_ffn: texts per second (its cost is per optimizer
    # step, not per word: 24k sentences took 9x the time of 1.7k articles), the vectorizer its preparation.
    # classical: words x classes per second, all of its models' fits and scoring together (one-vs-rest).
    ("lstm", "cpu"): Rate(train=53_000, infer=190_000, tokens="words", prepare=450_000,
                          prepare_passes=lambda cfg: cfg.w2v_epochs if cfg.embedding_init == "word2vec" else 0,
                          prepare_cap=lambda cfg: cfg.w2v_max_texts),
    # bow_ffn's train rate was 8,800 at hidden [64]; hidden [256] (the default since 66ca450) made an epoch 2.1x
    # (bbc-news) and 2.5x (30,000 short texts) as long on a 2-core Xeon (recipe_rates.py --check at both widths),
    # so the EPYC's rate is divided by 2.3 for [256], and other widths scale on the line through the two
    # (width_cost).
    ("bow_ffn", "cpu"): Rate(train=3_800, infer=86_000, setup=1.5, tokens="texts", prepare=22_000,
                             train_cost=lambda cfg: width_cost(sum(cfg.hidden))),
    ("classical", "cpu"): Rate(train=480_000, infer=float("inf"), tokens="words", validates=False, per_output=True),
    # topics: benchmarks/topics_rates.py (default and quick on bbc-news and 30,000 short texts), pooled, on the
    # 2-core Xeon with AMX of 2026-12-06, which ran the transformer at about the EPYC's rate above (20 against 18
    # examples/s); setup is the encoder's cold load. The rates of 2026-12-03, from a Xeon 2-3x slower, put every
    # estimate about 3x over its wall here (163 s for 56 s; benchmarks/README.md).
    ("topics", "cpu"): TopicsRate(encode=31_300, word2vec=1_462_000, lda=1_118_000, kmeans=12_550, documents=203_000,
                                  setup=5.0, machine="a 2-core Intel Xeon"),
}


def width_cost(width: int) -> float:
    """bow_ffn's seconds per text at this total hidden width, relative to [256]'s: on the line through the two
    measured widths, 1/8,800 s at 64 and 1/3,800 s at 256 (the first layer, vocabulary x width, dominates)."""
    per_width = (1 / 3_800 - 1 / 8_800) / (256 - 64)
    fixed = 1 / 8_800 - 64 * per_width
    return (fixed + per_width * width) / (fixed + per_width * 256)


@dataclass(frozen=True)
class Sizes:
    """What a recipe will process: split sizes, mean tokens per text as the model sees them, and epochs."""

    train: int
    validation: int
    test: int
    tokens: float
    epochs: int = 1
    budget: float | None = None  # max_train_seconds: the training steps stop there
    passes: float = 1.0  # passes over the train split per epoch (min_steps makes more on a small split)
    prepare_passes: int = 0  # passes of the work before training (Rate.prepare)
    outputs: int = 1  # the classes or labels the training work is multiplied by (Rate.per_output)
    prepared: int | None = None  # train texts the preparation reads (Rate.prepare_cap); None: every one
    cost: float = 1.0  # training work per unit relative to the rate's (Rate.train_cost)


def expected_seconds(sizes: Sizes, rate: Rate) -> float:
    """Setup and preparation, every epoch's training steps (at most the budget) and validation pass, and one
    test pass."""
    read = sizes.train if sizes.prepared is None else sizes.prepared
    prepared = read * sizes.tokens * sizes.prepare_passes / rate.prepare if rate.prepare else 0.0
    trained = sizes.train * sizes.epochs * sizes.passes * sizes.tokens * sizes.outputs * sizes.cost / rate.train
    if sizes.budget is not None:
        trained = min(trained, sizes.budget)
    validations = sizes.epochs if rate.validates else 0
    scored = (sizes.validation * validations + sizes.test) * sizes.tokens / rate.infer
    return rate.setup + prepared + trained + scored


def mean_tokens(word_counts: list[int], max_length: int | None, tokens: str = "wordpiece") -> float:
    """Mean tokens per text from whitespace word counts, each text cut at max_length (None: uncut)."""
    per_word, special = TOKENS_PER_WORD[tokens]
    if not word_counts:
        return 0.0
    cut = max_length if max_length is not None else float("inf")
    return sum(min(cut, words * per_word + special) for words in word_counts) / len(word_counts)


def sample_word_counts(texts: list[str], limit: int = SAMPLE) -> list[int]:
    """Word counts of up to `limit` texts spread evenly over the list (not the first ones: files are often sorted)."""
    step = max(1, len(texts) // limit)
    return [len(text.split()) for text in texts[::step][:limit]]


def duration(seconds: float) -> str:
    """under 1 s, 45 s, 12 min, 1 h 40 min."""
    if seconds < 0.5:
        return "under 1 s"
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


def about(seconds: float) -> str:
    return duration(seconds) if seconds < 0.5 else f"about {duration(seconds)}"


def estimate_line(recipe: str, cfg, data, device: str | None = None) -> str | None:
    """The note printed before a recipe starts: its expected wall time, and past an hour on CPU the knobs that
    shorten it. None when the recipe has no measured rate on this device. Print it as f"note: {line}"."""
    device = "cpu" if recipe in CPU_ONLY else device or current_device()
    rate = RATES.get((recipe, device))
    if rate is None:
        return None
    if isinstance(rate, TopicsRate):
        return topics_line(cfg, data, rate, device)
    sizes = recipe_sizes(cfg, data, rate)
    seconds = expected_seconds(sizes, rate)
    epochs = f" x {sizes.epochs} epoch{'s' if sizes.epochs != 1 else ''}" if hasattr(cfg, "epochs") else ""
    unit = "tokens" if rate.tokens == "wordpiece" else rate.tokens
    each = f" at about {sizes.tokens:.0f} {unit} each" if rate.tokens != "texts" else ""
    outputs = f", {sizes.outputs} output{'s' if sizes.outputs != 1 else ''}" if rate.per_output else ""
    line = (f"{recipe}: expected wall time {about(seconds)} on this {DEVICE_NAMES.get(device, device)} "
            f"({sizes.train:,} training texts{epochs}{each}{outputs}, at rates measured on {rate.machine}"
            f"{'; early stopping can end it sooner' if hasattr(cfg, 'patience') else ''})")
    if device == "cpu" and seconds > HOUR:
        line += f"; over an hour on CPU: to shorten it, give {', '.join(shorter(cfg, sizes, rate))}"
    return line


def recipe_sizes(cfg, data, rate: Rate) -> Sizes:
    """The sizes a config will process on this data: caps, the token count cut at max_length, and the passes."""
    texts = data.texts("train")
    train = capped(len(texts), getattr(cfg, "max_train_examples", None))
    epochs = getattr(cfg, "epochs", 1)
    return Sizes(train=train,
                 validation=capped(len(data.texts("validation")), getattr(cfg, "max_validation_examples", None)),
                 test=len(data.texts("test")),
                 tokens=mean_tokens(sample_word_counts(texts), getattr(cfg, "max_length", None), rate.tokens),
                 epochs=epochs, budget=getattr(cfg, "max_train_seconds", None),
                 passes=passes_per_epoch(cfg, train, epochs), prepare_passes=rate.prepare_passes(cfg),
                 outputs=data.num_outputs if rate.per_output else 1,
                 prepared=capped(train, rate.prepare_cap(cfg)), cost=rate.train_cost(cfg))


def passes_per_epoch(cfg, train: int, epochs: int) -> float:
    """As the shared loop plans them (lab.training.schedule.steps_per_epoch): more than one on a split too small for
    min_steps."""
    if not getattr(cfg, "min_steps", 0):
        return 1.0
    from lab.training.schedule import steps_per_epoch  # torch: only for the torch recipes, which import it anyway

    per_pass = math.ceil(train / (cfg.batch_size * getattr(cfg, "grad_accum_steps", 1)))
    return steps_per_epoch(per_pass, epochs, cfg.min_steps) / max(1, per_pass)


def capped(count: int, cap: int | None) -> int:
    return count if cap is None else min(count, cap)


def shorter(cfg, sizes: Sizes, rate: Rate) -> list[str]:
    """The knobs this config has that cut the time, with values that bring it near an hour, and a GPU."""
    knobs = []
    if hasattr(cfg, "max_train_examples"):
        fixed = expected_seconds(Sizes(0, sizes.validation, sizes.test, sizes.tokens, sizes.epochs), rate)
        training = expected_seconds(sizes, rate) - fixed
        fitting = int(sizes.train * (HOUR - fixed) / training) if training > 0 else 0
        if fitting > 0:
            knobs.append(f"max_train_examples={round_down(fitting)}")
    if getattr(cfg, "max_length", None) and cfg.max_length > 128:
        knobs.append("max_length=128")
    knobs.append("a GPU")
    return knobs


def round_down(count: int) -> int:
    """To two significant digits, downwards: 12,345 -> 12,000."""
    scale = 10 ** max(0, len(str(count)) - 2)
    return count // scale * scale


def current_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def topics_work(cfg, data) -> TopicsWork:
    """The topics recipe's work, from its config and the split sizes (recipes/topics.py decides the same)."""
    texts = data.texts("train")
    train = capped(len(texts), cfg.max_train_documents)
    others = len(data.texts("validation")) + len(data.texts("test"))
    scored = len(data.texts("test")) if cfg.doc_split == "test" else train + others
    counts = sample_word_counts(texts)
    own_vectors = cfg.word_vectors is None
    encodes_train = cfg.embedding_topics or (own_vectors and cfg.word_vector_source.startswith("encoder"))
    encodes_scored = cfg.embedding_topics or any("minilm" in name for name in cfg.representations)
    k_values = max(0, cfg.k_max - cfg.k_min + 1)
    swept = cfg.cluster_words + scored * len(cfg.representations) + (train if cfg.embedding_topics else 0)
    return TopicsWork(train=train, scored=scored, documents=train + others,
                      words=sum(counts) / len(counts) if counts else 0.0,
                      wordpieces=mean_tokens(counts, cfg.embed_max_length),
                      encoded=train * encodes_train + scored * encodes_scored,
                      w2v_epochs=cfg.w2v_epochs if own_vectors and cfg.word_vector_source == "word2vec" else 0,
                      lda_passes=cfg.lda_passes * cfg.lda_restarts * max(1, len(cfg.lda_k_sweep)),
                      kmeans_points=swept * k_values + scored * len(cfg.representations) * cfg.cluster_seeds,
                      analyses=len(cfg.representations) + cfg.embedding_topics)


def topics_units(work: TopicsWork) -> dict[str, float]:
    """Each TopicsRate term's units of work."""
    return {"encode": work.encoded * (work.wordpieces + ENCODED_TEXT_PIECES),
            "word2vec": work.train * work.words * work.w2v_epochs,
            "lda": work.train * (work.words + LDA_DOCUMENT_WORDS) * work.lda_passes,
            "kmeans": float(work.kmeans_points),
            "documents": work.documents * (work.words + DOCUMENT_WORDS) * work.analyses}


def topics_seconds(work: TopicsWork, rate: TopicsRate) -> float:
    units = topics_units(work)
    setup = rate.setup if work.encoded else 0.0
    return setup + sum(units[term] / getattr(rate, term) for term in units)


def topics_line(cfg, data, rate: TopicsRate, device: str) -> str:
    work = topics_work(cfg, data)
    seconds = topics_seconds(work, rate)
    encoder = f", {work.encoded:,} texts through the encoder" if work.encoded else ", no encoder"
    line = (f"topics: expected wall time {about(seconds)} on this {DEVICE_NAMES.get(device, device)} "
            f"({work.train:,} training documents{encoder}, at rates measured on {rate.machine})")
    if device == "cpu" and seconds > HOUR:
        line += "; over an hour on CPU: to shorten it, give max_train_documents= or --config quick (no encoder)"
    return line
