"""TF-IDF (word 1-2 grams, sublinear tf) with complement naive Bayes, logistic regression and a linear SVM."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from lab.config import CommonConfig
from lab.data import LabData
from lab.evaluation.efficiency import measure, throughput
from lab.results import ModelResult, RecipeResult
from lab.data.text import fit_vectorized

MODELS = ("tfidf_nb", "tfidf_logreg", "tfidf_svm")


@dataclass
class Config(CommonConfig):
    models: list[str] = ("tfidf_nb", "tfidf_logreg", "tfidf_svm")
    ngram_max: int = 2
    min_df: int = 2
    max_df: float = 0.95
    max_features: int | None = None
    sublinear_tf: bool = True
    stop_words: Literal["english"] | None = None  # keep every word: "what", "not", "no" carry the class in questions and sentiment
    nb_alpha: float = 0.1
    logreg_c: float = 10.0
    svm_c: float = 1.0


def build_pipeline(name: str, cfg: Config):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import ComplementNB
    from sklearn.pipeline import Pipeline
    from sklearn.svm import LinearSVC

    vectorizer = TfidfVectorizer(ngram_range=(1, cfg.ngram_max), min_df=cfg.min_df, max_df=cfg.max_df,
                                 max_features=cfg.max_features, sublinear_tf=cfg.sublinear_tf, stop_words=cfg.stop_words,
                                 strip_accents="unicode")
    classifiers = {
        "tfidf_nb": lambda: ComplementNB(alpha=cfg.nb_alpha),
        "tfidf_logreg": lambda: LogisticRegression(C=cfg.logreg_c, max_iter=2000, random_state=cfg.seed),
        "tfidf_svm": lambda: LinearSVC(C=cfg.svm_c, random_state=cfg.seed),
    }
    return Pipeline([("tfidf", vectorizer), ("classifier", classifiers[name]())])


def run(cfg: Config, data: LabData) -> RecipeResult:
    from lab.errors import LabError

    unknown = sorted(set(cfg.models) - set(MODELS))
    if unknown:
        raise LabError(f"unknown classical model(s) {', '.join(unknown)}; choose from {', '.join(MODELS)}")
    train_texts, train_labels = data.texts("train"), data.labels("train")
    test_texts = data.texts("test")
    from tqdm import tqdm

    with tqdm(cfg.models, desc="classical", unit="model", dynamic_ncols=True) as bar:  # closed before any error prints
        return RecipeResult(models=[fit_one(name, cfg, train_texts, train_labels, test_texts) for name in bar])


def fit_one(name: str, cfg: Config, train_texts, train_labels, test_texts) -> ModelResult:
    pipeline = build_pipeline(name, cfg)
    with measure() as cost:
        fit_vectorized(lambda: pipeline.fit(train_texts, train_labels), "classical")
    scores, per_second = throughput(lambda texts: class_scores(pipeline, texts), test_texts, len(test_texts))
    classifier = pipeline.named_steps["classifier"]
    n_features = len(pipeline.named_steps["tfidf"].vocabulary_)
    return ModelResult(
        name=name, family="classical", predictions=scores.argmax(axis=1), scores=scores,
        scores_are_probabilities=hasattr(classifier, "predict_proba"),
        train_seconds=cost.seconds, examples_per_second=per_second, peak_memory_mb=cost.peak_memory_mb,
        parameters=coefficient_count(classifier), features=n_features,
        save=lambda folder: save_pipeline(pipeline, folder),
    )


def class_scores(pipeline, texts) -> np.ndarray:
    """Probabilities where the model has them (NB, LR); otherwise decision scores, one column per class."""
    if hasattr(pipeline, "predict_proba"):
        return pipeline.predict_proba(texts)
    scores = pipeline.decision_function(texts)
    return np.column_stack([-scores, scores]) if scores.ndim == 1 else scores


def coefficient_count(classifier) -> int:
    weights = getattr(classifier, "coef_", None)
    if weights is None:
        weights = classifier.feature_log_prob_
    intercept = getattr(classifier, "intercept_", np.zeros(0))
    return int(np.size(weights) + np.size(intercept))


def save_pipeline(pipeline, folder: Path) -> None:
    """skops instead of pickle: loading it back runs no arbitrary code."""
    import skops.io

    folder.mkdir(parents=True, exist_ok=True)
    skops.io.dump(pipeline, folder / "pipeline.skops")


def load_predictor(model_dir: Path):
    import skops.io

    path = Path(model_dir) / "pipeline.skops"
    trusted = [t for t in skops.io.get_untrusted_types(file=path) if t.startswith(("sklearn.", "numpy.", "scipy."))]
    pipeline = skops.io.load(path, trusted=trusted)

    def predict(texts: list[str]) -> np.ndarray:
        scores = class_scores(pipeline, texts)
        if hasattr(pipeline, "predict_proba"):
            return scores
        shifted = np.exp(scores - scores.max(axis=1, keepdims=True))  # softmax of SVM margins, for display only
        return shifted / shifted.sum(axis=1, keepdims=True)

    return predict
