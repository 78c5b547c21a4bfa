"""`lab predict <run> TEXT...`: the label and class probabilities of new texts, from any run's saved classifier.

The run's record.json names the recipe; recipes.<recipe>.load_predictor(models/<name>) rebuilds the model from
safe formats (skops, safetensors + JSON, save_pretrained) and returns texts -> probabilities.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lab.errors import LabError


@dataclass
class Prediction:
    text: str
    label: str
    probabilities: dict[str, float]  # class name -> probability, in class order


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
    probabilities = np.asarray(module.load_predictor(run / "models" / name)(list(texts)))
    names = record["dataset"]["label_names"]
    return name, [Prediction(text, names[int(row.argmax())], {n: float(p) for n, p in zip(names, row)})
                  for text, row in zip(texts, probabilities)]


def read_record(run: Path) -> tuple[dict, Path]:
    from lab.runs import RECORD, read_record as read_run_record

    if not (run / RECORD).is_file():
        raise LabError(f"{run} is not a run folder (no record.json); give a folder that `lab run` printed, "
                       f"e.g. runs/bbc-news/classical/<run-id>")
    return read_run_record(run / RECORD), run


def choose_model(record: dict, run: Path, model: str | None) -> str:
    """--model, or else the saved model with the best test macro-F1."""
    if not record["models"]:
        raise LabError(f"run {run} is a {record['recipe']} run, which trains no classifier; give a classical, "
                       f"bow_ffn, lstm or transformer run")
    saved = [m for m in record["models"] if (run / "models" / m["name"]).is_dir()]
    if not saved:
        raise LabError(f"run {run} has no saved models (models/ is missing); rerun the recipe to get one")
    names = [m["name"] for m in saved]
    if model is None:
        return max(saved, key=lambda m: m["metrics"]["macro_f1"])["name"]
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
    """label<TAB>class=probability ...<TAB>the text's start: easy to read and to cut."""
    shown = " ".join(f"{name}={p:.4f}" for name, p in prediction.probabilities.items())
    text = " ".join(prediction.text.split())
    return f"{prediction.label}\t{shown}\t{text[:width] + ('...' if len(text) > width else '')}"
