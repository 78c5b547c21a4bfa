"""Issue 24: how fast does the topics recipe's encoder pass read short texts, in the order given against sorted by
length and padded to a multiple of 16?

    flock /tmp/lab-bench.lock python benchmarks/topics_encode.py [--texts 3000] [--precision auto]

topics_rates.py measured MiniLM's pass at 63 BBC articles per second (8,000 word pieces per second) but at 77
short texts per second on 30,000 sentences (1,900 word pieces per second): a batch of 64 texts in the order given
is padded to its longest text, and under bf16 every new padded length makes oneDNN build new kernels. The script
embeds a seeded sample of --texts rows of corpora.short_texts and the 300 first BBC News training articles, each
three ways, in this process on two threads: "given" (the loop before, kept here as the baseline: input order, each
batch padded to its own longest text), "sorted" (lab.topics.encoder.read's length order, no multiple), and "lab"
(lab.topics.encoder.read itself: sorted, and a multiple of 16 under bf16). It prints texts per second, word pieces
per second, and the lowest cosine of each text's embedding to the "given" one (the same text, other padding).
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.corpora import short_texts  # noqa: E402


def given_order(model, texts: list[str]) -> np.ndarray:
    """The pass before: batches of 64 in the order given, each padded to its longest text."""
    import torch

    from lab.topics import encoder

    rows = []
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=model.bf16):
        for start in range(0, len(texts), 64):
            batch = model.tokenizer(texts[start:start + 64], padding=True, truncation=True, max_length=128,
                                    return_tensors="pt")
            states = model.model(**batch).last_hidden_state.float().numpy()
            rows.append(encoder.pooled(batch["attention_mask"].numpy(), states))
    return np.vstack(rows)


def sorted_order(model, texts: list[str]) -> np.ndarray:
    order = np.argsort([len(t) for t in texts], kind="stable")
    return given_order(model, [texts[i] for i in order])[np.argsort(order)]


def lab_read(model, texts: list[str]) -> np.ndarray:
    from lab.topics import encoder

    return encoder.read(model, texts, None, [], 64, 128)[0]


def measure(model, name: str, texts: list[str]) -> None:
    pieces = sum(min(128, len(ids)) for ids in model.tokenizer(texts)["input_ids"])
    given_order(model, texts[:128])  # warm-up: the first kernels
    found = {}
    for variant, embed in (("given", given_order), ("sorted", sorted_order), ("lab", lab_read)):
        began = time.perf_counter()
        found[variant] = embed(model, texts)
        seconds = time.perf_counter() - began
        cosine = (found[variant] * found["given"]).sum(axis=1).min()
        print(f"| {name} | {variant} | {seconds:.1f} | {len(texts) / seconds:.0f} | {pieces / seconds:,.0f} | "
              f"{cosine:.5f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=3000)
    parser.add_argument("--precision", default="auto")
    args = parser.parse_args()
    import torch

    from lab import data
    from lab.topics import encoder

    torch.set_num_threads(2)
    with tempfile.TemporaryDirectory() as scratch, short_texts(Path(scratch)).open(newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    short = [text for text, _ in random.Random(0).sample(rows, args.texts)]
    articles = data.load("bbc-news").texts("train")[:300]
    model = encoder.load("minilm-l6", args.precision)
    print(f"encoder precision: {'bf16' if model.bf16 else 'fp32'}")
    print("| texts | order | seconds | texts/s | word pieces/s | lowest cosine to given |")
    print("|---|---|---|---|---|---|")
    measure(model, f"{len(short):,} short texts", short)
    measure(model, "300 BBC articles", articles)


if __name__ == "__main__":
    main()
