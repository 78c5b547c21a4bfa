"""fp32 vs bf16 autocast for MiniLM fine-tuning and inference on this machine's CPU (real bbc-news batches).

    flock /tmp/lab-bench.lock python benchmarks/transformer_precision.py [--max-length 256] [--steps 6]

The transformer recipe's mixed_precision=auto picks bf16 on CPUs with native bf16 because of this measurement.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def measure(precision: str, args, data) -> tuple[float, float]:
    import torch

    from lab.models.hf import load_classifier, loader, tokenize
    from lab.training.loop import make_accelerator, seed_everything

    accelerator = make_accelerator(precision)
    seed_everything(0)
    model, tokenizer = load_classifier("minilm-l6", data.label_names)
    texts, labels = data.texts("train")[: args.batch_size * (args.steps + 1)], data.labels("train")
    batches = list(loader(tokenizer, tokenize(tokenizer, texts, args.max_length), labels, args.batch_size))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5)
    model, optimizer = accelerator.prepare(model, optimizer)
    model.train()
    for index, batch in enumerate(batches):
        if index == 1:  # the first step warms up kernels
            began = time.perf_counter()
        loss = torch.nn.functional.cross_entropy(model(input_ids=batch["input_ids"],
                                                       attention_mask=batch["attention_mask"]).logits.float(),
                                                 batch["labels"])
        accelerator.backward(loss)
        optimizer.step()
        optimizer.zero_grad()
    train_rate = args.batch_size * args.steps / (time.perf_counter() - began)
    model.eval()
    with torch.inference_mode(), accelerator.autocast():
        began = time.perf_counter()
        for batch in batches[1:]:
            model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])
    return train_rate, args.batch_size * args.steps / (time.perf_counter() - began)


def main() -> None:
    from lab.data import load

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-length", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--steps", type=int, default=6)
    args = parser.parse_args()
    data = load("bbc-news")
    rates = {precision: measure(precision, args, data) for precision in ("no", "bf16")}
    for precision, (train, infer) in rates.items():
        print(f"{'fp32' if precision == 'no' else precision:<5} max_length {args.max_length}: "
              f"train {train:6.1f} ex/s   inference {infer:6.1f} ex/s")
    print(f"bf16/fp32: train {rates['bf16'][0] / rates['no'][0]:.2f}x, inference {rates['bf16'][1] / rates['no'][1]:.2f}x")


if __name__ == "__main__":
    main()
