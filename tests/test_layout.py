"""The package's shape: no import circles, and no module imports one on a floor above it on the data path
(data and evaluation at the bottom, then models, then training and topics, then recipes, then the runner and the
report, then the CLI). Every import counts, also those inside functions."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# module or package prefix -> floor; the longest matching prefix decides
FLOORS = {
    "lab.errors": 0, "lab.results": 0, "lab.config": 0, "lab.environment": 0, "lab.tasks": 0, "lab.progress": 0,
    "lab.data": 1, "lab.evaluation": 1,
    "lab.models": 2,
    "lab.training": 3, "lab.topics": 3,
    "recipes": 4, "lab.registry": 4, "lab.search": 4,
    "lab.runs": 5, "lab.crossval": 5, "lab.tuned": 5, "lab.progression": 5, "lab.report": 5, "lab.predict": 5,
    "lab.export": 5,
    "lab.cli": 6, "lab.__main__": 6, "lab": 6,
}


def module_names() -> dict[str, Path]:
    names = {}
    for top in ("lab", "recipes"):
        for path in (ROOT / top).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def imports_of(path: Path, known: dict) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in known}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:  # `from lab.x import y` names module lab.x.y when there is one
                target = f"{node.module}.{alias.name}"
                found.add(target if target in known else node.module)
    return {name for name in found if name in known}


def graph() -> dict[str, set[str]]:
    known = module_names()
    return {name: imports_of(path, known) for name, path in known.items()}


def floor(module: str) -> int:
    prefix = max((p for p in FLOORS if module == p or module.startswith(p + ".")), key=len)
    return FLOORS[prefix]


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = 2
        path.pop()
        return None

    for start in sorted(edges):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_planted_circle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_no_import_circles_in_lab_or_recipes():
    edges = graph()
    assert len(edges) > 40 and edges["lab.report.build"]  # the walk sees the package, lazy imports included
    assert find_cycle(edges) is None


def test_no_module_imports_one_on_a_higher_floor_of_the_data_path():
    upward = [f"{source} (floor {floor(source)}) imports {target} (floor {floor(target)})"
              for source, targets in graph().items() for target in targets if floor(target) > floor(source)]
    assert upward == []


def test_every_module_has_a_floor_and_stays_small():
    for name, path in module_names().items():
        floor(name)  # raises on a module outside every prefix
        assert len(path.read_text().splitlines()) <= 330, f"{path} has grown past about 300 lines: split it by concern"
