"""Choose a recipe's settings by the lab's own cross-validation of the train and validation splits; the test split
is never read.

The validation split of bbc-news (206 articles) is too small to rank settings: with repeats still in it, most
sensible settings scored 0.98-0.99 macro-F1 there. Here each candidate is a `lab run RECIPE folds=K` (the runner,
lab/crossval.py) on the data with its test split removed: the train and validation articles are pooled and
folded, each fold carves its own validation split as the lab does, and the candidates are ranked by the folds'
mean macro-F1, with the pooled out-of-fold figure beside it. Usage, alone on the machine:

    flock /tmp/lab-bench.lock python benchmarks/select_by_cv.py bow_ffn "" "hidden=[128]" "dropout=0.5"

Each argument after the recipe is one candidate: space-separated key=value overrides on the default config
("" is the default itself). --folds K (default 5), --repeats R (default 1), --dataset (default bbc-news).
"""

import argparse
import dataclasses
import json
import shlex
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lab.config import build, read_variant  # noqa: E402
from lab.data import LabData, load  # noqa: E402
from lab.data.folds import fold_data, fold_plan  # noqa: E402
from lab.registry import load_recipe  # noqa: E402
from lab.runs import execute  # noqa: E402


def without_test(data: LabData) -> LabData:
    """The train and validation splits alone (the test split emptied): the lab's folds then pool only these."""
    splits = data.splits.copy()
    splits["test"] = data.splits["test"].select([])
    return dataclasses.replace(data, splits=splits, own_test=False)


def cv_folds(data: LabData, folds: int):
    """The lab's folds of the train and validation splits (fold seed 0): each fold's LabData, its test part a
    held-out fold, for benchmarks that score candidates fold by fold."""
    plan = fold_plan(without_test(data), folds, seed=0)
    for fold in range(folds):
        yield fold_data(plan, 0, fold)


def quiet(recipe: str) -> dict:
    fields = load_recipe(recipe).Config.__dataclass_fields__
    return {key: "false" for key in ("progress", "checkpoint") if key in fields}


def fold_config(recipe: str, overrides: dict, seed: int):
    """The recipe's default config with the candidate's overrides, quiet and without checkpoints, on the given
    seed (the seed is the benchmark's to set, never a candidate's)."""
    module = load_recipe(recipe)
    return build(module.Config, read_variant(recipe, "default"), {**quiet(recipe), **overrides, "seed": str(seed)})


def cross_validate(recipe: str, data: LabData, overrides: dict, folds: int, repeats: int) -> list[dict]:
    """One row per model of the candidate: the folds' mean and sd of macro-F1, the pooled out-of-fold figures."""
    settings = {**quiet(recipe), **overrides, "folds": folds, "repeats": repeats}
    with tempfile.TemporaryDirectory() as runs_dir:
        path = execute(recipe, "default", [f"{key}={value}" for key, value in settings.items()], runs_dir=runs_dir,
                       data=without_test(data))
        record = json.loads((path / "record.json").read_text())
    resampling = record["resampling"]
    seconds = sum(resampling["fold_seconds"]) / len(resampling["fold_seconds"])
    pool = record["dataset"]["sizes"]["pool"]
    return [{"model": model["name"], **{k: resampling["summary"][model["name"]]["macro_f1"][k] for k in ("mean", "sd")},
             "pooled_macro_f1": model["metrics"]["macro_f1"], "pooled_accuracy": model["metrics"]["accuracy"],
             "errors": round((1 - model["metrics"]["accuracy"]) * pool), "pool": pool, "seconds_per_fold": seconds}
            for model in record["models"]]


def parse(candidate: str) -> dict:
    return dict(item.split("=", 1) for item in shlex.split(candidate))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("recipe")
    parser.add_argument("candidates", nargs="+")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--dataset", default="bbc-news")
    args = parser.parse_args()
    data = load(args.dataset)
    for candidate in args.candidates:
        for row in cross_validate(args.recipe, data, parse(candidate), args.folds, args.repeats):
            print(f"{args.recipe} [{candidate or 'default'}] {row['model']}: CV macro-F1 {row['mean']:.4f} "
                  f"(sd {row['sd']:.4f} over {args.folds * args.repeats} folds); pooled out-of-fold "
                  f"{row['pooled_macro_f1']:.4f}, accuracy {row['pooled_accuracy']:.4f} ({row['errors']} errors "
                  f"in {row['pool']}); {row['seconds_per_fold']:.1f} s per fold", flush=True)


if __name__ == "__main__":
    main()
