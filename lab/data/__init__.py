"""The data layer: a dataset spec in, one cleaned, split, fingerprinted DatasetDict out.

sources.py reads files, folders and Hub datasets; duplicates.py drops repeats; splits.py keeps or carves the
train/validation/test splits; dataset.py puts them together (LabData, load); text.py is the text preprocessing
the recipes share. Nothing here imports any other part of lab except lab.errors.
"""

from lab.data.dataset import LabData, fingerprint, load, subsample_train
from lab.data.splits import DEFAULT_FRACTIONS, SPLITS, stratified_split

__all__ = ["DEFAULT_FRACTIONS", "LabData", "SPLITS", "fingerprint", "load", "stratified_split", "subsample_train"]
