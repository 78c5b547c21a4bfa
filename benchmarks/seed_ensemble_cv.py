"""Does averaging the probabilities of several seeds' networks beat one network? k-fold CV on the train split only.

For each of the 5 folds of benchmarks/select_by_cv.py (the held-out train fold plays the test split; the test split
is never read), the recipe's default config is trained once per seed 42..41+n. An ensemble of k of those networks
averages their class probabilities. Printed: each seed alone, then per k the mean, lowest and highest pooled
held-out macro-F1 over every k-seed subset, so an ensemble is compared with the single networks it is made of on
average, not with one lucky seed. Alone on the machine:

    flock /tmp/lab-bench.lock python benchmarks/seed_ensemble_cv.py bow_ffn --members 10 [--set KEY=VALUE ...]
"""

import argparse
import itertools
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from select_by_cv import cv_folds, fold_config  # noqa: E402

from lab.data import load  # noqa: E402
from lab.evaluation import macro_f1_of  # noqa: E402
from lab.registry import load_recipe  # noqa: E402

FOLDS = 5


def member_probabilities(recipe: str, data, members: int, overrides: dict):
    """truth (pooled over folds) and probabilities[seed] (pooled the same way), plus seconds per fit."""
    module = load_recipe(recipe)
    truths, probabilities, seconds = [], [[] for _ in range(members)], 0.0
    for fold in cv_folds(data, FOLDS):
        truths.append(fold.labels("test"))
        for member in range(members):
            began = time.perf_counter()
            result = module.run(fold_config(recipe, overrides, 42 + member), fold)
            seconds += time.perf_counter() - began
            probabilities[member].append(result.models[0].scores)
            close_plots(result)
    return np.concatenate(truths), [np.concatenate(p) for p in probabilities], seconds / (FOLDS * members)


def close_plots(result) -> None:
    import matplotlib.pyplot as plt

    for figure in result.plots.values():
        plt.close(figure)


def scored(truth, probabilities) -> tuple[float, int]:
    """(macro-F1, errors): the report's macro-F1 without its bootstrap, since a thousand subsets are scored."""
    predicted = probabilities.argmax(axis=1)
    return float(macro_f1_of(truth[None], predicted[None], probabilities.shape[1])[0]), int((predicted != truth).sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("recipe")
    parser.add_argument("--members", type=int, default=5)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    data = load("bbc-news")
    overrides = dict(item.split("=", 1) for item in args.set)
    truth, members, seconds = member_probabilities(args.recipe, data, args.members, overrides)
    print(f"{args.recipe} {overrides or 'default'}: {FOLDS}-fold CV on the train split ({len(truth)} articles), "
          f"{seconds:.1f} s per fit")
    for seed, probabilities in enumerate(members, start=42):
        f1, errors = scored(truth, probabilities)
        print(f"  seed {seed} alone: CV macro-F1 {f1:.4f} ({errors} errors)")
    for k in range(1, args.members + 1):
        subsets = [scored(truth, np.mean([members[i] for i in chosen], axis=0))
                   for chosen in itertools.combinations(range(args.members), k)]
        f1s, errors = np.array([f1 for f1, _ in subsets]), np.array([e for _, e in subsets])
        print(f"  {k} member(s), {len(subsets)} seed subsets: CV macro-F1 mean {f1s.mean():.4f} "
              f"(lowest {f1s.min():.4f}, highest {f1s.max():.4f}); errors mean {errors.mean():.1f}")


if __name__ == "__main__":
    main()
