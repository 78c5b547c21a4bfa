"""A tiny BERT encoder built locally from the fixture corpus's words: the transformer tests never download."""

import csv
import re
from pathlib import Path

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def build_tiny_bert(folder: Path, corpus: Path, seed: int = 0) -> Path:
    """Vocabulary = the corpus's lower-cased words and punctuation; random weights (seeded); saved like a Hub model."""
    import torch
    from transformers import BertConfig, BertModel

    folder.mkdir(parents=True, exist_ok=True)
    with open(corpus, newline="") as handle:
        words = {w for row in csv.DictReader(handle) for w in re.findall(r"\w+|[^\w\s]", row["text"].lower())}
    vocab = SPECIAL + sorted(words)
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n")
    tokenizer = word_piece_tokenizer(vocab)
    config = BertConfig(vocab_size=len(SPECIAL) + len(words), hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=64,
                        initializer_range=0.2)  # distinct random embeddings: learns in a few steps
    torch.manual_seed(seed)
    BertModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def word_piece_tokenizer(vocab: list[str]):
    """A BERT tokenizer over `vocab`, built through the tokenizers library: transformers 4.x and 5.x read the
    constructor's vocab arguments differently (5.x ignores vocab_file=, 4.x takes no vocab= dict)."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import BertTokenizerFast

    ids = {token: i for i, token in enumerate(vocab)}
    core = Tokenizer(models.WordPiece(ids, unk_token="[UNK]"))
    core.normalizer = normalizers.BertNormalizer(lowercase=True)
    core.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    core.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", ids["[CLS]"]), ("[SEP]", ids["[SEP]"])])
    return BertTokenizerFast(tokenizer_object=core, do_lower_case=True, model_max_length=64)


def assert_reloads_with_the_runs_labels(run: Path, saved: Path, dataset) -> str:
    """The saved model, loaded by `pipeline()` and by `lab predict`, gives the run's own test labels and scores
    (which, on the tiny corpus, are the true labels); returns the model `lab predict` chose."""
    import json

    import numpy as np
    from transformers import pipeline

    from lab.data import load
    from lab.predict import predict

    data = load(dataset, seed=json.loads((run / "record.json").read_text())["config"]["seed"])  # the run's split
    scores = np.load(run / "scores_tiny-bert.npy")
    classify = pipeline("text-classification", model=str(saved), device="cpu")
    labels = [out["label"] for out in classify(data.texts("test"))]
    assert labels == [data.label_names[i] for i in scores.argmax(1)] == [data.label_names[i] for i in data.labels("test")]
    name, predictions = predict(run, data.texts("test"))
    assert np.allclose([list(p.probabilities.values()) for p in predictions], scores, atol=1e-5)
    return name
