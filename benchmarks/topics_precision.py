"""Question: does bf16 autocast make the topics rung's encoder pass cheaper on this CPU, and does it change what
the rung finds (issue 25's time budget)?

    flock /tmp/lab-bench.lock python benchmarks/topics_precision.py [--texts 320] [--recipe]

Part 1 embeds the first --texts BBC News training articles at 128 tokens on ONE thread in fp32 and in bf16, twice
each, and prints the CPU seconds (process time: less sensitive to other load than wall time) and the cosine of
each bf16 embedding to its fp32 one. Part 2 (--recipe) runs the default topics recipe with embed_precision=fp32
and =bf16 and prints wall time, CPU time and the topic figures of both.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FIGURES = ("word_cluster_npmi_mean", "word_cluster_nmi", "embedding_topics_npmi_mean", "embedding_topics_nmi",
           "doc_cluster_nmi", "lda_npmi", "lda_nmi")


def embed(encoder_module, model, texts) -> tuple[float, np.ndarray]:
    began = time.process_time()
    rows = [encoder_module.pooled(mask, states) for mask, _, states in encoder_module.batches(model, texts, 64, 128)]
    return time.process_time() - began, np.vstack(rows)


def encoder_pass(n_texts: int) -> None:
    import torch

    from lab import data
    from lab.topics import encoder

    torch.set_num_threads(1)
    texts = data.load("bbc-news").texts("train")[:n_texts]
    models = {name: encoder.load("minilm-l6", name) for name in ("fp32", "bf16")}
    embed(encoder, models["fp32"], texts[:64])  # warm-up
    found = {}
    for _ in range(2):
        for name, model in models.items():
            seconds, found[name] = embed(encoder, model, texts)
            print(f"{name}: {seconds:.1f} CPU s for {len(texts)} texts ({len(texts) / seconds:.1f} texts per CPU s)")
    cosine = (found["fp32"] * found["bf16"]).sum(axis=1)
    print(f"cosine bf16 vs fp32: min {cosine.min():.6f}, mean {cosine.mean():.6f}")


def recipe_runs() -> None:
    from lab import data
    from lab.config import build, read_variant
    from recipes import topics

    bbc = data.load("bbc-news")
    for precision in ("fp32", "bf16"):
        cfg = build(topics.Config, read_variant("topics", "default"), {"embed_precision": precision,
                                                                      "progress": "false"})
        wall, cpu = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
        result = topics.run(cfg, bbc)
        after = resource.getrusage(resource.RUSAGE_SELF)
        used = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime
        shown = "  ".join(f"{key} {result.figures[key]:.3f}" for key in FIGURES if key in result.figures)
        print(f"{precision}: {time.perf_counter() - wall:.1f} s wall, {used:.1f} CPU s; {shown}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--texts", type=int, default=320)
    parser.add_argument("--recipe", action="store_true", help="also run the topics recipe in both precisions")
    args = parser.parse_args()
    encoder_pass(args.texts)
    if args.recipe:
        recipe_runs()


if __name__ == "__main__":
    main()
