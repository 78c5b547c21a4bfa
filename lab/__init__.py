"""lab: an NLP lab from classical baselines to transformers."""

__version__ = "0.1.0"
