"""bow_ffn and lstm (and on request transformer) with their default configs on bbc-news, twice with the same seed.

Prints test macro-F1, accuracy and wall time (recipe run, data loading excluded) per run, the recipe's training time
split into setup, training steps and validation, and whether the two runs'
metrics and probabilities are identical. Issue targets: bow_ffn macro-F1 >= 0.97 in <= 60 s; lstm >= 0.95 in
<= 300 s. Run it alone on the machine:

    flock /tmp/lab-bench.lock python benchmarks/neural_bbc.py [bow_ffn|lstm ...] [--seeds n]

--seeds n then also runs seeds 43..41+n, to show how far the test figure moves with the seed alone; this is
context for the default seed's figure, never a way of choosing a seed. The seed moves initial weights, dropout and
batch order only: the split stays seed 42's. --no-repeat skips the two seed-42 runs (for the transformer, whose
seed-42 run takes 16 minutes and is in the committed report):

    flock /tmp/lab-bench.lock python benchmarks/neural_bbc.py transformer --no-repeat --seeds 3

--set KEY=VALUE changes a setting in every recipe whose config has the key, as `lab run all KEY=VALUE` does (e.g.
--set embedding_init=random where gensim is not installed); the printed figures are then not the default config's.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from lab.config import build, parse_overrides, read_variant  # noqa: E402
from lab.data import load  # noqa: E402
from lab.evaluation import evaluate_predictions  # noqa: E402
from lab.progression import route_overrides  # noqa: E402
from lab.registry import load_recipe  # noqa: E402

TARGETS = {"bow_ffn": (0.97, 60.0), "lstm": (0.95, 300.0), "transformer": (0.98, None)}
DEFAULT_RECIPES = ["bow_ffn", "lstm"]
# no checkpoints: nothing is resumed here, and they would be written under ./runs
FIXED = {"transformer": {"checkpoint": "false"}}


def run_once(recipe: str, data, overrides: dict):
    module = load_recipe(recipe)
    cfg = build(module.Config, read_variant(recipe, "default"), {"progress": "false", **FIXED.get(recipe, {}),
                                                                  **overrides})
    began = time.perf_counter()
    result = module.run(cfg, data)
    seconds = time.perf_counter() - began
    model = result.models[0]
    metrics = evaluate_predictions(data.labels("test"), model.predictions, data.label_names, model.scores)["metrics"]
    return metrics, seconds, result


def described(metrics: dict, seconds: float, result) -> str:
    """Test figures, wall time, and the recipe's training time split into setup, steps and validation."""
    model, split = result.models[0], result.figures
    return (f"test macro-F1 {metrics['macro_f1']:.4f}  accuracy {metrics['accuracy']:.4f}  wall {seconds:.1f} s  "
            f"(train {model.train_seconds:.1f} s = setup {split['seconds_in_setup']:.1f} + steps "
            f"{split['seconds_in_training_steps']:.1f} + validation {split['seconds_in_validation']:.1f}, "
            f"{len(model.history)} epochs, {model.examples_per_second:.0f} test examples/s, "
            f"{model.parameters} parameters)")


def seed_spread(recipe: str, data, seeds: int, seed_42_f1: float | None, settings: dict) -> None:
    scores = [] if seed_42_f1 is None else [seed_42_f1]
    for seed in range(43, 42 + seeds):
        metrics, seconds, result = run_once(recipe, data, {**settings, "seed": str(seed)})
        scores.append(metrics["macro_f1"])
        print(f"{recipe} seed {seed}: {described(metrics, seconds, result)}", flush=True)
    first = 42 if seed_42_f1 is not None else 43
    print(f"{recipe}: test macro-F1 over seeds {first}..{41 + seeds}: {[round(f, 4) for f in scores]}; mean "
          f"{np.mean(scores):.4f}, sd {np.std(scores):.4f}, {sum(f >= TARGETS[recipe][0] for f in scores)} of "
          f"{len(scores)} at or above {TARGETS[recipe][0]}", flush=True)


def main(recipes: list[str], seeds: int, repeat: bool = True, settings: list[str] = ()) -> None:
    routed = {recipe: parse_overrides(mine) for recipe, mine in route_overrides(recipes, "default", settings).items()}
    data = load("bbc-news")
    for recipe in recipes:
        if routed[recipe]:
            print(f"{recipe}: with {routed[recipe]} (not the default config)", flush=True)
        if not repeat:
            seed_spread(recipe, data, seeds, None, routed[recipe])
            continue
        runs = []
        for attempt in (1, 2):
            metrics, seconds, result = run_once(recipe, data, routed[recipe])
            runs.append((metrics, result.models[0].scores))
            print(f"{recipe} run {attempt}: {described(metrics, seconds, result)}", flush=True)
        target_f1, target_seconds = TARGETS[recipe]
        same = runs[0][0]["macro_f1"] == runs[1][0]["macro_f1"] and np.array_equal(runs[0][1], runs[1][1])
        budget = f" in <= {target_seconds:.0f} s" if target_seconds else ""
        print(f"{recipe}: identical metrics and probabilities across the two seeded runs: {same}; "
              f"target macro-F1 >= {target_f1}{budget}", flush=True)
        if seeds > 1:
            seed_spread(recipe, data, seeds, runs[0][0]["macro_f1"], routed[recipe])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("recipes", nargs="*", help=f"any of {', '.join(TARGETS)} (default: bow_ffn lstm)")
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--no-repeat", action="store_true", help="skip the two seed-42 runs; run seeds 43.. only")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="a setting for every recipe whose config has KEY (repeatable)")
    args = parser.parse_args()
    if set(args.recipes) - set(TARGETS):
        parser.error(f"unknown recipe(s) {sorted(set(args.recipes) - set(TARGETS))}; choose from {list(TARGETS)}")
    if args.no_repeat and args.seeds < 2:
        parser.error("--no-repeat leaves nothing to run unless --seeds is 2 or more (seeds 43..41+n)")
    main(args.recipes or DEFAULT_RECIPES, args.seeds, repeat=not args.no_repeat, settings=args.set)
