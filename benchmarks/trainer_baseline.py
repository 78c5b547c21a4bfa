"""The Trainer side of benchmarks/transformer_vs_trainer.py: Hugging Face Trainer as run_classification.py drives it.

run_classification.py's defaults: every text padded to max_length (pad_to_max_length=True), fp32 (no --bf16),
default_data_collator; evaluation once per epoch, no checkpoints, no logging.
"""

from __future__ import annotations

import tempfile
import time


def train_with_trainer(cfg, data, texts, labels) -> dict:
    """run_classification.py's steps, timed: the timed scope's seconds, its phases, and the test logits."""
    import torch
    from datasets import Dataset
    from transformers import (AutoModelForSequenceClassification, AutoTokenizer, Trainer, TrainingArguments,
                              default_data_collator, set_seed)

    from lab.models.hf import resolve_model

    began = time.perf_counter()
    set_seed(cfg.seed)  # as run_classification.py: seeded before the model (and its new head) is built
    path = resolve_model(cfg.model)
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=len(data.label_names))

    def encode(texts, labels):  # run_classification.py: padding="max_length" (pad_to_max_length=True)
        encoded = tokenizer(texts, padding="max_length", max_length=cfg.max_length, truncation=True)
        return Dataset.from_dict({**encoded, "label": [int(x) for x in labels]})

    clock = phase_clock()
    with tempfile.TemporaryDirectory() as out:
        training = TrainingArguments(
            output_dir=out, per_device_train_batch_size=cfg.batch_size, per_device_eval_batch_size=cfg.batch_size,
            num_train_epochs=cfg.epochs, learning_rate=cfg.lr, weight_decay=cfg.weight_decay,  # warmup: a ratio below 1
            warmup_steps=cfg.warmup_ratio, max_grad_norm=cfg.max_grad_norm, seed=cfg.seed, eval_strategy="epoch",
            save_strategy="no", logging_strategy="no", report_to="none", use_cpu=not torch.cuda.is_available(),
            disable_tqdm=True)
        trainer = Trainer(model=model, args=training, train_dataset=encode(texts, labels),
                          eval_dataset=encode(data.texts("validation"), data.labels("validation")),
                          data_collator=default_data_collator, callbacks=[clock])
        trainer.train()
        seconds = time.perf_counter() - began
        logits = trainer.predict(encode(data.texts("test"), data.labels("test"))).predictions
    return {"seconds": seconds, "steps": clock.steps, "validation": clock.validation, "logits": logits}


def phase_clock():
    """A Trainer callback that times the lab's two phases on the Trainer side: each epoch's training steps
    (epoch begin to end) and its evaluation (epoch end to on_evaluate). The rest of the timed scope is setup.
    The steps are also marked for torch.profiler under the lab's label, so a profile counts both sides' steps alike."""

    import torch
    from transformers import TrainerCallback

    from lab.training.loop import STEPS_LABEL

    class PhaseClock(TrainerCallback):
        steps, validation, mark, marker = 0.0, 0.0, 0.0, None

        def on_epoch_begin(self, *args, **kwargs):
            self.marker = torch.profiler.record_function(STEPS_LABEL)  # as the lab's loop marks its steps
            self.marker.__enter__()
            self.mark = time.perf_counter()

        def on_epoch_end(self, *args, **kwargs):
            self.steps += time.perf_counter() - self.mark
            self.marker.__exit__(None, None, None)
            self.mark = time.perf_counter()

        def on_evaluate(self, *args, **kwargs):
            self.validation += time.perf_counter() - self.mark

    return PhaseClock()
