"""How much of a test figure is the draw of the test split? A recipe's default config is run on the split that
each of several seeds draws (the seed also sets initial weights and batch order), and scored on that test split.
The classical models, seconds per run, are scored on the same draws, so a slow recipe's few draws can be set
beside the classical models' many: a model's figure on the lab's split (seed 42) minus its mean over the draws is
how kind that split is, and the spread is how far one split can mislead.

    python benchmarks/split_draws.py                                   # classical, seeds 0..29 and 42
    flock /tmp/lab-bench.lock python benchmarks/split_draws.py --recipe transformer --seeds 0 1 2 [--set lr=5e-5]
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from lab.data import load  # noqa: E402
from lab.evaluation import evaluate_predictions  # noqa: E402
from lab.registry import load_recipe  # noqa: E402
from select_by_cv import fold_config  # noqa: E402

LAB_SEED = 42


def test_scores(recipe: str, dataset: str, seed: int, overrides: dict | None = None) -> dict[str, float]:
    """Test macro-F1 of each model the recipe's default config (with overrides) trains on the split `seed` draws."""
    cfg = fold_config(recipe, {**(overrides or {}), "dataset": dataset}, seed)
    data = load(dataset, seed=seed)
    truth = data.labels("test")
    began = time.perf_counter()
    models = load_recipe(recipe).run(cfg, data).models
    scores = {model.name: evaluate_predictions(truth, model.predictions, data.label_names)["metrics"]["macro_f1"]
              for model in models}
    if recipe != "classical":
        curves = [[round(epoch["val_macro_f1"], 4) for epoch in model.history] for model in models]
        print(f"  seed {seed}: {recipe} {', '.join(f'{v:.4f}' for v in scores.values())} "
              f"({time.perf_counter() - began:.0f} s; validation macro-F1 per epoch {curves})", flush=True)
    return scores


def summary(name: str, by_seed: dict[int, dict[str, float]]) -> str:
    seeds = sorted(by_seed)
    values = np.array([by_seed[seed][name] for seed in seeds])
    spread = f"sd {values.std(ddof=1):.4f}" if len(values) > 1 else "sd -"
    line = (f"  {name:<13} mean {values.mean():.4f}  {spread}  "
            f"range {values.min():.4f}-{values.max():.4f}  {(values >= 0.98).mean():.0%} of draws >= 0.98")
    if LAB_SEED in by_seed:
        lab = by_seed[LAB_SEED][name]
        line += (f"; seed {LAB_SEED}: {lab:.4f} ({lab - values.mean():+.4f} vs mean, "
                 f"rank {int((values > lab).sum()) + 1} of {len(seeds)})")
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipe", default="classical")
    parser.add_argument("--seeds", type=int, nargs="+", default=[*range(30), LAB_SEED])
    parser.add_argument("--dataset", default="bbc-news")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a key of the recipe's default config (not the classical models')")
    args = parser.parse_args()
    overrides = dict(item.split("=", 1) for item in args.set)
    runs = {seed: test_scores(args.recipe, args.dataset, seed, overrides) for seed in args.seeds}
    recipe_models = list(runs[args.seeds[0]]) if args.recipe != "classical" else []
    for seed in args.seeds if recipe_models else []:
        runs[seed].update(test_scores("classical", args.dataset, seed))
    config = " ".join(["default config", *args.set])
    print(f"{args.dataset}: test macro-F1 of the {config} over {len(args.seeds)} split seeds {args.seeds}")
    for name in runs[args.seeds[0]]:
        print(summary(name, runs))
    for name in recipe_models:
        gaps = [runs[seed][name] - runs[seed]["tfidf_svm"] for seed in args.seeds]
        print(f"  {name} minus tfidf_svm, same draw: {', '.join(f'{g:+.4f}' for g in gaps)} "
              f"(mean {np.mean(gaps):+.4f})")


if __name__ == "__main__":
    main()
