"""Does a change leave a recipe's single-label results alone? Runs one recipe's default config on bbc-news with
the code of the checkout given by --root (another worktree, e.g. `git worktree add /tmp/old REV`) and prints its
history and test accuracy; run it once per checkout and compare.

    PYTHONPATH=/tmp/old python benchmarks/same_seed_run.py lstm
    PYTHONPATH=. python benchmarks/same_seed_run.py lstm

PYTHONPATH decides which checkout's lab is imported (the script's own folder would not).
"""

import json
import sys

import numpy as np

from lab.config import build, read_variant
from lab.data import load
from lab.registry import load_recipe


def main(recipe: str) -> None:
    module = load_recipe(recipe)
    quiet = {"progress": "false"} if "progress" in module.Config.__dataclass_fields__ else {}
    cfg = build(module.Config, read_variant(recipe, "default"), quiet)
    data = load("bbc-news")
    model = module.run(cfg, data).models[0]
    print(f"split {data.fingerprint}; history {json.dumps(model.history)}")
    print(f"test accuracy {np.mean(model.predictions == data.labels('test')):.4f}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "lstm")
