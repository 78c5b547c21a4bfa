from dataclasses import dataclass
from typing import Literal

import pytest

from lab import config
from lab.errors import LabError


@dataclass
class Example(config.CommonConfig):
    epochs: int = 3
    lr: float = 0.1
    bidirectional: bool = False
    pooling: Literal["max", "mean"] = "max"
    sizes: list[int] = (100, 300)
    vectors: str | None = None


def build(variant=None, overrides=()):
    return config.build(Example, variant or {}, config.parse_overrides(list(overrides)))


def test_defaults_then_variant_then_overrides():
    cfg = build({"epochs": 5, "lr": 0.5}, ["lr=0.01", "bidirectional=true", "pooling=mean", "sizes=10,20,all"[:-4]])
    assert (cfg.epochs, cfg.lr, cfg.bidirectional, cfg.pooling, cfg.sizes) == (5, 0.01, True, "mean", [10, 20])
    assert cfg.dataset == "bbc-news" and cfg.seed == 42 and cfg.runs_dir == "runs"


def test_types_are_coerced_from_text():
    cfg = build(overrides=["lr=1", "text_column=123", "vectors=none", "seed=7"])
    assert cfg.lr == 1.0 and isinstance(cfg.lr, float)
    assert cfg.text_column == "123" and cfg.vectors is None and cfg.seed == 7


def test_a_float_in_exponent_notation_is_read_as_a_number():
    # PyYAML alone reads 5e-5 as the string "5e-5" (YAML 1.1 wants 5.0e-5)
    assert build(overrides=["lr=5e-5"]).lr == 5e-5
    assert build({"lr": "2E-4"}).lr == 2e-4 and build(overrides=["lr=1e3"]).lr == 1000.0


@pytest.mark.parametrize("override, message", [
    ("epochs=two", "epochs=two is not a valid int"),
    ("lr=fast", "lr=fast is not a valid float"),
    ("lr=nan", "lr=nan is not a valid float"),
    ("lr=1e400", "lr=1e400 is not a valid float"),
    ("lr=.inf", "lr=.inf is not a valid float"),
    ("bidirectional=maybe", "bidirectional=maybe is not a valid bool"),
    ("pooling=sum", "choose one of: max, mean"),
    ("sizes=10,ten", "sizes=10,ten is not a list of int values; give them comma-separated, e.g. sizes=64,32"),
    ("nonsense=1", "unknown override key 'nonsense'"),
    ("epochs", "is not key=value"),
])
def test_bad_overrides_are_rejected_clearly(override, message):
    with pytest.raises(LabError, match=message):
        build(overrides=[override])


def test_unknown_key_in_a_variant_file_is_rejected():
    with pytest.raises(LabError, match="unknown config file key 'epoch'"):
        build({"epoch": 3})


def test_every_shipped_variant_builds_and_starts_with_its_run_command():
    from lab.registry import load_recipe, recipe_names

    for recipe in recipe_names():
        module = load_recipe(recipe)
        for name in config.config_names(recipe):
            config.build(module.Config, config.read_variant(recipe, name), {})
            first_line = (config.CONFIGS_DIR / recipe / f"{name}.yaml").read_text().splitlines()[0]
            assert first_line.startswith(f"# lab run {recipe}"), (recipe, name)


def test_unknown_variant_lists_the_known_ones():
    with pytest.raises(LabError, match="choose one of: default, quick, tiny"):
        config.read_variant("classical", "huge")


# each rule of config.LIMITS: a value just outside it and one on its edge
EDGES = {">= 1": ("0", "1"), ">= 0": ("-1", "0"), "> 0": ("0", "0.5"), ">= 2": ("1", "2"),
         "in [0, 1)": ("1", "0"), "a share in (0, 1]": ("0", "1")}


def test_every_bounded_key_of_every_recipe_rejects_values_outside_and_takes_its_edge():
    import dataclasses

    from lab.registry import load_recipe, recipe_names

    seen = set()
    for recipe in recipe_names():
        module = load_recipe(recipe)
        for field in dataclasses.fields(module.Config):
            if field.name not in config.LIMITS:
                continue
            seen.add(field.name)
            rule = config.LIMITS[field.name][1]
            outside, edge = EDGES[rule]
            with pytest.raises(LabError, match=f"^{field.name}={outside}(\\.0)?: (each value )?must be "):
                config.build(module.Config, {}, {field.name: outside})
            config.build(module.Config, {}, {field.name: edge})
    assert seen == set(config.LIMITS)  # no bound names a key that no recipe has


def test_a_bounded_key_names_the_default_as_the_fix_or_says_to_leave_it_out():
    from recipes import bow_ffn, lstm

    with pytest.raises(LabError, match=r"^dropout=1.5: must be in \[0, 1\); give e.g. dropout=0.3$"):
        config.build(bow_ffn.Config, {}, {"dropout": "1.5"})
    with pytest.raises(LabError, match="^hidden=64,0: each value must be >= 1; give e.g. hidden=64$"):
        config.build(bow_ffn.Config, {"hidden": [64, 0]}, {})
    with pytest.raises(LabError, match="^threads=0: must be >= 1; leave the key out for the default$"):
        config.build(lstm.Config, {}, {"threads": "0"})
