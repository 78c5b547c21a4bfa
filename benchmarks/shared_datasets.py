"""The shared benchmark datasets (../shared/data/, see its SOURCES.md) as the lab's inputs, with their official splits.

    python benchmarks/shared_datasets.py                 # every dataset: how lab.data.load reads it, and how fast
    python benchmarks/shared_datasets.py --keep /tmp/d   # also keep the inputs it writes, to `lab run` them

For each dataset it writes, to a temporary folder (never the repository), a CSV of the dataset with a `split`
column built from meta/<name>.meta.csv, where the meta file gives an official split (GoEmotions: train/dev/test;
Reuters ModApte: train/test, so validation is carved from train). CLEAR and HaHackathon have no official test
split in these files (SOURCES.md), so they load as one file, split 80/10/10 by the lab. It then prints what
lab.data.load makes of each: the task it detects, the rows per split, the label count, the notes, and the
seconds the load took (one load each; reading, cleaning, near-duplicate removal, the split, language detection).
Each row also gives the keys that reproduce it with `lab run ... dataset=<file> ...`.
"""

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lab import data  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
if not SHARED.is_dir():
    SHARED = Path("/work/shared/data")

# name -> (csv, keys for lab.data.load); "split" marks a dataset whose meta file gives its official split
DATASETS = {
    "clear_readability": ("clear_readability_regression.csv", {}),
    "hahackathon_humor": ("hahackathon_humor_regression.csv", {}),
    "goemotions": ("goemotions_multilabel.csv", {"label_sep": ";", "split_column": "split"}),
    "goemotions_onehot": ("goemotions_multilabel_onehot.csv", {"split_column": "split", "label_column": "*"}),
    "reuters_modapte": ("reuters_modapte_multilabel.csv", {"label_sep": ";", "split_column": "split"}),
    "reuters_modapte_onehot": ("reuters_modapte_multilabel_onehot.csv",
                               {"split_column": "split", "label_column": "*"}),
}


def lab_input(csv: str, keys: dict, folder: Path) -> tuple[Path, dict]:
    """The CSV the lab reads (with the official split as a column where there is one) and the keys to read it."""
    source = SHARED / csv
    keys = dict(keys)
    if "split_column" not in keys:
        return source, keys
    frame = pd.read_csv(source, dtype=object, keep_default_na=False)
    meta = pd.read_csv(SHARED / "meta" / csv.replace("_onehot", "").replace(".csv", ".meta.csv"), dtype=object,
                       keep_default_na=False)
    assert len(meta) == len(frame) and (meta["row"].astype(int).to_numpy() == np.arange(len(frame))).all()
    frame["split"] = meta["source_split"].to_numpy()
    path = folder / csv
    frame.to_csv(path, index=False)
    return path, keys


def describe(name: str, path: Path, keys: dict) -> None:
    start = time.perf_counter()
    loaded = data.load(str(path), **keys)
    seconds = time.perf_counter() - start
    sizes = {split: len(loaded.texts(split)) for split in data.SPLITS}
    shown_keys = " ".join(f"{k}={v}" for k, v in keys.items())
    print(f"{name}: task {loaded.task}, train/validation/test {sizes['train']}/{sizes['validation']}/{sizes['test']}, "
          f"{loaded.num_outputs} {'output' if loaded.task == 'regression' else 'labels'}, language {loaded.language}, "
          f"load {seconds:.1f} s  [{shown_keys or 'no keys'}]")
    for note in loaded.notes:
        print(f"    note: {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", help="a folder to keep the written inputs in (default: a temporary folder)")
    parser.add_argument("names", nargs="*", help=f"datasets to load (default: all of {', '.join(DATASETS)})")
    args = parser.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="lab-shared-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        for name in args.names or DATASETS:
            path, keys = lab_input(*DATASETS[name], folder)
            describe(name, path, keys)
    finally:
        if not args.keep:
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()
