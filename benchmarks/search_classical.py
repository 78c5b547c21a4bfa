"""Does equal tuning move the classical models? search=N Optuna trials per model (lab/search.py, the space of
recipes/configs/classical/default.yaml) on BBC News, the lab's one split (seed 42), each trial scored on validation;
then each model's chosen setting, and its validation and test macro-F1 beside the default config's.

    flock /tmp/lab-bench.lock python benchmarks/search_classical.py                 # 30 trials per model
    python benchmarks/search_classical.py --trials 5 --journal /tmp/search.log     # a journal continues a search

Figures: not yet measured (see benchmarks/README.md).
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lab.config import build, read_variant, search_space  # noqa: E402
from lab.data import load  # noqa: E402
from lab.evaluation import evaluate  # noqa: E402
from lab.search import tuned_fit  # noqa: E402
from recipes import classical  # noqa: E402


def test_scores(result, data) -> dict[str, float]:
    return {model.name: evaluate(data.task, data.labels("test"), model.predictions, data.label_names,
                                 model.scores)["metrics"]["macro_f1"] for model in result.models}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--dataset", default="bbc-news")
    parser.add_argument("--journal", help="the Optuna journal file (default: a new temporary one)")
    args = parser.parse_args()

    cfg = build(classical.Config, read_variant("classical", "default"), {"dataset": args.dataset})
    data = load(args.dataset, seed=cfg.seed)
    default_test = test_scores(classical.run(cfg, data), data)
    journal = Path(args.journal or Path(tempfile.mkdtemp(prefix="search-")) / "search.log")
    began = time.perf_counter()
    result, record = tuned_fit(classical, cfg, data, search_space(classical.Config, "classical", "default"),
                               args.trials, journal)
    seconds = time.perf_counter() - began
    tuned_test = test_scores(result, data)
    print(f"{args.dataset}, {args.trials} trials per model, {seconds:.0f} s for the search and refits "
          f"(journal {journal})")
    print(f"{'model':<13} {'val default':>11} {'val tuned':>9} {'test default':>12} {'test tuned':>10}  setting")
    for name, model in record["models"].items():
        setting = " ".join(f"{key}={value:.4g}" if isinstance(value, float) else f"{key}={value}"
                           for key, value in model["best_params"].items())
        print(f"{name:<13} {model['default_value']:>11.4f} {model['best_value']:>9.4f} "
              f"{default_test[name]:>12.4f} {tuned_test[name]:>10.4f}  {setting}")


if __name__ == "__main__":
    main()
