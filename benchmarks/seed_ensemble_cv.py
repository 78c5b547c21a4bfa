"""Does averaging the probabilities of several seeds' networks beat one network? k-fold CV of train and validation.

On the 5 folds of benchmarks/select_by_cv.py (the lab's folds of the train and validation splits; the test split is
never read), the lab's fold loop (lab.crossval.run_folds) trains the recipe's default config once per seed
42..41+n, every seed on the same folds, and pools each seed's out-of-fold probabilities. An ensemble of k of those
networks averages their class probabilities. Printed: each seed alone, then per k the mean, lowest and highest pooled
held-out macro-F1 over every k-seed subset, so an ensemble is compared with the single networks it is made of on
average, not with one lucky seed. Alone on the machine:

    flock /tmp/lab-bench.lock python benchmarks/seed_ensemble_cv.py bow_ffn --members 10 [--set KEY=VALUE ...]
"""

import argparse
import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from select_by_cv import fold_config, without_test  # noqa: E402

from lab.crossval import drain, run_folds  # noqa: E402
from lab.data import load  # noqa: E402
from lab.data.folds import fold_plan  # noqa: E402
from lab.evaluation import macro_f1_of  # noqa: E402
from lab.registry import load_recipe  # noqa: E402

FOLDS = 5


def member_probabilities(recipe: str, data, members: int, overrides: dict):
    """truth and probabilities[seed], both in the order of the folded examples, plus seconds per fit."""
    module = load_recipe(recipe)
    plan = fold_plan(without_test(data), FOLDS, seed=0)  # select_by_cv.cv_folds's folds, for every seed
    probabilities, seconds = [], []
    for member in range(members):
        folds = drain(run_folds(module, fold_config(recipe, overrides, 42 + member), plan))
        (name,) = folds.scores  # the network recipes train one model
        probabilities.append(folds.scores[name])
        seconds += folds.fold_seconds
    return plan.pool.labels("test"), probabilities, float(np.mean(seconds))


def scored(truth, probabilities) -> tuple[float, int]:
    """(macro-F1, errors): the report's macro-F1 without its bootstrap, since a thousand subsets are scored."""
    predicted = probabilities.argmax(axis=1)
    return float(macro_f1_of(truth[None], predicted[None], probabilities.shape[1])[0]), int((predicted != truth).sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("recipe")
    parser.add_argument("--members", type=int, default=5)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--dataset", default="bbc-news")
    args = parser.parse_args()
    data = load(args.dataset)
    overrides = dict(item.split("=", 1) for item in args.set)
    truth, members, seconds = member_probabilities(args.recipe, data, args.members, overrides)
    print(f"{args.recipe} {overrides or 'default'}: {FOLDS}-fold CV of train + validation ({len(truth)} texts), "
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
