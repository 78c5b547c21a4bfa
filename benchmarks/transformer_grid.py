"""Choose the transformer's settings over several draws of the split, without reading a test split to choose.

Each candidate is trained on the splits that several seeds draw (benchmarks/split_draws.py's configs). Candidates
are ranked by their best validation macro-F1, averaged over the draws: 206 validation articles per draw is too
few to rank settings on one draw (see select_by_cv.py), but five draws pool about a thousand. Test macro-F1 is
printed beside it, to report, not to choose. The loop runs draw by draw, so a run cut short still compares every
candidate on the same draws. Made for a lent GPU (benchmarks/gpu_check.sh grid); on 2 CPU cores each run of the
default config takes about 13 minutes.

    python benchmarks/transformer_grid.py --seeds 0 1 2 3 --out grid.jsonl "" "epochs=5" "lr=5e-5 epochs=5"

Each positional argument is one candidate: space-separated key=value overrides ("" is the default config).
"""

import argparse
import json
import shlex
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from lab.data import load  # noqa: E402
from lab.evaluation import evaluate_predictions  # noqa: E402
from lab.registry import load_recipe  # noqa: E402
from select_by_cv import fold_config  # noqa: E402


def one_run(candidate: str, data, seed: int) -> dict:
    overrides = dict(item.split("=", 1) for item in shlex.split(candidate))
    cfg = fold_config("transformer", {**overrides, "dataset": data.name}, seed)
    began = time.perf_counter()
    model = load_recipe("transformer").run(cfg, data).models[0]
    metrics = evaluate_predictions(data.labels("test"), model.predictions, data.label_names)["metrics"]
    return {"candidate": candidate, "seed": seed, "seconds": round(time.perf_counter() - began, 1),
            "best_validation": max(epoch["val_macro_f1"] for epoch in model.history),
            "validation_per_epoch": [round(epoch["val_macro_f1"], 4) for epoch in model.history],
            "test": metrics["macro_f1"]}


def summary(rows: list[dict], candidates: list[str]) -> list[str]:
    """One line per candidate, over the draws every candidate finished, best mean validation first."""
    seeds = sorted(set.intersection(*({r["seed"] for r in rows if r["candidate"] == c} for c in candidates)))
    if not seeds:
        return ["no draw finished for every candidate"]
    lines = [f"over split seeds {seeds}: mean best validation macro-F1 (chooses), mean test macro-F1 (reports)"]
    table = []
    for candidate in candidates:
        mine = sorted((r for r in rows if r["candidate"] == candidate and r["seed"] in seeds), key=lambda r: r["seed"])
        validation, test = (np.array([r[key] for r in mine]) for key in ("best_validation", "test"))
        table.append((validation.mean(), f"  {candidate or 'default':<32} validation {validation.mean():.4f}  "
                      f"test {test.mean():.4f} ({' '.join(f'{t:.4f}' for t in test)})  "
                      f"{np.mean([r['seconds'] for r in mine]):.0f} s per run"))
    return lines + [line for _, line in sorted(table, key=lambda item: -item[0])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("candidates", nargs="+")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3])
    parser.add_argument("--dataset", default="bbc-news")
    parser.add_argument("--out", type=Path, help="append each run as a JSON line (a cut-short run keeps its rows)")
    args = parser.parse_args()
    rows = []
    for seed in args.seeds:
        data = load(args.dataset, seed=seed)
        for candidate in args.candidates:
            rows.append(one_run(candidate, data, seed))
            print(json.dumps(rows[-1]), flush=True)
            if args.out:
                with args.out.open("a") as out:
                    out.write(json.dumps(rows[-1]) + "\n")
        print("\n".join(summary(rows, args.candidates)), flush=True)


if __name__ == "__main__":
    main()
