"""What MiniLM's frozen features hold before any fine-tuning: a logistic regression on them, over split draws.

all-MiniLM-L6-v2 was trained as a sentence encoder through the mean of its token vectors, while
AutoModelForSequenceClassification (the transformer recipe) classifies from the [CLS] token through BERT's pooler.
Each article is encoded once, without gradients, and described three ways from its first 256 tokens ([CLS],
pooler output, mean of the token vectors) and once from the whole article (the mean over its 256-token windows,
stride 64, of each window's mean vector). For each split seed, a logistic regression is fitted on the train
split's features, its C chosen on validation macro-F1, and scored on test. If the mean vectors beat [CLS] and the
pooler by a wide margin, the recipe's head starts from the weaker features; if whole articles beat 256 tokens,
truncation costs accuracy. The TF-IDF SVM's test macro-F1 on each draw is printed for scale. Alone on 2 CPU cores:

    flock /tmp/lab-bench.lock python benchmarks/transformer_probe.py --seeds 0 1 2 3 42
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from lab.data import load  # noqa: E402
from lab.evaluation import evaluate_predictions  # noqa: E402
from lab.registry import load_recipe  # noqa: E402
from select_by_cv import fold_config  # noqa: E402

KINDS = ("cls", "pooler", "mean", "whole article")
MAX_LENGTH, STRIDE = 256, 64


def encode(texts: list[str], batch_size: int = 32) -> dict[str, np.ndarray]:
    """The four feature sets of each text, from the frozen encoder, tokenized and batched as the recipe does."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    from lab.models.hf import document_logits, loader, resolve_model, tokenize
    from lab.topics.vectors import mean_pool

    path = resolve_model("minilm-l6")
    tokenizer, model = AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).eval()
    features = {kind: [] for kind in KINDS}
    windows = tokenize(tokenizer, texts, MAX_LENGTH, STRIDE)
    with torch.inference_mode():
        for batch in loader(tokenizer, tokenize(tokenizer, texts, MAX_LENGTH), None, batch_size):
            out = model(**batch)
            features["cls"].append(out.last_hidden_state[:, 0])
            features["pooler"].append(out.pooler_output)
            features["mean"].append(mean_pool(out.last_hidden_state, batch["attention_mask"]))
        for batch in loader(tokenizer, windows, None, batch_size):
            features["whole article"].append(mean_pool(model(**batch).last_hidden_state, batch["attention_mask"]))
    arrays = {kind: torch.cat(rows).float().numpy() for kind, rows in features.items()}
    # document_logits averages any per-window rows by article, here the windows' mean vectors
    arrays["whole article"] = document_logits(arrays["whole article"], windows["owner"], len(texts))
    return arrays


def probe(features: np.ndarray, rows: dict[str, list[int]], labels: dict[str, np.ndarray], names) -> float:
    """Test macro-F1 of the logistic regression whose C scored best on validation."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scale = StandardScaler().fit(features[rows["train"]])
    x = {split: scale.transform(features[index]) for split, index in rows.items()}

    def fitted(c):
        return LogisticRegression(C=c, max_iter=3000).fit(x["train"], labels["train"])

    def f1(model, split):
        return evaluate_predictions(labels[split], model.predict(x[split]), names)["metrics"]["macro_f1"]

    best = max((fitted(c) for c in (0.01, 0.1, 1.0, 10.0)), key=lambda model: f1(model, "validation"))
    return f1(best, "test")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 42])
    args = parser.parse_args()
    first = load("bbc-news", seed=args.seeds[0])
    texts = sorted({text for split in ("train", "validation", "test") for text in first.texts(split)})
    began = time.perf_counter()
    features = encode(texts)
    print(f"encoded {len(texts)} articles in {time.perf_counter() - began:.0f} s", flush=True)
    row_of = {text: i for i, text in enumerate(texts)}
    scores = {kind: [] for kind in (*KINDS, "tfidf_svm")}
    for seed in args.seeds:
        data = load("bbc-news", seed=seed)
        splits = ("train", "validation", "test")
        rows = {split: [row_of[text] for text in data.texts(split)] for split in splits}
        labels = {split: data.labels(split) for split in splits}
        for kind in KINDS:
            scores[kind].append(probe(features[kind], rows, labels, data.label_names))
        svm = next(m for m in load_recipe("classical").run(fold_config("classical", {}, seed), data).models
                   if m.name == "tfidf_svm")
        scores["tfidf_svm"].append(evaluate_predictions(labels["test"], svm.predictions,
                                                        data.label_names)["metrics"]["macro_f1"])
        print(f"seed {seed}: " + ", ".join(f"{kind} {values[-1]:.4f}" for kind, values in scores.items()), flush=True)
    print(f"test macro-F1 over split seeds {args.seeds}, logistic regression on frozen MiniLM features:")
    for kind, values in scores.items():
        print(f"  {kind:<14} mean {np.mean(values):.4f}  ({' '.join(f'{v:.4f}' for v in values)})")


if __name__ == "__main__":
    main()
