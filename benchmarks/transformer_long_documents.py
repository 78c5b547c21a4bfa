"""Truncation vs chunk averaging for long articles, from one fine-tuning run per comparison.

Trains the transformer recipe once (default config + overrides, long_documents=truncate), saves the model, then
classifies the validation and test splits twice with the saved model: the first max_length tokens only, and
windows of max_length tokens with a stride, their logits averaged. Test is printed for the closing note, not for
choosing.

    flock /tmp/lab-bench.lock python benchmarks/transformer_long_documents.py [key=value ...]
    flock /tmp/lab-bench.lock python benchmarks/transformer_long_documents.py --folds 3 [key=value ...]

bbc-news's validation split (then 223 articles) could not separate the two (0.9866 vs 0.9868), so --folds k
decides by cross-validation on the train split instead (as benchmarks/select_by_cv.py): k fine-tunes, each scored
in both modes on its held-out fold; the pooled held-out predictions (all train articles) are compared, and the test
split is not read.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from lab.config import build, read_variant  # noqa: E402
from lab.data import load  # noqa: E402
from lab.evaluation import evaluate_predictions  # noqa: E402
from lab.models.hf import META  # noqa: E402
from recipes import transformer  # noqa: E402
from select_by_cv import cv_folds  # noqa: E402

MODES = ("truncate", "chunks")


def score(predict_texts, data, split: str) -> dict:
    began = time.perf_counter()
    probabilities = predict_texts(data.texts(split))
    metrics = evaluate_predictions(data.labels(split), probabilities.argmax(1), data.label_names)["metrics"]
    return {"macro_f1": metrics["macro_f1"], "accuracy": metrics["accuracy"],
            "seconds": time.perf_counter() - began}


def train(data, overrides: list[str]):
    settings = dict(item.split("=", 1) for item in overrides)
    cfg = build(transformer.Config, read_variant("transformer", "default"),
                {"progress": "false", "checkpoint": "false", **settings, "long_documents": "truncate"})
    began = time.perf_counter()
    model = transformer.run(cfg, data).models[0]
    print(f"trained {' '.join(overrides) or 'default'} on {len(data.texts('train'))} articles: "
          f"{time.perf_counter() - began:.0f} s, {len(model.history)} epochs, val macro-F1 per epoch "
          f"{[round(h['val_macro_f1'], 4) for h in model.history]}", flush=True)
    return model


def predictors(model) -> dict:
    """One saved model, loaded once per long-document mode."""
    loaded = {}
    with tempfile.TemporaryDirectory() as folder:
        model.save(Path(folder))
        meta_path = Path(folder) / META
        meta = json.loads(meta_path.read_text())
        for mode in MODES:
            meta_path.write_text(json.dumps({**meta, "long_documents": mode}))
            loaded[mode] = transformer.load_predictor(Path(folder))
    return loaded


def held_out(data, overrides: list[str]) -> None:
    for mode, predict_texts in predictors(train(data, overrides)).items():
        for split in ("validation", "test"):
            row = score(predict_texts, data, split)
            print(f"  {mode:<8} {split:<10} macro-F1 {row['macro_f1']:.4f}  accuracy {row['accuracy']:.4f}  "
                  f"({row['seconds']:.0f} s)", flush=True)


def cross_validated(data, overrides: list[str], folds: int) -> None:
    truth, predicted = [], {mode: [] for mode in MODES}
    for fold in cv_folds(data, folds):
        truth.append(fold.labels("test"))
        for mode, predict_texts in predictors(train(fold, overrides)).items():
            predicted[mode].append(predict_texts(fold.texts("test")).argmax(1))
            fold_f1 = evaluate_predictions(truth[-1], predicted[mode][-1], data.label_names)["metrics"]["macro_f1"]
            print(f"  fold {len(truth)} {mode:<8} held-out macro-F1 {fold_f1:.4f}", flush=True)
    truth = np.concatenate(truth)
    for mode in MODES:
        pooled = np.concatenate(predicted[mode])
        metrics = evaluate_predictions(truth, pooled, data.label_names)["metrics"]
        print(f"{mode:<8} CV macro-F1 {metrics['macro_f1']:.4f}  accuracy {metrics['accuracy']:.4f}  "
              f"({int((truth != pooled).sum())} errors of {len(truth)})", flush=True)
    wrong = [np.concatenate(predicted[mode]) != truth for mode in MODES]
    print(f"wrong in both modes: {int((wrong[0] & wrong[1]).sum())}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("overrides", nargs="*", help="key=value on the default transformer config")
    parser.add_argument("--folds", type=int, default=0, help="k-fold CV on the train split instead of val/test")
    args = parser.parse_args()
    data = load("bbc-news")
    if args.folds:
        cross_validated(data, args.overrides, args.folds)
    else:
        held_out(data, args.overrides)


if __name__ == "__main__":
    main()
