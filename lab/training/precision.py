"""mixed_precision: the choices, and what 'auto' picks from the hardware and the model's size."""

from __future__ import annotations

import torch

from lab.errors import LabError

PRECISIONS = ("no", "bf16", "fp16", "auto")

# Under this many parameters a model's training steps on a GPU wait on kernel launches, not on arithmetic, and bf16
# autocast only adds cast kernels. On an H100, MiniLM (22.7M) trained at 695 examples/s in full precision against 538
# in bf16 on BBC sentences, and 628 against 612 on articles (one seed, `gpu_check.sh vs ablate`, benchmarks/README.md)
SMALL_MODEL_PARAMETERS = 100_000_000


def resolve_precision(choice: str, parameters: int | None = None) -> str:
    """'auto' on a GPU: gpu_auto_precision; on CPU full precision (the transformer recipe knows better there)."""
    if choice not in PRECISIONS:
        raise LabError(f"mixed_precision={choice!r} is not allowed; choose one of: {', '.join(PRECISIONS)}")
    cuda = torch.cuda.is_available()
    if choice == "auto":
        return gpu_auto_precision(torch.cuda.is_bf16_supported(), parameters) if cuda else "no"
    if choice == "fp16" and not cuda:
        raise LabError("mixed_precision=fp16 needs a CUDA GPU; use mixed_precision=bf16 or no on CPU")
    return choice


def gpu_auto_precision(bf16: bool, parameters: int | None) -> str:
    """On a GPU with bf16: full precision for a model under SMALL_MODEL_PARAMETERS, bf16 for a larger one or one of
    unknown size. On an older GPU (no bf16, and slow full-precision arithmetic; not measured here): fp16."""
    if not bf16:
        return "fp16"
    return "no" if parameters is not None and parameters < SMALL_MODEL_PARAMETERS else "bf16"
