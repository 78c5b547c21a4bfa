"""Progress bars for the long steps (topics' sweeps and encodings, the near-duplicate filter, the torch recipes'
scoring passes): drawn on a terminal, silent when stderr is not one (a log file, a pipe, a test) or when the
config says progress=false. tqdm's disable=None is what tells a terminal apart."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    enabled: bool = True

    def bar(self, total: int, desc: str, unit: str = "it"):
        """A bar to update() by hand, e.g. by documents encoded; close() it, or use it in a with block."""
        from tqdm import tqdm

        return tqdm(total=total, desc=desc, unit=unit, disable=None if self.enabled else True, leave=False,
                    dynamic_ncols=True)

    def over(self, desc: str, unit: str = "it"):
        """A wrapper for an iterable that draws one step per item: progress.over("word clusters: K")(ks)."""
        from tqdm import tqdm

        def wrap(items):
            return tqdm(items, desc=desc, unit=unit, disable=None if self.enabled else True, leave=False,
                        dynamic_ncols=True)
        return wrap


QUIET = Progress(False)
