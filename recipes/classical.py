"""TF-IDF (word 1-2 grams, sublinear tf) with linear models chosen by the data's task (lab/tasks.py):
complement naive Bayes, logistic regression and a linear SVM for single-label classes; the same logistic regression
and SVM one-vs-rest for multi-label (thresholds chosen on validation); ridge and a linear SVR for regression."""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from lab.config import CommonConfig
from lab.data import LabData
from lab.evaluation.efficiency import measure, throughput
from lab.results import ModelResult, RecipeResult
from lab.data.text import fit_vectorized

META = "lab_classical.json"  # next to the pipeline: the task it was fitted for


@dataclass
class Config(CommonConfig):
    models: list[str] | None = None  # None: every model of the data's task (see TASK_MODELS)
    ngram_max: int = 2
    min_df: int = 2
    max_df: float = 0.95
    max_features: int | None = None
    sublinear_tf: bool = True
    stop_words: Literal["english"] | None = None  # keep every word: "what", "not", "no" carry the class in questions and sentiment
    nb_alpha: float = 0.1
    logreg_c: float = 10.0
    logreg_tol: float = 1e-4  # lbfgs stops when the gradient is this small; the quick profile stops at 1e-3
    svm_c: float = 1.0
    ridge_alpha: float = 1.0
    svr_c: float = 1.0  # on the target standardised with the train split's mean and sd
    thresholds: Literal["global", "per_label"] = "global"  # multi-label: one threshold, or one per label (validation)


def naive_bayes(cfg: Config):
    from sklearn.naive_bayes import ComplementNB

    return ComplementNB(alpha=cfg.nb_alpha)


def logistic_regression(cfg: Config):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=cfg.logreg_c, tol=cfg.logreg_tol, max_iter=2000, random_state=cfg.seed)


def linear_svm(cfg: Config):
    from sklearn.svm import LinearSVC

    return LinearSVC(C=cfg.svm_c, random_state=cfg.seed)


def one_vs_rest(make):
    def build(cfg: Config):
        from sklearn.multiclass import OneVsRestClassifier

        return OneVsRestClassifier(make(cfg))

    return build


def ridge(cfg: Config):
    from sklearn.linear_model import Ridge

    return Ridge(alpha=cfg.ridge_alpha)


def linear_svr(cfg: Config):
    """The SVR's epsilon-insensitive loss and C assume a unit-scale target: fit it standardised, predict unscaled."""
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import LinearSVR

    return TransformedTargetRegressor(LinearSVR(C=cfg.svr_c, epsilon=0.0, max_iter=5000, random_state=cfg.seed),
                                      transformer=StandardScaler())


TASK_MODELS = {  # task -> report name -> estimator on the TF-IDF features; a new task or model is one entry
    "single_label": {"tfidf_nb": naive_bayes, "tfidf_logreg": logistic_regression, "tfidf_svm": linear_svm},
    "multi_label": {"tfidf_logreg": one_vs_rest(logistic_regression), "tfidf_svm": one_vs_rest(linear_svm)},
    "regression": {"tfidf_ridge": ridge, "tfidf_svr": linear_svr},
}
MODELS = tuple(TASK_MODELS["single_label"])  # the single-label models, the default on class data


def build_pipeline(name: str, cfg: Config, task: str = "single_label"):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import Pipeline

    vectorizer = TfidfVectorizer(ngram_range=(1, cfg.ngram_max), min_df=cfg.min_df, max_df=cfg.max_df,
                                 max_features=cfg.max_features, sublinear_tf=cfg.sublinear_tf, stop_words=cfg.stop_words,
                                 strip_accents="unicode")
    return Pipeline([("tfidf", vectorizer), ("classifier", TASK_MODELS[task][name](cfg))])


def chosen_models(cfg: Config, task: str) -> list[str]:
    from lab.errors import LabError

    available = TASK_MODELS[task]
    names = list(available) if cfg.models is None else list(cfg.models)
    unknown = [name for name in names if name not in available]
    if unknown:
        raise LabError(f"unknown classical model(s) {', '.join(unknown)}; choose from {', '.join(available)} "
                       f"(the models for {task.replace('_', '-')} data)")
    return names


def run(cfg: Config, data: LabData) -> RecipeResult:
    task = data.task
    names = chosen_models(cfg, task)
    from tqdm import tqdm

    with tqdm(names, desc="classical", unit="model", dynamic_ncols=True) as bar:  # closed before any error prints
        return RecipeResult(models=[fit_one(name, cfg, data, task) for name in bar], notes=absent_labels(data, task))


def absent_labels(data: LabData, task: str) -> list[str]:
    """Multi-label: labels no train text carries; one-vs-rest can only ever predict them absent."""
    if task != "multi_label":
        return []
    absent = [name for name, count in zip(data.label_names, data.labels("train").sum(axis=0)) if count == 0]
    return [f"classical: {len(absent)} label(s) occur in no train text, so no model can predict them: "
            f"{', '.join(absent)}"] if absent else []


def fit_one(name: str, cfg: Config, data: LabData, task: str) -> ModelResult:
    from lab.training.objectives import choose_thresholds, decide

    pipeline = build_pipeline(name, cfg, task)
    train_labels = fit_labels(task, data.labels("train"))
    with measure() as cost, warnings.catch_warnings():
        # one-vs-rest warns once per label absent from train; absent_labels says it once, in a note
        warnings.filterwarnings("ignore", message="Label not .* is present in all training examples")
        fit_vectorized(lambda: pipeline.fit(data.texts("train"), train_labels), "classical")
    thresholds = None
    if task == "multi_label":
        thresholds = choose_thresholds(SCORES[task](pipeline, data.texts("validation")), data.labels("validation"),
                                       cfg.thresholds == "per_label")
    test_texts = data.texts("test")
    scores, per_second = throughput(lambda texts: SCORES[task](pipeline, texts), test_texts, len(test_texts))
    classifier = pipeline.named_steps["classifier"]
    return ModelResult(
        name=name, family="classical", predictions=decide(task, scores, thresholds),
        scores=None if task == "regression" else scores, thresholds=thresholds,
        scores_are_probabilities=hasattr(classifier, "predict_proba"),
        train_seconds=cost.seconds, examples_per_second=per_second, peak_memory_mb=cost.peak_memory_mb,
        parameters=coefficient_count(classifier), features=len(pipeline.named_steps["tfidf"].vocabulary_),
        save=lambda folder: save_pipeline(pipeline, folder, task),
    )


def fit_labels(task: str, labels: np.ndarray) -> np.ndarray:
    """scikit-learn reads a float 0/1 matrix as a continuous target: one-vs-rest wants it as ints."""
    return labels.astype(np.int64) if task == "multi_label" else labels


def class_scores(pipeline, texts) -> np.ndarray:
    """Probabilities where the model has them (NB, LR); otherwise decision scores, one column per class."""
    if hasattr(pipeline, "predict_proba"):
        return pipeline.predict_proba(texts)
    scores = pipeline.decision_function(texts)
    return np.column_stack([-scores, scores]) if scores.ndim == 1 else scores


def label_scores(pipeline, texts) -> np.ndarray:
    """Per label, a probability (LR) or the sigmoid of the SVM's margin: in (0, 1) either way, so one threshold
    grid fits both (a margin of 0, the SVM's own boundary, is 0.5)."""
    if hasattr(pipeline, "predict_proba"):
        return pipeline.predict_proba(texts)
    features, one_vs_rest = pipeline[:-1].transform(texts), pipeline[-1]
    scores = 1.0 / (1.0 + np.exp(-one_vs_rest.decision_function(features)))
    for j, estimator in enumerate(one_vs_rest.estimators_):
        if not hasattr(estimator, "coef_"):  # a label constant in train: its margin of 0 would read as 0.5
            scores[:, j] = estimator.predict(features)
    return scores


SCORES = {"single_label": class_scores, "multi_label": label_scores,
          "regression": lambda pipeline, texts: pipeline.predict(texts).astype(np.float64)}


def coefficient_count(model) -> int:
    """Weights and intercepts, through one-vs-rest and target-scaling wrappers."""
    if hasattr(model, "regressor_"):
        return coefficient_count(model.regressor_)
    if hasattr(model, "estimators_"):
        return sum(coefficient_count(estimator) for estimator in model.estimators_)
    weights = getattr(model, "coef_", None)
    if weights is None:
        weights = getattr(model, "feature_log_prob_", np.zeros(0))  # a constant label's predictor has neither
    intercept = getattr(model, "intercept_", np.zeros(0))
    return int(np.size(weights) + np.size(intercept))


def save_pipeline(pipeline, folder: Path, task: str = "single_label") -> None:
    """skops instead of pickle: loading it back runs no arbitrary code."""
    import skops.io

    folder.mkdir(parents=True, exist_ok=True)
    skops.io.dump(pipeline, folder / "pipeline.skops")
    (folder / META).write_text(json.dumps({"task": task}))


def load_predictor(model_dir: Path):
    import skops.io

    path = Path(model_dir) / "pipeline.skops"
    trusted = [t for t in skops.io.get_untrusted_types(file=path) if t.startswith(("sklearn.", "numpy.", "scipy."))]
    pipeline = skops.io.load(path, trusted=trusted)
    meta = Path(model_dir) / META
    task = json.loads(meta.read_text())["task"] if meta.is_file() else "single_label"

    def predict(texts: list[str]) -> np.ndarray:
        scores = SCORES[task](pipeline, texts)
        if task != "single_label" or hasattr(pipeline, "predict_proba"):
            return scores
        shifted = np.exp(scores - scores.max(axis=1, keepdims=True))  # softmax of SVM margins, for display only
        return shifted / shifted.sum(axis=1, keepdims=True)

    return predict
