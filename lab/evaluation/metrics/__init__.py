"""Metric modules that ship with lab, loaded by path with `evaluate.load` so nothing is fetched from the Hub."""

from pathlib import Path


def metric_path(name: str) -> str:
    return str(Path(__file__).resolve().parent / name / f"{name}.py")
