"""A tiny BERT encoder built locally from the fixture corpus's words: the transformer tests never download."""

import csv
import re
from pathlib import Path

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def build_tiny_bert(folder: Path, corpus: Path, seed: int = 0) -> Path:
    """Vocabulary = the corpus's lower-cased words and punctuation; random weights (seeded); saved like a Hub model."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    with open(corpus, newline="") as handle:
        words = {w for row in csv.DictReader(handle) for w in re.findall(r"\w+|[^\w\s]", row["text"].lower())}
    vocab = SPECIAL + sorted(words)
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n")
    tokenizer = BertTokenizerFast(vocab={token: i for i, token in enumerate(vocab)}, do_lower_case=True,
                                  model_max_length=64)
    config = BertConfig(vocab_size=len(SPECIAL) + len(words), hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=64,
                        initializer_range=0.2)  # distinct random embeddings: learns in a few steps
    torch.manual_seed(seed)
    BertModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
