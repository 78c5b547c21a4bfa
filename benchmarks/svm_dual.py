"""Issue 24: does the linear SVM fit faster in liblinear's primal than in its dual at 100,000 short texts?

    flock /tmp/lab-bench.lock python benchmarks/svm_dual.py [--size 100000]

scikit-learn advises the primal (dual=False) when samples outnumber features, as in the quick classical config
(unigrams, 20,000 features) on 80,000 training texts. The quick config's TF-IDF on logreg_tol.py's two datasets;
per setting: fit seconds and test macro-F1, C=1 as the recipe. One split each, so a difference under a point is noise.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.logreg_tol import quick_features  # noqa: E402


def main() -> None:
    from sklearn.metrics import f1_score
    from sklearn.svm import LinearSVC

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")  # liblinear's ConvergenceWarning is reported as the iteration count
    print("| dataset | dual | fit s | iterations | test macro-F1 |\n|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as scratch:
        for name, train, labels, test, test_labels in quick_features(args.size, Path(scratch)):
            for dual in (True, False):
                began = time.perf_counter()
                model = LinearSVC(C=1.0, dual=dual, random_state=42).fit(train, labels)
                score = 100 * f1_score(test_labels, model.predict(test), average="macro")
                print(f"| {name} | {dual} | {time.perf_counter() - began:.1f} | {int(model.n_iter_)} | "
                      f"{score:.2f} |", flush=True)


if __name__ == "__main__":
    main()
