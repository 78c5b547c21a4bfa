"""A (bi)LSTM over word embeddings (random, Word2Vec on the train split, or a vectors file), length-bucketed."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from lab.training.torch_recipe import TrainConfig
from lab.data import LabData
from lab.evaluation.efficiency import measure
from lab.errors import LabError
from lab.results import RecipeResult

PAD, UNK = "<pad>", "<unk>"
TOKEN = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?|[^\sa-z0-9]", re.IGNORECASE)


@dataclass
class Config(TrainConfig):
    lowercase: bool = True
    min_freq: int = 2  # a word seen fewer times in the train split becomes <unk>
    max_vocab: int = 30000  # including <pad> and <unk>
    max_length: int = 400  # tokens kept per text (this tokenizer, bbc-news train: median 388, 90th pct 716);
    # 400 keeps 76% of all tokens, and the topic shows early (validation macro-F1 as good as with 700, ~1/3 faster)
    embedding_init: Literal["random", "word2vec", "file"] = "word2vec"
    vectors_path: str | None = None  # embedding_init=file: GloVe .txt, or word2vec .txt/.vec/.bin (format sniffed)
    embedding_dim: int = 200  # ignored for embedding_init=file: the file's dimension is used
    w2v_epochs: int = 30  # passes over the train split: few articles, so more passes (chosen by CV, see default.yaml)
    w2v_window: int = 5
    # Word2Vec learns from at most this many training texts (a seeded sample; None: all of them). The vocabulary
    # and the LSTM still see every text; a word outside the sample starts from a random vector
    w2v_max_texts: int | None = None
    freeze_embeddings: bool = False
    hidden_size: int = 64
    num_layers: int = 1
    bidirectional: bool = True
    pooling: Literal["last", "max", "mean"] = "max"
    packed: bool | None = None  # pack_padded_sequence; None: packed on GPU (cuDNN), padded on CPU (see lab/models/lstm.py)
    dropout: float = 0.2
    lr: float = 6e-3
    weight_decay: float = 0.0


def tokenize(text: str, lowercase: bool = True) -> list[str]:
    """Words (with a trailing clitic: "it's") and single punctuation marks."""
    return TOKEN.findall(text.lower() if lowercase else text)


def build_vocab(token_lists: list[list[str]], min_freq: int, max_size: int) -> list[str]:
    """Index -> token: <pad>=0, <unk>=1, then by descending train frequency (ties alphabetical, so reproducible)."""
    counts = Counter(token for tokens in token_lists for token in tokens)
    kept = sorted((t for t, c in counts.items() if c >= min_freq), key=lambda t: (-counts[t], t))
    return [PAD, UNK] + kept[:max(0, max_size - 2)]


def encode(token_lists: list[list[str]], index: dict[str, int], max_length: int) -> list[np.ndarray]:
    """Token ids, truncated to max_length; an empty text becomes one <unk> so every sequence has a length."""
    return [np.asarray([index.get(t, 1) for t in tokens[:max_length]] or [1], dtype=np.int64) for tokens in token_lists]


class BucketBatchSampler:
    """Batches of similar length (little padding, so less LSTM work), in shuffled order, seeded.

    Shuffle: permute, cut into pools of 50 batches, sort each pool by length, batch, shuffle the batches.
    No shuffle: one sort by length, for fast inference; `order` gives the example order the batches yield.
    """

    def __init__(self, lengths, batch_size: int, shuffle: bool, seed: int = 0, pool: int = 50):
        import torch

        self.lengths, self.batch_size, self.shuffle, self.pool = np.asarray(lengths), batch_size, shuffle, pool
        self.generator = torch.Generator().manual_seed(seed)
        self.order = np.argsort(self.lengths, kind="stable")

    def __len__(self) -> int:
        return -(-len(self.lengths) // self.batch_size)

    def __iter__(self):
        import torch

        if not self.shuffle:
            yield from (self.order[i:i + self.batch_size].tolist() for i in range(0, len(self.order), self.batch_size))
            return
        perm = torch.randperm(len(self.lengths), generator=self.generator).numpy()
        size = self.batch_size * self.pool
        batches = []
        for start in range(0, len(perm), size):
            chunk = perm[start:start + size]
            chunk = chunk[np.argsort(self.lengths[chunk], kind="stable")]
            batches += [chunk[i:i + self.batch_size].tolist() for i in range(0, len(chunk), self.batch_size)]
        for b in torch.randperm(len(batches), generator=self.generator).tolist():
            yield batches[b]


def loader(sequences: list[np.ndarray], labels, batch_size: int, shuffle: bool = False, seed: int = 0):
    import torch
    from torch.utils.data import DataLoader

    def collate(rows):
        lengths = [len(sequences[r]) for r in rows]
        ids = np.zeros((len(rows), max(lengths)), dtype=np.int64)  # 0 = <pad>
        for i, r in enumerate(rows):
            ids[i, :lengths[i]] = sequences[r]
        batch = {"input_ids": torch.from_numpy(ids), "lengths": torch.tensor(lengths)}
        if labels is not None:
            batch["labels"] = torch.from_numpy(labels[rows])
        return batch

    sampler = BucketBatchSampler([len(s) for s in sequences], batch_size, shuffle, seed)
    return DataLoader(list(range(len(sequences))), batch_sampler=sampler, collate_fn=collate)


def in_order(probabilities: np.ndarray, data_loader) -> np.ndarray:
    """Undo the length sort of an evaluation loader: row i of the result is example i."""
    restored = np.empty_like(probabilities)
    restored[data_loader.batch_sampler.order] = probabilities
    return restored


def word2vec_vectors(token_lists, vocab: list[str], cfg: Config) -> np.ndarray:
    from lab.models.word_vectors import train_word2vec

    vectors = train_word2vec(sampled(token_lists, cfg.w2v_max_texts, cfg.seed), cfg.embedding_dim, cfg.w2v_window, cfg.min_freq, cfg.w2v_epochs, cfg.seed)
    return fill_matrix(vocab, vectors, cfg.embedding_dim, cfg.seed)[0]


def sampled(token_lists: list, cap: int | None, seed: int) -> list:
    """At most `cap` of the lists, a seeded sample kept in their order; all of them when cap is None or larger."""
    if cap is None or cap >= len(token_lists):
        return token_lists
    chosen = np.sort(np.random.default_rng(seed).choice(len(token_lists), size=cap, replace=False))
    return [token_lists[i] for i in chosen]


def file_vectors(vocab: list[str], cfg: Config) -> tuple[np.ndarray, float]:
    from lab.models.word_vectors import FORMATS, load_word_vectors

    if not cfg.vectors_path:
        raise LabError(f"embedding_init=file needs vectors_path=; give {FORMATS}")
    vectors = load_word_vectors(cfg.vectors_path, "vectors_path")
    return fill_matrix(vocab, vectors, vectors.vector_size, cfg.seed)


def fill_matrix(vocab: list[str], vectors, dim: int, seed: int) -> tuple[np.ndarray, float]:
    """Known words get their vector; the others small random ones (scaled like the known); <pad> is zero."""
    rng = np.random.default_rng(seed)
    known = [i for i, word in enumerate(vocab) if word in vectors.key_to_index]
    scale = float(np.std([vectors[vocab[i]] for i in known])) if known else 0.1
    matrix = rng.normal(0.0, scale, (len(vocab), dim)).astype(np.float32)
    for i in known:
        matrix[i] = vectors[vocab[i]]
    matrix[0] = 0.0
    return matrix, len(known) / max(1, len(vocab) - 2)


def embedding_matrix(token_lists, vocab: list[str], cfg: Config, notes: list[str]) -> np.ndarray | None:
    if cfg.embedding_init == "random":
        return None
    if cfg.embedding_init == "word2vec":
        return word2vec_vectors(token_lists, vocab, cfg)
    matrix, coverage = file_vectors(vocab, cfg)
    notes.append(f"lstm: the vectors file covers {coverage:.0%} of the vocabulary; the rest start random")
    return matrix


def architecture(cfg: Config, embedding_dim: int, n_outputs: int) -> dict:
    return {"embedding_dim": embedding_dim, "hidden_size": cfg.hidden_size, "num_layers": cfg.num_layers,
            "bidirectional": cfg.bidirectional, "pooling": cfg.pooling, "dropout": cfg.dropout,
            "n_classes": n_outputs, "freeze": cfg.freeze_embeddings, "packed": cfg.packed}


def run(cfg: Config, data: LabData) -> RecipeResult:
    import torch

    from lab.models.lstm import LSTMClassifier
    from lab.training.objectives import decide, objective_for
    from lab.training.torch_recipe import (model_result, plot_history, seconds_split, train_options,
                                           validation_thresholds)
    from lab.training.loop import make_accelerator, seed_everything, train

    accelerator = make_accelerator(cfg.mixed_precision, cfg.grad_accum_steps, threads=cfg.threads)
    notes: list[str] = []
    task, n_outputs = data.task, data.num_outputs
    with measure() as cost:
        tokens = [tokenize(t, cfg.lowercase) for t in data.texts("train")]
        vocab = build_vocab(tokens, cfg.min_freq, cfg.max_vocab)
        index = {token: i for i, token in enumerate(vocab)}
        vectors = embedding_matrix(tokens, vocab, cfg, notes)
        seed_everything(cfg.seed)
        arch = architecture(cfg, cfg.embedding_dim if vectors is None else vectors.shape[1], n_outputs)
        model = LSTMClassifier(len(vocab), arch)
        if vectors is not None:
            model.embedding.weight.data.copy_(torch.from_numpy(vectors))
        objective = objective_for(task, data.labels("train"), n_outputs, cfg.class_weights)
        train_y = objective.targets(data.labels("train"))
        validation = text_loader(data.texts("validation"), objective.targets(data.labels("validation")), index, cfg)
        trained = train(model, loader(encode(tokens, index, cfg.max_length), train_y, cfg.batch_size, True, cfg.seed),
                        validation, objective=objective, progress=cfg.progress, accelerator=accelerator,
                        **train_options(cfg))
        thresholds = validation_thresholds(trained, validation, cfg.thresholds)  # in the loader's order, both
    meta = {"recipe": "lstm", "task": task, "label_names": data.label_names, "vocab": vocab, "arch": arch,
            "lowercase": cfg.lowercase, "max_length": cfg.max_length}
    test_loader = text_loader(data.texts("test"), None, index, cfg)
    result = model_result("lstm", trained, test_loader, len(data.texts("test")), cost, len(vocab),
                          save=lambda folder: save(folder, trained.model, meta), thresholds=thresholds)
    outputs = in_order(trained_outputs(result), test_loader)
    result.predictions = decide(task, outputs, thresholds)
    result.scores = None if task == "regression" else outputs
    if trained.stopped_early:
        notes.append(f"lstm stopped early after epoch {len(trained.history)}; best epoch {trained.best_epoch}")
    return RecipeResult(models=[result], notes=notes, figures=seconds_split(trained, cost),
                        plots={"learning_curves_lstm": plot_history(trained.history, f"lstm on {data.name}", task)})


def trained_outputs(result) -> np.ndarray:
    """The test outputs in the loader's order: scores, or for regression the values (its predictions)."""
    return result.predictions if result.scores is None else result.scores


def text_loader(texts: list[str], labels, index: dict[str, int], cfg_or_meta, batch_size: int = 64):
    """An evaluation loader: sorted by length (see in_order)."""
    lowercase, max_length = (cfg_or_meta["lowercase"], cfg_or_meta["max_length"]) if isinstance(cfg_or_meta, dict) \
        else (cfg_or_meta.lowercase, cfg_or_meta.max_length)
    return loader(encode([tokenize(t, lowercase) for t in texts], index, max_length), labels, batch_size)


def save(folder: Path, model, meta: dict) -> None:
    from lab.training.torch_recipe import save_model

    save_model(folder, model, meta)


def load_predictor(model_dir: Path):
    """texts -> class or label probabilities, or values, rebuilt from JSON and safetensors only."""
    from lab.models.lstm import LSTMClassifier
    from lab.training.objectives import Objective
    from lab.training.torch_recipe import read_model
    from lab.training.loop import predict

    meta, weights = read_model(Path(model_dir))
    model = LSTMClassifier(len(meta["vocab"]), meta["arch"])
    model.load_state_dict(weights)
    index = {token: i for i, token in enumerate(meta["vocab"])}
    objective = Objective(meta.get("task", "single_label"), folded=True)  # saved regression: target units

    def predict_texts(texts: list[str]) -> np.ndarray:
        batches = text_loader(texts, None, index, meta)
        return in_order(predict(model, batches, objective=objective).probabilities, batches)

    return predict_texts
