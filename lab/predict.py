"""`lab predict <run> TEXT...`: what a run's saved model says of new texts, by the run's task: the class and
every class's probability; the labels at or above their recorded thresholds, with their scores (multi-label); or
the value (regression).

The run's record.json names the recipe and the task; recipes.<recipe>.load_predictor(models/<name>) rebuilds the
model from safe formats (skops, safetensors + JSON, save_pretrained) and returns texts -> scores (or values).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lab.errors import LabError
from lab.tasks import TASKS


@dataclass
class Prediction:
    text: str
    label: str  # the class; the labels joined by ';' (multi-label); the value as predictions.csv writes it
    probabilities: dict[str, float]  # class or label name -> probability (or score), in order; regression: {}
    task: str = "single_label"
    labels: list[str] = field(default_factory=list)  # multi-label: those at or above their threshold
    value: float | None = None  # regression


def single_label(text: str, row: np.ndarray, names: list[str], thresholds) -> Prediction:
    return Prediction(text, names[int(row.argmax())], {n: float(p) for n, p in zip(names, row)})


def multi_label(text: str, row: np.ndarray, names: list[str], thresholds) -> Prediction:
    cut = [0.5] * len(names) if thresholds is None else thresholds
    chosen = [name for name, score, threshold in zip(names, row, cut) if score >= threshold]
    return Prediction(text, ";".join(chosen), {n: float(p) for n, p in zip(names, row)}, "multi_label", chosen)


def regression(text: str, value, names: list[str], thresholds) -> Prediction:
    return Prediction(text, f"{float(value):.6g}", {}, "regression", value=float(value))


PREDICTIONS = {"single_label": single_label, "multi_label": multi_label, "regression": regression}


def predict(run: str | Path, texts: list[str], model: str | None = None) -> tuple[str, list[Prediction]]:
    """(the model's name, one Prediction per text)."""
    if not texts:
        raise LabError("no texts to classify; give them as arguments or with --file texts.txt (one per line)")
    record, run = read_record(Path(run))
    name = choose_model(record, run, model)
    try:
        module = importlib.import_module(f"recipes.{record['recipe']}")
    except ModuleNotFoundError:
        raise LabError(f"run {run} was made by recipe '{record['recipe']}', which this lab does not have") from None
    if not hasattr(module, "load_predictor"):
        raise LabError(f"recipe '{record['recipe']}' cannot reload its models for prediction; rerun a recipe that can")
    outputs = np.asarray(module.load_predictor(run / "models" / name)(list(texts)))
    names, task = record["dataset"]["label_names"], record.get("task", "single_label")
    thresholds = next(m for m in record["models"] if m["name"] == name).get("thresholds")
    return name, [PREDICTIONS[task](text, row, names, thresholds) for text, row in zip(texts, outputs)]


def read_record(run: Path) -> tuple[dict, Path]:
    from lab.runs import RECORD, read_record as read_run_record

    if not (run / RECORD).is_file():
        raise LabError(f"{run} is not a run folder (no record.json); give a folder that `lab run` printed, "
                       f"e.g. runs/bbc-news/classical/<run-id>")
    return read_run_record(run / RECORD), run


def choose_model(record: dict, run: Path, model: str | None) -> str:
    """--model, or else the saved model with the best test headline metric (macro-F1, micro-F1, RMSE)."""
    if not record["models"]:
        raise LabError(f"run {run} is a {record['recipe']} run, which trains no classifier; give a classical, "
                       f"bow_ffn, lstm or transformer run")
    saved = [m for m in record["models"] if (run / "models" / m["name"]).is_dir()]
    if not saved:
        raise LabError(f"run {run} has no saved models (models/ is missing); rerun the recipe to get one")
    names = [m["name"] for m in saved]
    if model is None:
        task = TASKS[record.get("task", "single_label")]
        sign = 1.0 if task.higher_is_better else -1.0
        return max(saved, key=lambda m: sign * m["metrics"][task.headline])["name"]
    if model not in names:
        raise LabError(f"run {run} has no saved model '{model}'; choose one of: {', '.join(names)}")
    return model


def read_texts(path: str) -> list[str]:
    """One text per line; blank lines are skipped."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise LabError(f"cannot read {path} ({getattr(error, 'strerror', None) or error}); give a UTF-8 "
                       f"text file with one text per line") from None
    texts = [line.strip() for line in lines if line.strip()]
    if not texts:
        raise LabError(f"{path} holds no text; write one text per line")
    return texts


def format_prediction(prediction: Prediction, width: int = 60) -> str:
    """The answer<TAB>its scores<TAB>the text's start, easy to read and to cut: label<TAB>class=probability ...;
    labels;joined<TAB>each chosen label=score ("(no label)" when none reaches its threshold); value<TAB><TAB>."""
    if prediction.task == "multi_label":
        label = prediction.label or "(no label)"
        shown = " ".join(f"{name}={prediction.probabilities[name]:.4f}" for name in prediction.labels)
    else:
        label = prediction.label
        shown = " ".join(f"{name}={p:.4f}" for name, p in prediction.probabilities.items())
    text = " ".join(prediction.text.split())
    return f"{label}\t{shown}\t{text[:width] + ('...' if len(text) > width else '')}"
