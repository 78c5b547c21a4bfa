"""The lstm recipe's two execution modes on CPU: padded per-direction layers vs pack_padded_sequence.

One training step (forward + backward) of the default architecture (BiLSTM 64 per direction, 200-d embeddings,
max pooling) on 64 texts whose lengths are spread evenly up to --length tokens; median of --repeats steps each.
Also checks the two modes' outputs agree. Behind lab/models/lstm.py's CPU default (padded):

    flock /tmp/lab-bench.lock python benchmarks/lstm_packed.py [--length 300] [--repeats 5]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402

from lab.models.lstm import LSTMClassifier  # noqa: E402


def step_seconds(model, ids, lengths, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        model(ids, lengths).sum().backward()
        times.append(time.perf_counter() - began)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--length", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.manual_seed(0)
    lengths = torch.linspace(args.length // 4, args.length, 64).long()
    ids = torch.randint(2, 5000, (64, args.length)) * (torch.arange(args.length)[None, :] < lengths[:, None])
    arch = {"embedding_dim": 200, "hidden_size": 64, "num_layers": 1, "bidirectional": True, "pooling": "max",
            "dropout": 0.0, "n_classes": 5, "freeze": False}
    seconds, outputs = {}, {}
    for packed in (False, True):
        torch.manual_seed(0)  # the same weights for both modes
        model = LSTMClassifier(5000, {**arch, "packed": packed})
        seconds[packed] = statistics.median(step_seconds(model, ids, lengths, args.repeats))
        with torch.no_grad():
            outputs[packed] = model.eval()(ids, lengths)
    print(f"64 texts, {lengths[0]}-{args.length} tokens, threads {torch.get_num_threads()}: one training step "
          f"padded {seconds[False]:.3f} s, packed {seconds[True]:.3f} s ({seconds[True] / seconds[False]:.1f}x); "
          f"outputs agree: {torch.allclose(outputs[False], outputs[True], atol=1e-5)}")


if __name__ == "__main__":
    main()
