"""Issue 23 item 5: the data-efficiency curve, test macro-F1 per model at each train size, with the optimiser steps
and epochs each network got (`lab run all --profile quick train_sizes=100,300,all`, recipe by recipe).

    python benchmarks/data_efficiency.py                          # bow_ffn and lstm, quick profile, 100,300,all
    python benchmarks/data_efficiency.py --recipes classical,bow_ffn,lstm,transformer
    python benchmarks/data_efficiency.py min_steps=0              # the fixed-epoch curve (before min_steps)

Each recipe's quick config runs through lab.runs.execute on one loaded split, as `lab run all` does, in a scratch
runs folder. Key=value overrides go to every recipe.
"""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from lab.config import shipped_variant  # noqa: E402
from lab.runs import execute, load_data  # noqa: E402
from lab.progression import common_config  # noqa: E402


def one_point(recipe: str, overrides: list[str], data, size: int | None, runs_dir: str) -> list[dict]:
    began = time.perf_counter()
    folder = execute(recipe, shipped_variant(recipe, "quick"), [*overrides, f"runs_dir={runs_dir}", "progress=false"],
                     data=data, train_size=size)
    record = json.loads((folder / "record.json").read_text())
    seconds = time.perf_counter() - began
    return [{"recipe": recipe, "model": model["name"], "size": size or len(data.texts("train")),
             "macro_f1": 100 * model["metrics"]["macro_f1"], "seconds": seconds,
             **network_steps(record, model, size or len(data.texts("train")))} for model in record["models"]]


def network_steps(record: dict, model: dict, size: int) -> dict:
    """The steps and epochs a network got; a record from before min_steps has only its history (one entry per
    epoch) and its batch size, which give them exactly without gradient accumulation."""
    figures, config = record["figures"], record["config"]
    if "optimizer_steps" in figures or not model["history"]:
        return {"steps": figures.get("optimizer_steps"), "epochs": figures.get("training_epochs")}
    size = min(size, config.get("max_train_examples") or size)
    return {"steps": len(model["history"]) * -(-size // config["batch_size"]), "epochs": len(model["history"])}


def main(recipes: list[str], sizes: list[int | None], overrides: list[str]) -> None:
    with tempfile.TemporaryDirectory() as runs_dir:
        data = load_data(common_config([]))
        rows = [row for recipe in recipes for size in sizes
                for row in one_point(recipe, [o for o in overrides if recipe != "classical"], data, size, runs_dir)]
    print("| model | train size | macro-F1 | optimiser steps | epochs | seconds |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['model']} | {row['size']:,} | {row['macro_f1']:.1f} | {row['steps'] or ''} | "
              f"{row['epochs'] or ''} | {row['seconds']:.0f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipes", default="bow_ffn,lstm")
    parser.add_argument("--sizes", default="100,300,all")
    parser.add_argument("overrides", nargs="*", metavar="key=value")
    args = parser.parse_args()
    main(args.recipes.split(","), [None if s == "all" else int(s) for s in args.sizes.split(",")], args.overrides)
