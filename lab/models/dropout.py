"""Cheaper dropout masks for CPU training: the same Bernoulli keep-mask, drawn from fewer random numbers.

torch's CPU dropout draws one random number per element (`bernoulli_`), about 9.8 ms for one 16 x 256 x 384
activation on 2 cores. MiniLM has 13 such sites per forward pass, so the masks alone were about a tenth of a
training step at 256 tokens once attention dropout was off. Here each element gets 16 random bits, four from every
64-bit draw of torch's own generator, so the masks are seeded and reproducible as before; the keep probability is
1 - p rounded to 1/65536. The distribution of the masks is the same, not their stream: a run is not bit-identical
to one with torch's masks (benchmarks/README.md, transformer_speed.py, has the step times and the accuracy check).
"""

from __future__ import annotations

import torch

LEVELS = 65536  # 16 random bits per element


def keep_mask(shape: torch.Size, p: float, dtype: torch.dtype, device) -> torch.Tensor:
    """1 / (1 - p) where an element is kept (probability 1 - p, to 1/65536), 0 where it is dropped."""
    count = shape.numel()
    words = torch.empty(-(-count // 4), dtype=torch.int64, device=device).random_(-2 ** 63, None)
    bits = words.view(torch.int16)[:count].view(shape)  # uniform over -32768..32767
    threshold = round(p * LEVELS) - LEVELS // 2  # P(bits < threshold) = round(p * 65536) / 65536
    return (bits >= threshold).to(dtype).mul_(1.0 / (1.0 - p))


class PackedDropout(torch.nn.Dropout):
    """nn.Dropout with masks from keep_mask; a subclass, so code that looks for nn.Dropout (and its p) still finds it."""

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return inputs
        return inputs * keep_mask(inputs.shape, self.p, inputs.dtype, inputs.device)


def pack_dropout(model: torch.nn.Module) -> int:
    """Replace every plain nn.Dropout with p > 0 inside `model` by a PackedDropout of the same p, in place.
    Returns how many were replaced. The weights and the saved config do not change: a saved model loads as before."""
    targets = [(name, module) for name, module in model.named_modules()
               if type(module) is torch.nn.Dropout and module.p > 0]
    for name, module in targets:
        parent_name, _, attribute = name.rpartition(".")
        packed = PackedDropout(module.p, module.inplace)
        packed.train(module.training)
        setattr(model.get_submodule(parent_name), attribute, packed)
    return len(targets)
