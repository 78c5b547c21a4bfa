"""Truncation vs chunk averaging for long articles, from one fine-tuning run; the choice is read off validation.

Trains the transformer recipe once (default config + overrides, long_documents=truncate), saves the model, then
classifies the validation and test splits twice with the saved model: the first max_length tokens only, and
windows of max_length tokens with a stride, their logits averaged. Validation macro-F1 decides; test is printed
for the closing note, not for choosing.

    flock /tmp/lab-bench.lock python benchmarks/transformer_long_documents.py [key=value ...]
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lab.config import build, read_variant  # noqa: E402
from lab.data import load  # noqa: E402
from lab.evaluation import evaluate_predictions  # noqa: E402
from lab.hf import META  # noqa: E402
from recipes import transformer  # noqa: E402


def score(predict_texts, data, split: str) -> dict:
    began = time.perf_counter()
    probabilities = predict_texts(data.texts(split))
    metrics = evaluate_predictions(data.labels(split), probabilities.argmax(1), data.label_names)["metrics"]
    return {"macro_f1": metrics["macro_f1"], "accuracy": metrics["accuracy"],
            "seconds": time.perf_counter() - began}


def main(overrides: list[str]) -> None:
    data = load("bbc-news")
    settings = dict(item.split("=", 1) for item in overrides)
    cfg = build(transformer.Config, read_variant("transformer", "default"),
                {"progress": "false", "checkpoint": "false", **settings, "long_documents": "truncate"})
    began = time.perf_counter()
    model = transformer.run(cfg, data).models[0]
    print(f"trained {' '.join(overrides) or 'default'}: {time.perf_counter() - began:.0f} s, "
          f"{len(model.history)} epochs, val macro-F1 per epoch {[round(h['val_macro_f1'], 4) for h in model.history]}",
          flush=True)
    with tempfile.TemporaryDirectory() as folder:
        model.save(Path(folder))
        meta_path = Path(folder) / META
        meta = json.loads(meta_path.read_text())
        for mode in ("truncate", "chunks"):
            meta_path.write_text(json.dumps({**meta, "long_documents": mode}))
            predict_texts = transformer.load_predictor(Path(folder))
            for split in ("validation", "test"):
                row = score(predict_texts, data, split)
                print(f"  {mode:<8} {split:<10} macro-F1 {row['macro_f1']:.4f}  accuracy {row['accuracy']:.4f}  "
                      f"({row['seconds']:.0f} s)", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
