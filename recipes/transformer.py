"""Fine-tune a pretrained encoder (default: offline all-MiniLM-L6-v2) through accelerate; resumable, distributed."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from lab.training.torch_recipe import TrainConfig
from lab.data import LabData
from lab.evaluation.efficiency import measure
from lab.errors import LabError
from lab.results import ModelResult, RecipeResult


@dataclass
class Config(TrainConfig):
    model: str = "minilm-l6"  # alias of the offline all-MiniLM-L6-v2, a local folder, or a Hub id (online)
    max_length: int = 256  # tokens per text (or per window, with long_documents=chunks)
    long_documents: Literal["truncate", "chunks"] = "truncate"  # chunks: test/predict average windows' logits
    stride: int = 64  # chunks: tokens shared by consecutive windows
    max_train_examples: int | None = None  # a seeded random subset of the train split, for quick runs
    # a seeded random subset of the validation split for the per-epoch checks and the thresholds (null: all of it).
    # Scoring 10,000 validation texts took 25 s of a 100k-text quick run (benchmarks/README.md, scaling.py)
    max_validation_examples: int | None = None
    batch_size: int = 16
    group_by_length: bool = True  # training batches of similar lengths pad little; false: plain shuffled batches
    eval_batch_size: int = 64  # no gradients to keep: evaluation and inference take larger batches
    epochs: int = 3
    lr: float = 1e-4
    head_lr: float | None = None  # the new head's learning rate; null: lr (default.yaml and quick.yaml: 0.01)
    patience: int | None = 2
    # auto: balanced pos_weight for multi-label. With plain BCE, MiniLM stayed at GoEmotions' base rates (one
    # epoch: micro-F1 0.18, macro 0.04); with it, 3 epochs and per-label thresholds gave micro 0.520, macro 0.462
    # on the official test split (benchmarks/task_recipes.py)
    class_weights: Literal["none", "balanced", "auto"] = "auto"
    # on the attention probabilities; null: the encoder's own (0.1 for MiniLM). 0 lets torch's CPU attention use its
    # fused kernel: MiniLM's steps 2.2x faster at 256 tokens, bf16 (5.9 against 2.6 examples/s, one thread of a
    # shared 2-core Xeon), and test macro-F1 95.9 +- 2.0 against 95.7 +- 1.4 over 3 seeds (benchmarks/README.md,
    # transformer_speed.py)
    attention_dropout: float | None = 0.0
    # on the embeddings, each block's outputs and the head; null: the encoder's own. 0 as well was no faster than
    # attention_dropout=0 alone at 256 tokens (5.0 examples/s), and 95.6 +- 0.9 macro-F1
    hidden_dropout: float | None = None
    # how the dropout masks are drawn. packed: 16 random bits per element, four from each 64-bit draw of torch's
    # generator (lab/models/dropout.py); torch: nn.Dropout's one random number per element. auto: packed on CPU,
    # where they made the steps 1.22x faster at 256 tokens (2-core Xeon, benchmarks/README.md), torch on GPUs
    # (their fused kernel). The same distribution of masks either way, not the same random stream
    dropout_masks: Literal["auto", "packed", "torch"] = "auto"
    # true: the token embedding matrix (MiniLM: 30,522 x 384, half its weights) keeps its pretrained values; the
    # positions, the norms and every layer still train. Its dense gradient and AdamW update cost the same every
    # step, whatever the batch's length (default.yaml sets true: its measurements are there)
    freeze_word_embeddings: bool = False
    # auto: on a GPU with bf16, full precision for encoders under 100M parameters (MiniLM's steps on an H100 waited
    # on kernel launches, and bf16's casts made them slower: 538 against 695 examples/s on sentences), bf16 above;
    # fp16 on older GPUs; on CPUs with native bf16, bf16 (2.6 against 2.0 examples/s at 256 tokens,
    # transformer_speed.py), else full precision
    mixed_precision: Literal["no", "bf16", "fp16", "auto"] = "auto"
    # true lets torch pick cuDNN's attention kernels (it does for bf16 on an H100): there they made training steps
    # about 2x slower with dynamically padded batches (see lab.models.hf.attention). No effect on CPU.
    cudnn_attention: bool = False
    trust_remote_code: bool = False  # never run a model repository's own code unless asked to
    checkpoint: bool = True  # accelerator.save_state after every epoch, under runs_dir (see lab/training/checkpoints.py)
    keep_checkpoints: int = 1  # complete checkpoints kept while training
    clean_checkpoints: bool = True  # delete this config's checkpoints once training has finished
    resume: bool = False  # continue from the last complete checkpoint of the same config and data


def choose_precision(choice: str, parameters: int | None = None) -> str:
    """mixed_precision for a model of `parameters`: 'auto' is bf16 on a CPU with native bf16, else full precision
    there; on a GPU, lab.training.precision.gpu_auto_precision (full precision for encoders under 100M parameters)."""
    import torch

    from lab.models.hf import bf16_is_fast_on_cpu
    from lab.training.precision import resolve_precision

    if choice == "auto" and not torch.cuda.is_available():
        return "bf16" if bf16_is_fast_on_cpu() else "no"
    return resolve_precision(choice, parameters)


def packs_dropout(choice: str, on_cpu: bool) -> bool:
    return choice == "packed" or (choice == "auto" and on_cpu)


def run(cfg: Config, data: LabData) -> RecipeResult:
    from lab.training import checkpoints
    from lab.models.hf import attention
    from lab.training.objectives import objective_for
    from lab.training.torch_recipe import plot_history, seconds_split, train_options, validation_thresholds
    from lab.training.loop import seed_everything, train

    check(cfg)
    root = checkpoints.checkpoint_root(cfg, data.name, "transformer", data.fingerprint)
    resume_from = checkpoints.latest(root) if cfg.resume else None
    task = data.task
    with measure() as cost, attention(cfg.cudnn_attention):
        seed_everything(cfg.seed)  # before the classification head is created: its init is seeded
        model, tokenizer, accelerator, setup = model_and_accelerator(cfg, data)
        precision = accelerator.mixed_precision
        notes = start_notes(cfg, data, setup, root, resume_from)
        if cfg.freeze_word_embeddings:
            notes.append("word embeddings frozen (freeze_word_embeddings=true)")
        texts, labels = seeded_subset(data.texts("train"), data.labels("train"), cfg.max_train_examples, cfg.seed)
        objective = objective_for(task, labels, data.num_outputs, cfg.class_weights)
        train_loader, _ = batches(tokenizer, texts, objective.targets(labels), cfg, precision, cfg.batch_size,
                                  shuffle=True)
        val_texts, val_labels = seeded_subset(data.texts("validation"), data.labels("validation"),
                                              cfg.max_validation_examples, cfg.seed)
        val_loader, _ = batches(tokenizer, val_texts, objective.targets(val_labels), cfg, precision,
                                cfg.eval_batch_size)
        options = {**train_options(cfg), "mixed_precision": precision}
        trained = train(model, train_loader, val_loader, objective=objective, progress=cfg.progress,
                        accelerator=accelerator,
                        on_epoch_end=checkpoints.saver(root, cfg.keep_checkpoints) if cfg.checkpoint else None,
                        resume_from=resume_from, head_lr=cfg.head_lr, **options)
        thresholds = validation_thresholds(trained, val_loader, cfg.thresholds)
    if cfg.checkpoint and cfg.clean_checkpoints and accelerator.is_main_process:
        shutil.rmtree(root, ignore_errors=True)
    if trained.stopped_early:
        notes.append(f"stopped early after epoch {len(trained.history)}; best epoch {trained.best_epoch}")
    name = model_name(cfg.model)
    with attention(cfg.cudnn_attention):
        result = test_result(name, trained, tokenizer, data, cfg, cost, thresholds)
    seen = len(texts) * trained.this_run["passes"]  # a resumed run's clock covers only the epochs it trained
    figures = {"train_examples_per_second": seen / max(cost.seconds, 1e-9), **seconds_split(trained, cost)}
    return RecipeResult(models=[result], figures=figures, notes=notes,
                        plots={f"learning_curves_{name}": plot_history(trained.history, f"{name} on {data.name}",
                                                                       task)})


def load_model(cfg: Config, data: LabData, packed: bool):
    """(model, tokenizer): the encoder with a fresh head, the config's dropout rates (drawn with packed masks if
    `packed`), and its word embeddings frozen if the config says so."""
    from lab.models.dropout import pack_dropout
    from lab.models.hf import load_classifier

    model, tokenizer = load_classifier(cfg.model, head_names(data), cfg.trust_remote_code, data.task,
                                       {"attention": cfg.attention_dropout, "hidden": cfg.hidden_dropout})
    if packed:
        pack_dropout(model)
    model.get_input_embeddings().weight.requires_grad_(not cfg.freeze_word_embeddings)
    return model, tokenizer


def model_and_accelerator(cfg: Config, data: LabData):
    """(model, tokenizer, accelerator, the setup's note). The model comes first: on a GPU, auto's precision depends
    on its size."""
    from lab.training.loop import has_accelerator, make_accelerator

    # the device as make_accelerator will pick it (asking accelerate now would fix its process state too early)
    packed = packs_dropout(cfg.dropout_masks, on_cpu=not has_accelerator())
    model, tokenizer = load_model(cfg, data, packed)
    precision = choose_precision(cfg.mixed_precision, sum(p.numel() for p in model.parameters()))
    accelerator = make_accelerator(precision, cfg.grad_accum_steps, threads=cfg.threads)
    setup = (f"mixed precision: {precision}; dropout masks: {'packed' if packed else 'torch'}; "
             f"processes: {accelerator.num_processes}")
    return model, tokenizer, accelerator, setup


def head_names(data: LabData) -> list[str]:
    """The head's output names (id2label): classes, labels, or one "value" for regression."""
    return list(data.label_names) or ["value"]


def start_notes(cfg: Config, data: LabData, setup: str, root: Path, resume_from: Path | None) -> list[str]:
    """The setup, an English-only encoder on other languages, and where a resumed run started."""
    from lab.models.hf import language_note

    notes = [setup, *filter(None, [language_note(cfg.model, data.language)])]
    if cfg.resume:
        notes.append(f"resumed from {resume_from}" if resume_from else f"resume=true but no complete checkpoint "
                     f"under {root}; trained from the start")
    return notes


def check(cfg: Config) -> None:
    if cfg.max_length < 8:  # room for the special tokens and some text; other bounds: lab.config.LIMITS
        raise LabError(f"max_length={cfg.max_length} must be >= 8 tokens; give e.g. max_length=256")
    if cfg.long_documents == "chunks" and not 0 <= cfg.stride < cfg.max_length // 2:
        raise LabError(f"stride={cfg.stride} must be below max_length/2 ({cfg.max_length // 2}); lower stride=")


def seeded_subset(texts: list[str], labels: np.ndarray, cap: int | None, seed: int) -> tuple[list[str], np.ndarray]:
    """At most `cap` rows, drawn at random with `seed`, in their original order (None: all of them)."""
    if cap is None or cap >= len(texts):
        return texts, labels
    keep = np.sort(np.random.default_rng(seed).permutation(len(texts))[:cap])
    return [texts[i] for i in keep], labels[keep]


def batches(tokenizer, texts, labels, cfg: Config, precision: str, batch_size: int, shuffle: bool = False,
            stride=None):
    from lab.models.hf import by_length, loader, pad_multiple, tokenize

    encoded = tokenize(tokenizer, texts, cfg.max_length, stride)
    encoded = encoded if shuffle else by_length(encoded)  # training batches are grouped by length in the sampler
    return loader(tokenizer, encoded, labels, batch_size, shuffle=shuffle, seed=cfg.seed,
                  pad_to_multiple_of=pad_multiple(precision),
                  group_by_length=cfg.group_by_length), encoded


def test_result(name: str, trained, tokenizer, data: LabData, cfg: Config, cost, thresholds=None) -> ModelResult:
    from lab.evaluation.efficiency import throughput
    from lab.models.hf import document_logits
    from lab.training.loop import predict
    from lab.training.objectives import decide

    texts = data.texts("test")
    stride = cfg.stride if cfg.long_documents == "chunks" else None
    test_loader, encoded = batches(tokenizer, texts, None, cfg, trained.accelerator.mixed_precision,
                                   cfg.eval_batch_size, stride=stride)
    desc = "test" if cfg.progress else None
    out, per_second = throughput(lambda dl: predict(trained.model, dl, trained.accelerator, desc=desc), test_loader,
                                 len(texts))
    objective = trained.objective
    outputs = objective.outputs(document_logits(out.logits, encoded["owner"], len(texts)))
    meta = {"recipe": "transformer", "task": objective.task, "max_length": cfg.max_length,
            "long_documents": cfg.long_documents,
            "stride": cfg.stride, "label_names": data.label_names, "eval_batch_size": cfg.eval_batch_size,
            "cudnn_attention": cfg.cudnn_attention,
            "mixed_precision": trained.accelerator.mixed_precision}  # lab predict scores as the test split was
    return ModelResult(
        name=name, family="transformer", predictions=decide(objective.task, outputs, thresholds), thresholds=thresholds,
        scores=None if objective.task == "regression" else outputs,
        train_seconds=cost.seconds, examples_per_second=per_second, peak_memory_mb=cost.peak_memory_mb,
        parameters=sum(p.numel() for p in trained.model.parameters() if p.requires_grad),
        features=len(tokenizer), history=trained.history,
        save=lambda folder: save(folder, trained.model, tokenizer, meta))


def model_name(model: str) -> str:
    """The report row's name: the alias, or the last part of a Hub id or folder."""
    return Path(model.rstrip("/")).name or "transformer"


def save(folder: Path, model, tokenizer, meta: dict) -> None:
    """save_pretrained (safetensors) + tokenizer: transformers.pipeline("text-classification", model=folder) loads it."""
    from lab.models.hf import META

    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    tokenizer.model_max_length = meta["max_length"]  # so pipeline(..., truncation=True) cuts where training did
    tokenizer.save_pretrained(folder)
    (folder / META).write_text(json.dumps(meta, indent=1))


def load_predictor(model_dir: Path):
    """texts -> class or label probabilities, or values, with the saved tokenization settings (chunks averaged,
    if trained so)."""
    import torch

    from lab.models.hf import attention, bf16_is_fast_on_cpu, load_saved, pad_multiple
    from lab.training.loop import predict

    model, tokenizer, meta = load_saved(Path(model_dir))
    # the precision the run scored its test split in, so that lab predict gives the report's scores (bf16 autocast:
    # 2.7x fp32 at 128 tokens on a 2-core EPYC, same classes on all 206 test articles: benchmarks/onnx_inference.py);
    # on a CPU without native bf16 it would be emulated and slow, so fp32 there
    bf16 = meta.get("mixed_precision") == "bf16" and not torch.cuda.is_available() and bf16_is_fast_on_cpu()

    def torch_logits(batches) -> np.ndarray:
        with attention(meta.get("cudnn_attention", False)), torch.autocast("cpu", torch.bfloat16, enabled=bf16):
            return predict(model, batches).logits

    return saved_predictor(tokenizer, meta, torch_logits, pad_multiple("bf16" if bf16 else "no"))


def saved_predictor(tokenizer, meta: dict, row_logits, pad_to_multiple_of: int | None = None):
    """texts -> class or label probabilities, or values, tokenized as the saved META says (chunks averaged, if
    trained so); row_logits(loader) -> one row of logits per window: the torch model, or an ONNX session."""
    from lab.models.hf import by_length, document_logits, loader, tokenize
    from lab.training.objectives import Objective

    objective = Objective(meta.get("task", "single_label"), folded=True)  # saved regression: target units
    max_length = meta.get("max_length", min(tokenizer.model_max_length, 512))
    stride = meta.get("stride", 64) if meta.get("long_documents") == "chunks" else None

    def predict_texts(texts: list[str]) -> np.ndarray:
        encoded = by_length(tokenize(tokenizer, list(texts), max_length, stride))
        logits = row_logits(loader(tokenizer, encoded, None, meta.get("eval_batch_size", 64),
                                   pad_to_multiple_of=pad_to_multiple_of))
        return objective.outputs(document_logits(logits, encoded["owner"], len(texts)))

    return predict_texts
