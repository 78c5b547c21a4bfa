"""How many hand-made bugs in lab/evaluation/ does the test suite catch?

Each mutant changes one operator or constant. It is applied to a fresh copy of the tree (the repository itself is
never touched), the evaluation tests run there, and a mutant counts as killed when they fail. Before any mutant,
the same tests must pass on the unmutated copy.

    python benchmarks/mutants_evaluation.py                   # this checkout
    python benchmarks/mutants_evaluation.py --root ../other   # another checkout's code and tests, e.g. before a change

A mutant whose text is not in the tree (the code changed since it was written) is reported as n/a.
For the whole space of small mutants, mutmut 3 works offline too (pip install mutmut; a [mutmut] section in
setup.cfg with source_paths=lab/evaluation/ and these test files; python -m mutmut run; python -m mutmut results).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EVALUATION = "lab/evaluation/"
TESTS = ["tests/test_evaluation.py", "tests/test_efficiency.py", "tests/test_hard_examples.py",
         "tests/test_clustering.py"]
METRIC = EVALUATION + "metrics/classification/classification.py"

# (file, original text, mutated text, the bug it stands for)
MUTANTS = [
    ("classification.py", "present = denominator > 0", "present = denominator >= 0",
     "macro-F1 averages in classes that never occur"),
    ("classification.py", "f1 = np.divide(2 * tp, denominator", "f1 = np.divide(tp, denominator",
     "F1 without the factor 2"),
    ("classification.py", "return (y_true == y_pred).mean(axis=1)", "return (y_true != y_pred).mean(axis=1)",
     "bootstrap accuracy is the error rate"),
    ("classification.py", "float(np.percentile(values, 2.5))", "float(np.percentile(values, 5))",
     "a 92.5% interval called 95%"),
    ("classification.py", "index = rng.integers(0, len(y_true),", "index = rng.integers(1, len(y_true),",
     "resamples never draw the first test example"),
    ("classification.py", 'metrics["macro_f1_ci"] = [low, high]', 'metrics["macro_f1_ci"] = [high, low]',
     "interval bounds swapped"),
    ("classification.py", "scores[:, c]) for c in range(n_classes)", "-scores[:, c]) for c in range(n_classes)",
     "AUC of reversed scores"),
    ("significance.py", "(pred_b == y_true)).sum())", "(pred_b != y_true)).sum())",
     "McNemar counts shared errors as b's wins"),
    ("significance.py", "binomtest(a_only, a_only + b_only, 0.5)", "binomtest(a_only, a_only + b_only, 0.4)",
     "McNemar's null is not a fair coin"),
    ("clustering.py", "table.max(axis=1).sum()", "table.max(axis=0).sum()",
     "purity by label instead of by cluster (inverse purity)"),
    ("hard_examples.py", "math.ceil(len(predictions) / 2)", "math.ceil(len(predictions) / 3)",
     "hard examples: a third of the models instead of half"),
    ("hard_examples.py", "key=lambda i: (-len(missed[i]), i)", "key=lambda i: (len(missed[i]), i)",
     "hard examples listed least missed first"),
    ("efficiency.py", "start_gpu = reset_gpu_peak()", "start_gpu = 0",
     "GPU peak not reset: a later recipe reports an earlier one's"),
    ("metrics/classification/classification.py", 'average="weighted"', 'average="macro"',
     "weighted F1 is the macro F1"),
    ("metrics/classification/classification.py", "confusion_matrix(y_true, y_pred, labels=labels)",
     "confusion_matrix(y_pred, y_true, labels=labels)", "confusion matrix transposed"),
]


def copy_tree(root: Path, into: Path) -> Path:
    target = into / "tree"
    shutil.copytree(root, target, ignore=shutil.ignore_patterns(".git", "runs", "reports", "__pycache__",
                                                                 "*.egg-info", ".pytest_cache", "mutants"))
    return target


def run_tests(tree: Path, tests: list[str], cache: Path) -> tuple[bool, float]:
    # the copy's code, not an installed lab; evaluate's module cache in the scratch folder (one per mutant)
    env = {**os.environ, "PYTHONPATH": str(tree), "HF_MODULES_CACHE": str(cache), "OMP_NUM_THREADS": "1"}
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests],
                          cwd=tree, env=env, capture_output=True, text=True)
    return done.returncode == 0, time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent,
                        help="the checkout whose code and tests are mutated (default: this one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lab-mutants-") as scratch:
        tree = copy_tree(args.root.resolve(), Path(scratch))
        tests = [test for test in TESTS if (tree / test).is_file()]
        passed, seconds = run_tests(tree, tests, Path(scratch) / "cache-clean")
        print(f"tests: {' '.join(tests)}; unmutated: {'pass' if passed else 'FAIL'} ({seconds:.0f} s)")
        if not passed:
            print("the unmutated tests fail: fix them first")
            return 1
        killed = applicable = 0
        for number, (name, original, mutated, bug) in enumerate(MUTANTS, start=1):
            path = tree / EVALUATION / name
            text = path.read_text()
            if text.count(original) != 1:
                print(f"{number:2d}  n/a       {bug}")
                continue
            path.write_text(text.replace(original, mutated))
            try:
                survived, _ = run_tests(tree, tests, Path(scratch) / f"cache-{number}")
            finally:
                path.write_text(text)
            applicable += 1
            killed += not survived
            print(f"{number:2d}  {'SURVIVED' if survived else 'killed  '}  {bug}")
        print(f"killed {killed} of {applicable} mutants")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
