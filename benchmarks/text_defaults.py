"""Are the TF-IDF recipes' text defaults BBC-only choices? classical and bow_ffn under variants of their
vectorizer settings, on BBC News articles and on BBC sentences, over several split draws.

    python benchmarks/text_defaults.py [--seeds 42 0 1] [--recipes classical bow_ffn]

Each variant is the recipe's default config plus the listed overrides; "old" is the default before stop words were
kept (stop_words=english). Prints test macro-F1 per model, the mean over the split seeds (each seed draws another
80/10/10 split) and the mean change against the current default. Data loading is shared by all variants of a draw.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from corpora import bbc_sentences  # sibling module; also puts the repo on sys.path

from lab.config import build, read_variant
from lab.data import load
from lab.evaluation import evaluate_predictions
from lab.registry import load_recipe

VARIANTS = {
    "default": {},
    "old: stop_words=english": {"stop_words": "english"},
    "min_df=1": {"min_df": "1"},
    "ngram_max=1": {"ngram_max": "1"},
}


def scores(recipe: str, data, overrides: dict) -> dict[str, float]:
    module = load_recipe(recipe)
    quiet = {"progress": "false"} if "progress" in module.Config.__dataclass_fields__ else {}
    cfg = build(module.Config, read_variant(recipe, "default"), {**quiet, **overrides})
    result = module.run(cfg, data)
    return {m.name: evaluate_predictions(data.labels("test"), m.predictions, data.label_names)["metrics"]["macro_f1"]
            for m in result.models}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 0, 1])
    parser.add_argument("--recipes", nargs="+", default=["classical", "bow_ffn"])
    args = parser.parse_args()
    folder = Path(tempfile.gettempdir()) / "lab-bench"
    datasets = {"bbc-news": "bbc-news", "bbc-sentences": str(bbc_sentences(folder, per_article=2))}
    for name, spec in datasets.items():
        table: dict[tuple[str, str], list[float]] = {}
        for seed in args.seeds:
            data = load(spec, seed=seed)
            for recipe in args.recipes:
                for variant, overrides in VARIANTS.items():
                    for model, f1 in scores(recipe, data, {**overrides, "seed": str(seed)}).items():
                        table.setdefault((model, variant), []).append(f1)
        sizes = data.splits.num_rows
        print(f"\n{name}: train/validation/test {sizes['train']}/{sizes['validation']}/{sizes['test']} "
              f"(split seed {args.seeds[-1]}), test macro-F1 %, split seeds {' '.join(map(str, args.seeds))}")
        for (model, variant), values in table.items():
            change = statistics.mean(values) - statistics.mean(table[(model, "default")])
            print(f"  {model:<13} {variant:<24} mean {100 * statistics.mean(values):5.1f}  change {100 * change:+5.1f}  "
                  f"[{' '.join(f'{100 * v:.1f}' for v in values)}]")


if __name__ == "__main__":
    main()
