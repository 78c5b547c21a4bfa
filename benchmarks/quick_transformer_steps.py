"""Issue 24: what the quick transformer learns from the few steps its 60-s budget affords on 2 CPU cores.

    flock /tmp/lab-bench.lock python benchmarks/quick_transformer_steps.py [--size 30000] [--steps 100] [--seeds 0 1 2]

At 100,000 short texts in 35 classes (benchmarks/scaling.py), the quick config's budget bought 103 optimizer steps of
batch 16 on this session's Xeon and MiniLM scored 5.3 macro-F1 against a floor of 1.5. This script holds the steps
fixed (max_train_seconds=null, exactly --steps steps of one epoch over --steps x 16 training texts) so that the
variants compare at equal work whatever else the machine runs, and scores each on the sample's test split.
Sample: the seeded --size rows of benchmarks.corpora.short_texts that scaling.py uses. Variants: VARIANTS below, each
the quick config (recipes/configs/transformer/quick.yaml) with those overrides.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from benchmarks.corpora import short_texts  # noqa: E402
from scaling import sample  # noqa: E402

# Since quick.yaml adopted head_lr=0.01 the head's own rate is what the quick config does; "head at lr" is the config
# before it (head_lr=null: the head learns at the encoder's rate), the rows of benchmarks/README.md's first table.
VARIANTS = {
    "head at lr (lr 2e-4)": {"head_lr": "null"},
    "lr 5e-4": {"lr": "0.0005", "head_lr": "null"},
    "lr 1e-3": {"lr": "0.001", "head_lr": "null"},
    "head lr 2e-3": {"head_lr": "0.002"},
    "head lr 1e-2 (quick)": {},
}


def quick_config(overrides: dict, steps: int, seed: int):
    from lab.config import build, read_variant
    from lab.registry import load_recipe

    fixed = {"max_train_seconds": "null", "min_steps": "0", "epochs": "1", "max_train_examples": str(steps * 16),
             "progress": "false", "checkpoint": "false", "seed": str(seed), "threads": "1"}
    return build(load_recipe("transformer").Config, read_variant("transformer", "quick"), {**fixed, **overrides})


def reference(data, steps: int, seed: int) -> dict[str, float]:
    """Test macro-F1 of the quick classical models trained on as many texts as the steps show the transformer (a
    stratified seeded subset): what those texts afford a model that needs no steps."""
    from lab.config import build, read_variant
    from lab.data import subsample_train
    from lab.registry import load_recipe

    cfg = build(load_recipe("classical").Config, read_variant("classical", "quick"), {"seed": str(seed)})
    result = load_recipe("classical").run(cfg, subsample_train(data, steps * 16, seed))
    return {model.name: test_macro_f1(data, model.predictions) for model in result.models}


def test_macro_f1(data, predictions) -> float:
    from lab.evaluation import evaluate_predictions

    return 100 * evaluate_predictions(data.labels("test"), predictions, data.label_names)["metrics"]["macro_f1"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=30000)
    parser.add_argument("--dataset", default=None, help="a dataset instead of the short-text sample, e.g. bbc-news")
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--only", default="", help="comma-separated variant names")
    parser.add_argument("--reference", action="store_true", help="also the classical models on the same number of texts")
    args = parser.parse_args()
    from lab.data import load
    from lab.registry import load_recipe

    names = [name for name in VARIANTS if not args.only or name in args.only.split(",")]
    with tempfile.TemporaryDirectory() as folder:
        csv_path = args.dataset or sample(short_texts(Path(folder)), args.size, Path(folder))
        print(f"{args.dataset or f'{args.size:,} short texts'}, {args.steps} steps of 16, seeds {args.seeds}",
              flush=True)
        splits = {seed: load(str(csv_path), seed=seed) for seed in args.seeds}  # one load per seed, every variant
        for seed in args.seeds if args.reference else []:
            print(f"  reference seed {seed}: {reference(splits[seed], args.steps, seed)}", flush=True)
        for name in names:
            scores = []
            for seed, data in splits.items():
                began = time.perf_counter()
                result = load_recipe("transformer").run(quick_config(VARIANTS[name], args.steps, seed), data)
                scores.append(test_macro_f1(data, result.models[0].predictions))
                print(f"  {name} seed {seed}: macro-F1 {scores[-1]:.1f} ({time.perf_counter() - began:.0f} s)",
                      flush=True)
            sd = statistics.stdev(scores) if len(scores) > 1 else 0.0
            print(f"{name}: test macro-F1 {statistics.mean(scores):.1f} +- {sd:.1f}", flush=True)


if __name__ == "__main__":
    main()
