"""The lstm recipe's network: embeddings, a stacked (bi)LSTM that never lets padding into a text's states, pooling.

Each layer runs one single-direction nn.LSTM per direction, the backward one on each text reversed within its own
length, so padding never reaches a text's states. packed=True feeds each direction pack_padded_sequence (cuDNN's
fast path on GPU); False feeds the padded batch, which is exact too because the states past a text's end are never
read. Padded is the CPU default: there the packed backward pass zero-fills a packed-data-sized tensor per time
step, so it grows faster than the length (benchmarks/lstm_packed.py, one training step on 64 texts, 2 cores: about
4x slower at 300 tokens, 5.3x at 400, 10.5x at 700). Same weights either way, so a model trained one way predicts
the other; None chooses by the input's device.

Imported only when a model is built: torch is not loaded to list recipes or check a config.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


class LSTMClassifier(nn.Module):
    """arch: embedding_dim, hidden_size, num_layers, bidirectional, pooling, dropout, n_classes, freeze, packed."""

    def __init__(self, vocab_size: int, arch: dict):
        super().__init__()
        self.arch = arch
        self.embedding = nn.Embedding(vocab_size, arch["embedding_dim"], padding_idx=0)
        self.embedding.weight.requires_grad_(not arch["freeze"])
        directions, hidden = (2 if arch["bidirectional"] else 1), arch["hidden_size"]
        sizes = [arch["embedding_dim"]] + [hidden * directions] * (arch["num_layers"] - 1)
        self.layers = nn.ModuleList(nn.ModuleList(nn.LSTM(size, hidden, batch_first=True)
                                                  for _ in range(directions)) for size in sizes)
        self.dropout = nn.Dropout(arch["dropout"])
        self.classifier = nn.Linear(hidden * directions, arch["n_classes"])

    def forward(self, input_ids, lengths):
        lengths = lengths.to(input_ids.device)
        positions = torch.arange(input_ids.shape[1], device=input_ids.device)[None, :]
        valid = positions < lengths[:, None]
        # position t of a text's reversal is its token L-1-t; padding stays put. Its own inverse.
        reverse = torch.where(valid, lengths[:, None] - 1 - positions, positions)
        states = self.dropout(self.embedding(input_ids))
        packed = input_ids.is_cuda if self.arch.get("packed") is None else self.arch["packed"]
        pack_lengths = lengths.cpu() if packed else None  # one device sync per batch, not one per direction
        for depth, directions in enumerate(self.layers):
            if depth:  # between layers, as nn.LSTM(dropout=...) does
                states = self.dropout(states)
            outputs = [run_direction(directions[0], states, pack_lengths)]
            if len(directions) == 2:
                backward = run_direction(directions[1], flip(states, reverse), pack_lengths)
                outputs.append(flip(backward, reverse))
            states = torch.cat(outputs, dim=2)
        return self.classifier(self.dropout(self.pool(states, valid, lengths)))

    def pool(self, states, valid, lengths):
        if self.arch["pooling"] == "last":  # each direction's final state: forward at L-1, backward at 0
            last = states[torch.arange(len(lengths), device=states.device), lengths - 1]
            if not self.arch["bidirectional"]:
                return last
            hidden = self.arch["hidden_size"]
            return torch.cat([last[:, :hidden], states[:, 0, hidden:]], dim=1)
        if self.arch["pooling"] == "max":
            return states.masked_fill(~valid[:, :, None], float("-inf")).max(dim=1).values
        return (states * valid[:, :, None]).sum(dim=1) / lengths[:, None]


def run_direction(direction, states, pack_lengths):
    """One direction over the padded batch, or packed when given the lengths (on the CPU) to pack by."""
    if pack_lengths is None:
        return direction(states)[0]
    sequences = pack_padded_sequence(states, pack_lengths, batch_first=True, enforce_sorted=False)
    return pad_packed_sequence(direction(sequences)[0], batch_first=True, total_length=states.shape[1])[0]


def flip(states, reverse):
    """Reverse each text within its own length (reverse: the index map, its own inverse)."""
    return states.gather(1, reverse[:, :, None].expand(-1, -1, states.shape[2]))
