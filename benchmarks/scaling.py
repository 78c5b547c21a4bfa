"""Issue 24 item 1: what `lab run all --profile quick` costs as a short-text dataset grows, stage by stage.

    python benchmarks/scaling.py                      # 10k, 30k and 100k short texts
    python benchmarks/scaling.py --sizes 10000,30000 --keep /tmp/scaling

Corpus: benchmarks/corpora.short_texts, 116,792 real short texts in 35 classes (each with at least 300 rows): every 5-60-word sentence of BBC
News labelled with its article's class, the sentences of Reuters articles with the article's first topic (its ten
most frequent), GoEmotions comments with their first emotion, and CLEAR excerpts' sentences as "literature". One
corpus for every size, so the growth exponents compare like with like. Each size is a seeded sample written as a CSV
in a scratch folder; a size beyond the corpus is refused rather than padded with copies the duplicate filter drops.

Stages, all timed from outside the lab:
- reading, duplicates, split (and the other data steps): lab.data.load in this process, with its steps wrapped by
  a timer (the same calls `lab run` makes);
- each recipe: `lab run all --profile quick dataset=<csv>` in a subprocess; a recipe's wall is from its "== recipe"
  line on stderr to its record's creation time; its record's figures split a torch recipe's training into setup,
  steps and validation, and what is left of the wall beyond the models' train seconds is evaluation (scoring the
  test split, metrics, bootstrap CIs);
- the report: from the last record's creation to the process's exit (writing the last run, then the report).
Peak memory: the subprocess's maximum resident set (/usr/bin/time -v); per recipe, its record's peak MB.
Growth exponent: the slope of log seconds against log n over the sizes (1 is linear; n log n over 10k-30k is 1.1).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.corpora import short_texts  # noqa: E402

DATA_STEPS = {"read_source": "reading", "clean": "cleaning", "drop_repeats": "duplicates",
              "assign_splits": "split", "resolve_language": "language", "to_dataset_dict": "dataset dict"}


def sample(corpus: Path, size: int, folder: Path) -> Path:
    with corpus.open(newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    if size > len(rows):
        raise SystemExit(f"the corpus has {len(rows):,} rows; {size:,} do not exist offline")
    random.Random(size).shuffle(rows)
    path = folder / f"sentences_{size}.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(rows[:size])
    return path


@contextmanager
def timed_steps(module, seconds: dict):
    """Wrap module's data steps so each call adds its wall time to seconds[stage]."""
    originals = {name: getattr(module, name) for name in DATA_STEPS}

    def wrap(name, function):
        def timed(*args, **kwargs):
            began = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                seconds[DATA_STEPS[name]] = seconds.get(DATA_STEPS[name], 0.0) + time.perf_counter() - began
        return timed

    for name, function in originals.items():
        setattr(module, name, wrap(name, function))
    try:
        yield seconds
    finally:
        for name, function in originals.items():
            setattr(module, name, function)


def data_stages(path: Path) -> dict:
    from lab.data import dataset

    seconds: dict = {}
    began = time.perf_counter()
    with timed_steps(dataset, seconds):
        dataset.load(str(path))
    return {**seconds, "all of load": time.perf_counter() - began}


def run_quick(path: Path, work: Path, overrides: list[str]) -> dict:
    """The subprocess's stages: per recipe, its wall and its records' split; the report; peak memory."""
    command = ["/usr/bin/time", "-v", sys.executable, "-m", "lab", "run", "all", "--profile", "quick",
               f"dataset={path}", f"runs_dir={work / 'runs'}", f"--out={work / 'report'}", "progress=false",
               *overrides]
    began = time.time()
    process = subprocess.Popen(command, cwd=work, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    starts, tail = {}, []
    for line in process.stderr:
        if line.startswith("== "):
            starts[line.split()[1]] = time.time()
        tail = (tail + [line])[-60:]
    process.wait()
    ended = time.time()
    text = "".join(tail)
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    if process.returncode:
        print(text, file=sys.stderr)
    records = {r["recipe"]: r for r in map(json.loads, map(Path.read_text, (work / "runs").glob("*/*/*/record.json")))}
    stages = {"start-up and data (subprocess)": min(starts.values()) - began}
    for recipe, start in starts.items():
        stages.update(recipe_stages(recipe, start, records.get(recipe)))
    last = max(created(r) for r in records.values())
    stages["report (and writing the last run)"] = ended - last
    return {"stages": stages, "peak_gib": int(peak.group(1)) / 2**20 if peak else None,
            "wall": ended - began, "exit": process.returncode, "models": model_rows(records),
            "flags": flagged_rows(work / "report")}


def created(record: dict) -> float:
    return datetime.fromisoformat(record["created"]).timestamp()


def recipe_stages(recipe: str, start: float, record: dict | None) -> dict:
    if record is None:
        return {f"{recipe}: failed": 0.0}
    wall = created(record) - start
    trained = sum(model["efficiency"]["train_seconds"] or 0.0 for model in record["models"])
    figures = record["figures"]
    if "seconds_in_training_steps" in figures:
        parts = {"setup": figures["seconds_in_setup"], "steps": figures["seconds_in_training_steps"],
                 "validation": figures["seconds_in_validation"]}
    else:
        parts = {"fit": trained} if record["models"] else {}
    evaluation = {"evaluation and the rest": wall - trained} if record["models"] else {}
    return {f"{recipe}: {name}": value for name, value in {"wall": wall, **parts, **evaluation}.items()}


def model_rows(records: dict) -> list[str]:
    rows = []
    for record in records.values():
        headline = record["headline"]
        floor = (record.get("floor") or {}).get(headline)
        for model in record["models"]:
            rows.append(f"{model['name']}: {headline} {100 * model['metrics'][headline]:.1f} (floor "
                        f"{100 * floor:.1f}), peak {model['efficiency']['peak_memory_mb']:.0f} MB, steps "
                        f"{record['figures'].get('optimizer_steps', '-')}")
    return rows


def flagged_rows(report: Path) -> list[str]:
    """The headline table's flagged models (lab/report/by_task.py's marks) and the legend lines of the marks."""
    from lab.report.by_task import FLAG_LEGEND

    tables = list(report.glob("**/comparison.md"))
    lines = tables[0].read_text().splitlines() if tables else []
    rows = [line.split("|")[2].strip() for line in lines if line.startswith("| ")
            and any(mark in line.split("|")[2] for mark in FLAG_LEGEND)]
    return [f"flagged: {row}" for row in rows] + [line for line in lines if line.lstrip("*_ ").startswith(
        tuple(FLAG_LEGEND))]


def exponents(sizes: list[int], seconds: dict[int, dict]) -> dict:
    """Per stage: the least-squares slope of log seconds against log n."""
    slopes = {}
    for stage in seconds[sizes[0]]:
        points = [(math.log(n), math.log(seconds[n][stage])) for n in sizes if seconds[n].get(stage, 0) > 0]
        if len(points) < 2:
            continue
        mean_x = sum(x for x, _ in points) / len(points)
        mean_y = sum(y for _, y in points) / len(points)
        slopes[stage] = (sum((x - mean_x) * (y - mean_y) for x, y in points)
                         / sum((x - mean_x) ** 2 for x, _ in points))
    return slopes


def main(sizes: list[int], keep: str | None, overrides: list[str]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(keep or scratch)
        folder.mkdir(parents=True, exist_ok=True)
        corpus = short_texts(folder)
        seconds, runs = {}, {}
        for size in sizes:
            path = sample(corpus, size, folder)
            work = folder / f"work_{size}"
            work.mkdir(exist_ok=True)
            runs[size] = run_quick(path, work, overrides)
            seconds[size] = {**{f"data: {k}": v for k, v in data_stages(path).items()}, **runs[size]["stages"],
                             "whole run (subprocess wall)": runs[size]["wall"]}
            print(f"n={size:,}: exit {runs[size]['exit']}, {runs[size]['wall']:.0f} s wall, "
                  f"peak {runs[size]['peak_gib']:.2f} GiB", flush=True)
            print("\n".join(f"  {row}" for row in runs[size]["models"] + runs[size]["flags"]), flush=True)
        show(sizes, seconds, exponents(sizes, seconds))


def show(sizes: list[int], seconds: dict, slopes: dict) -> None:
    print("| stage | " + " | ".join(f"{n:,} s" for n in sizes) + " | exponent |")
    print("|---|" + "---|" * (len(sizes) + 1))
    for stage in seconds[sizes[0]]:
        cells = " | ".join(f"{seconds[n].get(stage, float('nan')):.1f}" for n in sizes)
        slope = f"{slopes[stage]:.2f}" if stage in slopes else ""
        print(f"| {stage} | {cells} | {slope}{' **> n log n**' if slope and slopes[stage] > 1.2 else ''} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,30000,100000")
    parser.add_argument("--keep", help="keep the CSVs, runs and reports in this folder")
    parser.add_argument("overrides", nargs="*", metavar="key=value", help="passed to lab run all")
    args = parser.parse_args()
    main([int(s) for s in args.sizes.split(",")], args.keep, args.overrides)
