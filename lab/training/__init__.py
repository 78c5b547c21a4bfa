"""The one training loop (loop.py) and what surrounds it: the per-epoch tracker, checkpoints, the end of a
distributed launch, and what the torch recipes share (torch_recipe.py). Nothing here imports torch at package import."""
