"""Choose a recipe's settings by k-fold cross-validation on the train split; the test split is never read.

The validation split of bbc-news (206 articles) is too small to rank settings: with repeats still in it, most
sensible settings scored 0.98-0.99 macro-F1 there. Here each candidate is trained k times on (k-1)/k of the train
split, early-stopped on the usual validation split, and scored on the held-out train fold; the pooled held-out
predictions (1,656 articles for bbc-news) rank the candidates. Usage, alone on the machine:

    flock /tmp/lab-bench.lock python benchmarks/select_by_cv.py bow_ffn "" "hidden=[128]" "dropout=0.5"

Each argument after the recipe is one candidate: space-separated key=value overrides on the default config
("" is the default itself). --folds k (default 5), --seeds s (default 1: seeds 42..41+s per fold).
"""

import argparse
import shlex
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from datasets import DatasetDict  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402

from lab.config import build, read_variant  # noqa: E402
from lab.data import LabData, load  # noqa: E402
from lab.evaluation import evaluate_predictions  # noqa: E402
from lab.registry import load_recipe  # noqa: E402


def fold_data(data: LabData, train_rows, held_out_rows) -> LabData:
    """The train split cut in two: the held-out fold plays the test split; validation is unchanged."""
    train = data.splits["train"]
    splits = DatasetDict(train=train.select(train_rows), validation=data.splits["validation"],
                         test=train.select(held_out_rows))
    return LabData(data.name, data.spec, splits, fingerprint=f"cv-{len(held_out_rows)}")


def cv_folds(data: LabData, folds: int):
    """The k folds every CV benchmark uses (fixed shuffle), so their figures compare fold for fold."""
    labels = data.labels("train")
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    for train_rows, held_out_rows in splitter.split(np.zeros(len(labels)), labels):
        yield fold_data(data, train_rows, held_out_rows)


def fold_config(recipe: str, overrides: dict, seed: int):
    """The recipe's default config with the candidate's overrides, quiet and without checkpoints, on the given
    seed (the seed is the benchmark's to set, never a candidate's)."""
    module = load_recipe(recipe)
    quiet = {key: "false" for key in ("progress", "checkpoint") if key in module.Config.__dataclass_fields__}
    return build(module.Config, read_variant(recipe, "default"), {**quiet, **overrides, "seed": str(seed)})


def cross_validate(recipe: str, data: LabData, overrides: dict, folds: int, seeds: int) -> dict:
    module = load_recipe(recipe)
    pooled_true, pooled_pred, fold_f1, seconds, epochs = [], [], [], 0.0, []
    for fold in cv_folds(data, folds):
        for seed in range(seeds):
            cfg = fold_config(recipe, overrides, 42 + seed)
            began = time.perf_counter()
            model = module.run(cfg, fold).models[0]
            seconds += time.perf_counter() - began
            epochs.append(len(model.history))
            truth = fold.labels("test")
            scores = evaluate_predictions(truth, model.predictions, data.label_names)["metrics"]
            fold_f1.append(scores["macro_f1"])
            pooled_true.append(truth)
            pooled_pred.append(model.predictions)
    truth, predicted = np.concatenate(pooled_true), np.concatenate(pooled_pred)
    pooled = evaluate_predictions(truth, predicted, data.label_names)["metrics"]
    return {"pooled_macro_f1": pooled["macro_f1"], "pooled_accuracy": pooled["accuracy"],
            "fold_sd": float(np.std(fold_f1)), "errors": int((truth != predicted).sum()),
            "seconds_per_fit": seconds / (folds * seeds), "mean_epochs": float(np.mean(epochs))}


def parse(candidate: str) -> dict:
    return dict(item.split("=", 1) for item in shlex.split(candidate))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("recipe")
    parser.add_argument("candidates", nargs="+")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=1)
    args = parser.parse_args()
    data = load("bbc-news")
    for candidate in args.candidates:
        row = cross_validate(args.recipe, data, parse(candidate), args.folds, args.seeds)
        print(f"{args.recipe} [{candidate or 'default'}]: CV macro-F1 {row['pooled_macro_f1']:.4f} "
              f"accuracy {row['pooled_accuracy']:.4f} ({row['errors']} errors; fold sd {row['fold_sd']:.4f}) "
              f"{row['seconds_per_fit']:.1f} s/fit, {row['mean_epochs']:.1f} epochs", flush=True)


if __name__ == "__main__":
    main()
