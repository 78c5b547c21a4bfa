"""`lab run all`: every recipe of the progression on one dataset and one split, then one report.

A recipe that fails does not stop the others; the failure is recorded and shown in the report.
"""

from __future__ import annotations

import json
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

from lab.config import CommonConfig, build, config_names, parse_overrides
from lab.errors import LabError
from lab.registry import recipe_names

PROFILES = ("default", "quick")
FAILURES = "failures.json"


@dataclass
class Outcome:
    recipe: str
    path: Path | None = None
    error: str | None = None


def run_all(profile: str = "default", overrides=(), recipes: list[str] | None = None) -> list[Outcome]:
    from lab.runs import execute, load_data

    if profile not in PROFILES:
        raise LabError(f"unknown profile '{profile}'; choose one of: {', '.join(PROFILES)}")
    common = common_config(list(overrides))
    data = load_data(common)  # loaded once: every recipe sees exactly the same split
    outcomes = []
    for recipe in recipes or recipe_names():
        config = profile if profile in config_names(recipe) else None
        print(f"== {recipe} ({config or 'defaults'})", file=sys.stderr)
        try:
            outcomes.append(Outcome(recipe, path=execute(recipe, config, overrides, data=data)))
        except (LabError, Exception) as error:  # one broken recipe must not cost the user the others
            reason = f"{type(error).__name__}: {error}".splitlines()[0]
            print(f"error: recipe {recipe} failed: {reason}", file=sys.stderr)
            if not isinstance(error, LabError):
                traceback.print_exc(file=sys.stderr)
            outcomes.append(Outcome(recipe, error=reason))
    record_failures(Path(common.runs_dir) / data.name, outcomes)
    return outcomes


def common_config(overrides: list[str]) -> CommonConfig:
    """The dataset keys shared by every recipe; recipe-specific keys are checked when that recipe runs."""
    shared = {f for f in CommonConfig.__dataclass_fields__}
    values = {k: v for k, v in parse_overrides(overrides).items() if k in shared}
    return build(CommonConfig, {}, values)


def record_failures(dataset_runs: Path, outcomes: list[Outcome]) -> None:
    """The report reads this to say which recipes of the last `run all` failed, and why."""
    dataset_runs.mkdir(parents=True, exist_ok=True)
    failed = [{"recipe": o.recipe, "error": o.error} for o in outcomes if o.error]
    temporary = dataset_runs / f".{FAILURES}.tmp"
    temporary.write_text(json.dumps(failed, indent=2))
    temporary.replace(dataset_runs / FAILURES)
