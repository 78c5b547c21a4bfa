"""Bag-of-words (n-hot, counts or TF-IDF) into a feed-forward network, fed sparse through an EmbeddingBag."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from lab.training.torch_recipe import TrainConfig
from lab.data import LabData
from lab.evaluation.efficiency import measure
from lab.results import RecipeResult
from lab.data.text import fit_vectorized

VECTORIZER_KEYS = ("ngram_range", "lowercase", "strip_accents", "binary", "norm", "use_idf", "smooth_idf",
                   "sublinear_tf", "token_pattern", "stop_words")


@dataclass
class Config(TrainConfig):
    features: Literal["binary", "counts", "tfidf"] = "tfidf"
    max_features: int | None = 30000  # the vocabulary: the most frequent terms of the train split
    ngram_max: int = 2
    min_df: int = 2
    stop_words: Literal["english"] | None = None  # keep every word; english: scikit-learn's list
    sublinear_tf: bool = True  # tfidf only: 1 + log(tf), so a word said ten times is not ten times the evidence
    hidden: list[int] = (64,)  # hidden layer sizes; [] is multinomial logistic regression
    activation: Literal["relu", "tanh"] = "relu"
    dropout: float = 0.3
    ensemble: int = 1  # networks trained with seeds seed, seed+1, ...; their outputs are averaged


def make_vectorizer(cfg: Config):
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    common = dict(ngram_range=(1, cfg.ngram_max), min_df=cfg.min_df, max_features=cfg.max_features,
                  strip_accents="unicode", stop_words=cfg.stop_words, dtype=np.float32)
    if cfg.features == "tfidf":
        return TfidfVectorizer(sublinear_tf=cfg.sublinear_tf, **common)
    return CountVectorizer(binary=cfg.features == "binary", **common)


def build_model(vocab_size: int, hidden: list[int], activation: str, dropout: float, n_outputs: int):
    """Layer 1 is an EmbeddingBag summing weight rows scaled by each document's feature values: exactly a
    Linear layer on the sparse vector, without ever building the dense vocabulary-wide row."""
    import torch
    from torch import nn

    class BowFFN(nn.Module):
        def __init__(self):
            super().__init__()
            sizes = list(hidden) + [n_outputs]
            self.bag = nn.EmbeddingBag(vocab_size, sizes[0], mode="sum")
            # As a Linear layer would be (Glorot), not an embedding's N(0, 1): unit-scale random word vectors
            # let the network memorise the train split through noise and generalise worse (measured on bbc-news).
            nn.init.xavier_uniform_(self.bag.weight)
            self.bias = nn.Parameter(torch.zeros(sizes[0]))
            act = nn.ReLU if activation == "relu" else nn.Tanh
            layers = []
            for size_in, size_out in zip(sizes[:-1], sizes[1:]):
                layers += [act(), nn.Dropout(dropout), nn.Linear(size_in, size_out)]
            self.head = nn.Sequential(*layers)

        def forward(self, indices, offsets, values):
            return self.head(self.bag(indices, offsets, per_sample_weights=values) + self.bias)

    return BowFFN()


def loader(matrix, labels, batch_size: int, shuffle: bool = False, seed: int = 0):
    """Batches of CSR rows as (column indices, row offsets, values): the EmbeddingBag's input."""
    import torch
    from torch.utils.data import DataLoader

    def collate(rows):
        part = matrix[rows]
        batch = {"indices": torch.from_numpy(part.indices.astype(np.int64)),
                 "offsets": torch.from_numpy(part.indptr[:-1].astype(np.int64)),
                 "values": torch.from_numpy(part.data.astype(np.float32))}
        if labels is not None:
            batch["labels"] = torch.from_numpy(labels[rows])
        return batch

    generator = torch.Generator().manual_seed(seed) if shuffle else None
    return DataLoader(list(range(matrix.shape[0])), batch_size=batch_size, shuffle=shuffle, generator=generator,
                      collate_fn=collate)


def run(cfg: Config, data: LabData) -> RecipeResult:
    from lab.training.objectives import objective_for
    from lab.training.torch_recipe import (ensemble_of, model_result, plot_history, seconds_split,
                                           validation_thresholds)
    from lab.training.loop import make_accelerator

    accelerator = make_accelerator(cfg.mixed_precision, cfg.grad_accum_steps, threads=cfg.threads)
    task, n_outputs = data.task, data.num_outputs
    with measure() as cost:
        vectorizer = make_vectorizer(cfg)
        train_x = fit_vectorized(lambda: vectorizer.fit_transform(data.texts("train")).tocsr(), "bow_ffn")
        objective = objective_for(task, data.labels("train"), n_outputs, cfg.class_weights)
        train_y = objective.targets(data.labels("train"))
        validation = loader(vectorizer.transform(data.texts("validation")),
                            objective.targets(data.labels("validation")), 256)
        trained = ensemble_of([train_network(cfg, seed, (train_x, train_y), validation, n_outputs, objective,
                                             accelerator) for seed in range(cfg.seed, cfg.seed + cfg.ensemble)])
        thresholds = validation_thresholds(trained, validation, cfg.thresholds)
    meta = {"recipe": "bow_ffn", "task": task, "label_names": data.label_names, "n_outputs": n_outputs,
            "vocab_size": train_x.shape[1],
            "hidden": list(cfg.hidden), "activation": cfg.activation, "dropout": cfg.dropout,
            "ensemble": cfg.ensemble, "features": cfg.features, "vectorizer": vectorizer_state(vectorizer)}
    test_loader = loader(vectorizer.transform(data.texts("test")), None, 256)
    result = model_result("bow_ffn", trained, test_loader, len(data.texts("test")), cost, train_x.shape[1],
                          save=lambda folder: save(folder, trained.model, meta), thresholds=thresholds)
    curves = plot_history(trained.history, curves_title(cfg, data), task)
    return RecipeResult(models=[result], figures=seconds_split(trained, cost), notes=training_notes(cfg, trained),
                        plots={"learning_curves_bow_ffn": curves})


def train_network(cfg: Config, seed: int, train_set: tuple, validation, n_outputs: int, objective, accelerator):
    """One network through the shared loop; an ensemble's networks differ only in this seed (initial weights,
    dropout, batch order)."""
    from lab.training.torch_recipe import train_options
    from lab.training.loop import seed_everything, train

    train_x, train_y = train_set
    seed_everything(seed)
    model = build_model(train_x.shape[1], cfg.hidden, cfg.activation, cfg.dropout, n_outputs)
    return train(model, loader(train_x, train_y, cfg.batch_size, shuffle=True, seed=seed), validation,
                 objective=dataclasses.replace(objective), progress=cfg.progress, accelerator=accelerator,
                 **{**train_options(cfg), "seed": seed})


def training_notes(cfg: Config, trained) -> list[str]:
    notes = [f"bow_ffn averages the class probabilities of {cfg.ensemble} networks (seeds {cfg.seed}-"
             f"{cfg.seed + cfg.ensemble - 1}); its learning curves are the first network's"] if cfg.ensemble > 1 else []
    if trained.stopped_early:
        notes.append(f"bow_ffn{' (first network)' if cfg.ensemble > 1 else ''} stopped early after epoch "
                     f"{len(trained.history)}; best epoch {trained.best_epoch}")
    return notes


def curves_title(cfg: Config, data: LabData) -> str:
    return f"bow_ffn on {data.name}" + (f" (network 1 of {cfg.ensemble})" if cfg.ensemble > 1 else "")


def vectorizer_state(vectorizer) -> dict:
    """The fitted vectorizer as plain JSON: its settings, its vocabulary and (TF-IDF) its idf weights."""
    params = vectorizer.get_params()
    state = {key: params[key] for key in VECTORIZER_KEYS if key in params}
    state["ngram_range"] = list(state["ngram_range"])
    state["vocabulary"] = {term: int(index) for term, index in vectorizer.vocabulary_.items()}
    state["idf"] = vectorizer.idf_.tolist() if hasattr(vectorizer, "idf_") else None
    return state


def vectorizer_from_state(state: dict):
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    params = {key: state[key] for key in VECTORIZER_KEYS if key in state}
    params["ngram_range"] = tuple(params["ngram_range"])
    if state["idf"] is None:
        return CountVectorizer(vocabulary=state["vocabulary"], dtype=np.float32, **params)
    vectorizer = TfidfVectorizer(vocabulary=state["vocabulary"], dtype=np.float32, **params)
    vectorizer.idf_ = np.asarray(state["idf"], dtype=np.float64)
    return vectorizer


def save(folder: Path, model, meta: dict) -> None:
    from lab.training.torch_recipe import save_model

    save_model(folder, model, meta)


def load_predictor(model_dir: Path):
    """texts -> class or label probabilities, or values, rebuilt from JSON and safetensors only."""
    from lab.training.objectives import Objective
    from lab.training.torch_recipe import average_of, read_model
    from lab.training.loop import predict

    meta, weights = read_model(Path(model_dir))
    task = meta.get("task", "single_label")
    n_outputs = meta.get("n_outputs") or len(meta["label_names"])
    model = average_of([build_model(meta["vocab_size"], meta["hidden"], meta["activation"], meta["dropout"],
                                    n_outputs) for _ in range(meta.get("ensemble", 1))], task)
    model.load_state_dict(weights)
    vectorizer = vectorizer_from_state(meta["vectorizer"])
    objective = Objective(task, folded=True)  # a saved regression model already gives target units

    def predict_texts(texts: list[str]) -> np.ndarray:
        return predict(model, loader(vectorizer.transform(texts), None, 256), objective=objective).probabilities

    return predict_texts
