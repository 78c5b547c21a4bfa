"""Repeated texts: exact repeats (equal up to whitespace) and near-copies (most of their word 3-grams shared).

A text whose copy sits in another split is leakage: the model is scored on an example it trained on. bbc-news
has 100 exact repeats among its 2,225 files, and 57 more near-copies, mostly one story filed twice with a new
headline or a changed sentence (benchmarks/near_duplicates.py). Texts are visited in split order (train before
validation before test) and each is kept unless it repeats one already kept, so a source's train split is never
thinned for the sake of its test split.
"""

from __future__ import annotations

import re
import zlib

import numpy as np

from lab.errors import LabError
from lab.progress import Progress
from lab.data.sources import SOURCE_SPLITS, split_phrase

NEAR_JACCARD = 0.8  # share of word 3-grams two texts have in common: the usual near-duplicate cut (README)
# MinHash LSH only proposes candidates, and each is then checked with its exact Jaccard similarity. 128 hash
# functions, 18 bands of 7: a pair of Jaccard s shares a band with probability 1 - (1 - s^7)^18, 0.985 at 0.8 (few
# true near-copies are missed) and 0.40 at 0.6 (datasketch's choice for a 0.6 threshold, which this replaces: its
# per-text objects and storage layers took 35 of the 37 s of loading 100,000 short texts on a slow 2-core Xeon).
NUM_PERM, BANDS, ROWS = 128, 18, 7
PRIME = 4_294_967_311  # the first prime above 2^32: (a*x + b) mod PRIME with a, b, x < 2^32 stays within uint64
WORD = re.compile(r"\w+")


def shingles(text: str) -> frozenset[str]:
    """The text's lowercased word 3-grams; a text of fewer than 3 words is one shingle."""
    words = WORD.findall(text.lower())
    if len(words) < 3:
        return frozenset([" ".join(words) or " ".join(text.split())])
    return frozenset(" ".join(words[i:i + 3]) for i in range(len(words) - 2))


def jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b)


class MinHashBands:
    """A text's shingles -> its 18 LSH band keys: texts whose keys agree in some band are candidate copies."""

    def __init__(self, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.a = rng.integers(1, 2**32, size=NUM_PERM, dtype=np.uint64)  # h(x) = (a x + b) mod PRIME, 128 times
        self.b = rng.integers(0, 2**32, size=NUM_PERM, dtype=np.uint64)
        self.mix = rng.integers(1, 2**63, size=ROWS, dtype=np.uint64) | np.uint64(1)  # a band's 7 values -> 1 key

    def keys(self, hashes: np.ndarray) -> list[int]:
        signature = ((hashes[:, None] * self.a + self.b) % PRIME).min(axis=0)[:BANDS * ROWS]
        return (signature.reshape(BANDS, ROWS) * self.mix).sum(axis=1).tolist()  # uint64 arithmetic wraps


class RepeatFilter:
    """Remembers the texts kept so far; says whether the next one repeats one of them, and which copy's label."""

    def __init__(self, near: bool):
        self.exact: dict[str, str] = {}  # whitespace-normalised text -> label of its kept copy
        self.near = near
        self.kept: list[tuple[frozenset, str]] = []  # each kept text's shingle hashes and label
        self.buckets: list[dict[int, list[int]]] = [{} for _ in range(BANDS)]  # band key -> kept texts' indices
        self.bands = MinHashBands()

    def repeat_of(self, text: str, label: str) -> tuple[str, str] | None:
        """("exact" or "near", the kept copy's label) if text repeats a kept text; else None, and text is kept."""
        key = " ".join(text.split())
        if key in self.exact:
            return "exact", self.exact[key]
        copy = self.near_copy(text, label) if self.near else None
        self.exact[key] = label if copy is None else copy  # a later exact repeat answers with the kept copy's label
        return None if copy is None else ("near", copy)

    def near_copy(self, text: str, label: str) -> str | None:
        """The label of the earliest kept text text is a near-copy of; None (and text is kept) if there is none."""
        # crc32 stands in for each shingle: two texts' 3-grams collide with odds of about 1 in 10^7
        grams = frozenset(zlib.crc32(gram.encode("utf-8")) for gram in shingles(text))
        keys = self.bands.keys(np.fromiter(grams, dtype=np.uint64, count=len(grams)))
        candidates = {i for band, key in zip(self.buckets, keys) for i in band.get(key, ())}
        copies = sorted(i for i in candidates if jaccard(grams, self.kept[i][0]) >= NEAR_JACCARD)
        if copies:
            return self.kept[copies[0]][1]
        for band, key in zip(self.buckets, keys):
            band.setdefault(key, []).append(len(self.kept))
        self.kept.append((grams, label))
        return None


def drop_repeats(cleaned: dict, mode: str, notes: list[str]) -> dict[str, tuple[list[str], list[str]]]:
    """cleaned: split name ("all" for an unsplit source) -> (texts, labels). mode: near, exact or keep."""
    if mode == "keep":
        return cleaned
    repeats = RepeatFilter(near=mode == "near")
    kept = {}
    for name in sorted(cleaned, key=SOURCE_SPLITS.index):
        texts, labels, dropped = [], [], {"exact": 0, "near": 0, "disagree": 0}
        # a bar on a terminal: 100,000 short texts take a few seconds (benchmarks/README.md, scaling.py)
        for text, label in Progress().over("finding repeats", "text")(list(zip(*cleaned[name]))):
            repeat = repeats.repeat_of(text, label)
            if repeat:
                dropped[repeat[0]] += 1
                dropped["disagree"] += repeat[1] != label
            else:
                texts.append(text)
                labels.append(label)
        if not texts:
            raise LabError(f"every text of the {name} split repeats a text of an earlier split; that split scores "
                           f"nothing new: give a dataset whose {name} split differs, or duplicates=keep")
        if dropped["exact"] or dropped["near"]:
            notes.append(repeat_note(name, dropped, mode))
        kept[name] = (texts, labels)
    return kept


def repeat_note(split: str, dropped: dict, mode: str) -> str:
    near = (f" and {dropped['near']} near-copies of one (word 3-gram Jaccard >= {NEAR_JACCARD})"
            if mode == "near" else "")
    # for every task: the first copy's label (class, label set or target) stands, the repeat goes
    disagree = (f", {dropped['disagree']} of them labelled unlike the kept copy, whose label stands"
                if dropped["disagree"] else "")
    keep = "duplicates=exact keeps near-copies, duplicates=keep keeps all" if mode == "near" else \
        "duplicates=keep keeps them"
    return f"dropped {dropped['exact']} texts from {split_phrase(split)} that repeat an earlier text{near}{disagree}; {keep}"
