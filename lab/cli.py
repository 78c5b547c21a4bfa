"""`lab` command line: ls, run, report, predict, export. Heavy libraries load only in the command that needs them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lab.training.distributed import end_process_group
from lab.errors import LabError

EPILOG = """examples:
  lab ls
  lab ls lstm
  lab run classical
  lab run lstm --config quick seed=1
  lab run classical dataset=my.csv text_column=body label_column=topic
  lab report
  lab predict runs/bbc-news/classical/<run-id> "The striker scored twice" --file more.txt
  lab export runs/bbc-news/transformer/<run-id> --onnx"""


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="lab", description="An NLP lab: every method, one dataset, one split, "
                                   "one comparable report.", epilog=EPILOG,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = root.add_subparsers(dest="command", required=True)
    ls = commands.add_parser("ls", help="list recipes, their configs and the built-in datasets; "
                             "`lab ls RECIPE` lists its config keys")
    ls.add_argument("recipe", nargs="?", help="a recipe: list its keys, their default values and what they accept")
    run = commands.add_parser("run", help="run a recipe and write a run record")
    run.add_argument("recipe", help="a recipe name from `lab ls`, or `all` for the whole progression")
    run.add_argument("--config", help="a config variant name (recipes/configs/<recipe>/NAME.yaml) or a .yaml path")
    run.add_argument("--profile", help="with `all`: default, quick or tiny (each recipe's config of that name; "
                     "default: default)")
    run.add_argument("--out", help="with `all`: the report's folder (default: reports/<dataset>/ in the working "
                     "folder, or reports/<dataset>-<profile>/ beside a report of another profile)")
    run.add_argument("overrides", nargs="*", metavar="key=value", help="override config keys, e.g. seed=1")
    report = commands.add_parser("report", help="turn run records into comparison tables")
    report.add_argument("--runs-dir", default="runs", help="where the run records are (default: runs/)")
    report.add_argument("--out", help="output folder (default: reports/<dataset>/)")
    report.add_argument("--dataset", help="only this dataset's runs (default: every dataset found)")
    predict = commands.add_parser("predict", help="label new texts with a saved run's classifier")
    predict.add_argument("run", help="a run folder, as printed by `lab run`")
    predict.add_argument("texts", nargs="*", metavar="TEXT", help="texts to classify")
    predict.add_argument("--file", help="a UTF-8 file with one text per line")
    predict.add_argument("--model", help="which of the run's models (default: its best by test macro-F1)")
    export = commands.add_parser("export", help="write a transformer run's saved model as ONNX (fp32 and int8)")
    export.add_argument("run", help="a transformer run folder, as printed by `lab run transformer`")
    export.add_argument("--onnx", action="store_true", help="export to ONNX, then quantize to int8 (needs the "
                        "onnx extra: pip install -e \".[onnx]\")")
    export.add_argument("--model", help="which of the run's models (default: its best by the test headline)")
    return root


def main(argv: list[str] | None = None) -> int:
    root = parser()
    args, extra = root.parse_known_args(argv)
    if args.command == "predict":  # texts given after an option are still texts
        args.texts, extra = args.texts + extra, []
    # argparse cannot take positionals after an option (`run x --config c k=v`), so key=value pairs
    # that it left over are overrides too; anything else is a real mistake.
    stray = [item for item in extra if "=" not in item or item.startswith("-")]
    if stray or (extra and args.command != "run"):
        root.error(f"unrecognized arguments: {' '.join(stray or extra)}")
    if extra:
        args.overrides += extra
    status = dispatch(args)
    end_process_group(status)  # under `accelerate launch`: returns only when no process group was started
    return status


def dispatch(args) -> int:
    try:
        return COMMANDS[args.command](args)
    except LabError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; no partial run or report was written", file=sys.stderr)
        return 130


def list_command(args) -> int:
    from lab.registry import listing

    if args.recipe:
        return list_keys(args.recipe)
    print("recipes:")
    for entry in listing():
        print(f"  {entry['recipe']:<12} {entry['description']}")
        print(f"  {'':<12} configs: {', '.join(entry['configs']) or '(defaults only)'}")
    print("datasets:")
    print("  bbc-news     built in, offline: 2,225 BBC News articles (2,068 once repeats are dropped), 5 classes")
    print("  <path>       a .csv/.tsv/.json/.jsonl/.parquet file, or a folder of <class>/*.txt")
    print("  <hub id>     a Hugging Face Hub dataset (online only), with dataset_config= for its config")
    return 0


def list_keys(recipe: str) -> int:
    from lab.config import shown
    from lab.registry import config_keys, describe, load_recipe

    load_recipe(recipe)  # an unknown name is a LabError listing the known ones
    print(f"{recipe}: {describe(recipe)}")
    print(f"keys, with the value `lab run {recipe}` uses (its default config); override with key=value:")
    for key in config_keys(recipe):
        print(f"  {key['key']:<18} {shown(key['value']):<14} {key['accepts']:<26} {key['comment']}".rstrip())
    return 0


def run_command(args) -> int:
    from lab.runs import execute

    if args.recipe == "all" and args.config:
        raise LabError(f"--config names one recipe's variant; for the whole progression use --profile "
                       f"(lab run all --profile {args.config})")
    if args.recipe == "all":
        return run_all_command(args)
    if args.profile:
        raise LabError(f"--profile is for `lab run all`; for one recipe use --config "
                       f"(lab run {args.recipe} --config {args.profile})")
    if args.out:
        raise LabError(f"--out is for `lab run all`; a run of one recipe writes a run folder, and "
                       f"`lab report --out {args.out}` writes its report")
    path = execute(args.recipe, args.config, args.overrides)
    if path is not None:
        summarize(path)
        print(path)
    return 0


SUMMARY_METRICS = {"single_label": (("accuracy", "accuracy"), ("macro-F1", "macro_f1")),  # per task: label, key
                   "multi_label": (("micro-F1", "micro_f1"), ("macro-F1", "macro_f1")),
                   "regression": (("RMSE", "rmse"), ("MAE", "mae"))}


def summarize(path: Path) -> None:
    import json

    record = json.loads((path / "record.json").read_text())
    for note in record["notes"]:
        print(f"note: {note}", file=sys.stderr)
    shown = SUMMARY_METRICS[record.get("task", "single_label")]
    resampling = record.get("resampling")
    for model in record["models"]:
        metrics, cost = model["metrics"], model["efficiency"]
        figures = "  ".join(f"{label} {metrics[key]:.4f}" for label, key in shown if metrics.get(key) is not None)
        print(f"{model['name']:<16} {figures}  "
              f"train {cost['train_seconds']:.1f}s  {cost['examples_per_second']:,.0f} ex/s"
              + (folds_summary(resampling, model["name"]) if resampling else ""))
    for name, value in record["figures"].items():
        print(f"{name:<24} {value:.4g}" if isinstance(value, float) else f"{name:<24} {value}")


def folds_summary(resampling: dict, model: str) -> str:
    """A cross-validated run's headline as mean ± sd over its folds (the figures before it are pooled or refit)."""
    figure = resampling["summary"][model][resampling["headline"]]
    return f"  {resampling['headline']} over {figure['folds']} folds {figure['mean']:.4f} ± {figure['sd']:.4f}"


def run_all_command(args) -> int:
    from lab.errors import make_folder
    from lab.progression import common_config, run_all
    from lab.report.build import build_reports

    if args.out:
        make_folder(Path(args.out), "--out")  # fail now, not after the progression
    outcomes = run_all(args.profile or "default", args.overrides)
    for outcome in outcomes:
        print(f"{outcome.recipe:<12} {outcome.path or 'FAILED: ' + outcome.error}")
    if not any(outcome.path for outcome in outcomes):
        raise LabError("every recipe failed (see the messages above); fix the first error and rerun")
    common = common_config(args.overrides)
    show_reports(build_reports(Path(common.runs_dir), Path(args.out) if args.out else None,
                               outcomes_dataset(outcomes)))
    return 1 if any(outcome.error for outcome in outcomes) else 0


def outcomes_dataset(outcomes) -> str:
    return next(o.path for o in outcomes if o.path).parent.parent.name


def report_command(args) -> int:
    from lab.report.build import build_reports

    show_reports(build_reports(Path(args.runs_dir), Path(args.out) if args.out else None, args.dataset))
    return 0


def show_reports(reports) -> None:
    """Each report's compact headline table, then its folder and files: the end of a run, as lm-eval ends one."""
    from lab.report.render import render_summary

    for report in reports:
        print(f"\n{report.model['title']} (profile {report.model['data']['profile']})")
        print(render_summary(report.model))
        print(report.folder)
        for path in report.paths:
            print(f"  {path.name}")


def predict_command(args) -> int:
    from lab.predict import format_prediction, predict, read_texts

    texts = list(args.texts) + (read_texts(args.file) if args.file else [])
    name, predictions = predict(args.run, texts, args.model)
    print(f"model: {name}", file=sys.stderr)
    for prediction in predictions:
        print(format_prediction(prediction))
    return 0


def export_command(args) -> int:
    from lab.export import DECISION, export_run

    if not args.onnx:
        raise LabError(f"say which format to export to: lab export {args.run} --onnx (the one format there is)")
    for path in export_run(args.run, args.model):
        print(path)
    print(f"note: {DECISION}", file=sys.stderr)
    return 0


COMMANDS = {"ls": list_command, "run": run_command, "report": report_command, "predict": predict_command,
            "export": export_command}
