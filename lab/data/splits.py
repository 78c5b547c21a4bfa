"""Splits: keep the splits a source has, carve the missing ones with a seeded, stratified split."""

from __future__ import annotations

import numpy as np

from lab.errors import LabError

SPLITS = ("train", "validation", "test")
DEFAULT_FRACTIONS = (0.8, 0.1, 0.1)


def assign_splits(cleaned: dict, seed: int) -> dict[str, tuple[list, list]]:
    """Respect the splits a source has; carve the missing ones with a seeded, stratified split."""
    if set(cleaned) >= {"train", "validation", "test"}:
        return {name: cleaned[name] for name in SPLITS}
    if "all" in cleaned:
        return stratified_split(*cleaned["all"], DEFAULT_FRACTIONS, seed)
    train, validation = cleaned["train"], cleaned.get("validation")
    if "test" in cleaned:
        test = cleaned["test"]
    else:  # e.g. GLUE: the labelled validation split becomes the test set
        test, validation = validation, None
    if validation is None:
        val_share = DEFAULT_FRACTIONS[1] / (DEFAULT_FRACTIONS[0] + DEFAULT_FRACTIONS[1])
        parts = stratified_split(*train, (1 - val_share, val_share, 0.0), seed)
        train, validation = parts["train"], parts["validation"]
    if test is None:
        raise LabError("the dataset has no labelled validation or test split; give a dataset with one")
    return {"train": train, "validation": validation, "test": test}


def stratified_split(texts: list, labels: list, fractions: tuple, seed: int) -> dict[str, tuple[list, list]]:
    """Per class: shuffle with the seed, then cut. Each split gets at least one example of every class."""
    rng = np.random.default_rng(seed)
    by_class: dict[str, list[int]] = {}
    for index, label in enumerate(labels):
        by_class.setdefault(label, []).append(index)
    needed = sum(1 for f in fractions if f > 0)
    chosen: dict[str, list[int]] = {name: [] for name in SPLITS}
    for label in sorted(by_class):
        indices = rng.permutation(by_class[label]).tolist()
        if len(indices) < needed:
            raise LabError(f"class '{label}' has {len(indices)} example(s), too few to stratify into "
                           f"{needed} splits; add examples or drop that class")
        n_test = max(1, round(len(indices) * fractions[2])) if fractions[2] > 0 else 0
        n_val = max(1, round(len(indices) * fractions[1])) if fractions[1] > 0 else 0
        n_train = max(1, len(indices) - n_test - n_val)
        n_val = len(indices) - n_train - n_test
        chosen["test"] += indices[:n_test]
        chosen["validation"] += indices[n_test:n_test + n_val]
        chosen["train"] += indices[n_test + n_val:]
    return {name: ([texts[i] for i in sorted(idx)], [labels[i] for i in sorted(idx)]) for name, idx in chosen.items()}
