"""The import rules of the pipeline (style.md §4.4), checked on the source with `ast`."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__"}


def modules() -> list[Path]:
    return sorted([ROOT / "cli.py", *(ROOT / "model").rglob("*.py"), *(ROOT / "checker").rglob("*.py")])


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            out |= {node.module.split(".")[0], node.module}
    return out


def rel(p: Path) -> str:
    return p.relative_to(ROOT).as_posix()


def test_model_imports_no_engine_or_ui_library() -> None:
    for p in (ROOT / "model").rglob("*.py"):
        bad = imports(p) & {"z3", "networkx", "click", "rich", "checker", "cli"}
        assert not bad, f"{rel(p)} imports {bad}"


def test_only_checker_smt_imports_z3() -> None:
    for p in modules():
        if "z3" in imports(p):
            assert rel(p).startswith("checker/smt/"), f"{rel(p)} imports z3"


def test_only_cli_imports_click_and_prints() -> None:
    for p in modules():
        if rel(p) == "cli.py":
            continue
        assert "click" not in imports(p), f"{rel(p)} imports click"
        tree = ast.parse(p.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                raise AssertionError(f"{rel(p)}:{node.lineno} prints")
            if isinstance(node, ast.Attribute) and node.attr in ("stdout", "stderr") and \
                    isinstance(node.value, ast.Name) and node.value.id == "sys":
                raise AssertionError(f"{rel(p)}:{node.lineno} writes to sys.{node.attr}")


def test_no_code_execution_or_unsafe_loading() -> None:
    for p in modules():
        tree = ast.parse(p.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in FORBIDDEN_CALLS, f"{rel(p)}:{node.lineno} calls {node.func.id}"
            if isinstance(node, ast.Attribute) and node.attr in ("load", "unsafe_load", "full_load") and \
                    isinstance(node.value, ast.Name) and node.value.id == "yaml":
                raise AssertionError(f"{rel(p)}:{node.lineno} uses yaml.{node.attr}")
        assert "pickle" not in imports(p) and "marshal" not in imports(p), rel(p)


# ---- the pipeline's shape (docs/architecture.md) -------------------------------------------------

def module_name(p: Path) -> str:
    name = ".".join(p.relative_to(ROOT).with_suffix("").parts)
    return name.removesuffix(".__init__")


def import_graph() -> dict[str, set[str]]:
    """module -> the project modules it imports (at module level or inside a function)."""
    mods = {module_name(p): p for p in modules()}
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for m, p in mods.items():
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                targets = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            graph[m] |= {t for t in targets if t in mods and t != m}
    return graph


def test_no_import_cycles() -> None:
    import networkx as nx
    g = nx.DiGraph([(a, b) for a, bs in import_graph().items() for b in bs])
    cycles = list(nx.simple_cycles(g))
    assert not cycles, f"import cycles: {cycles[:5]}"


def under(m: str, *packages: str) -> bool:
    return any(m == p or m.startswith(p + ".") for p in packages)


# who may import whom: the engines stand on shared ground (core, symmetry, traces) and never on
# each other; only the run module chooses and combines engines; printers and the gate sit above it
ALLOWED = {
    "checker.core": ("model", "checker.core", "checker.traces.trace"),
    "checker.symmetry": ("model", "checker.core", "checker.symmetry", "checker.traces.trace"),
    "checker.explicit": ("model", "checker.core", "checker.symmetry", "checker.traces", "checker.explicit"),
    "checker.smt": ("model", "checker.core", "checker.symmetry", "checker.traces", "checker.smt"),
    "checker.traces": ("model", "checker.core", "checker.traces", "checker.run.specs"),
    "checker.run": ("model", "checker.core", "checker.symmetry", "checker.traces", "checker.explicit",
                    "checker.smt", "checker.run"),
    "checker.export": ("model", "checker.core", "checker.traces", "checker.export", "checker.run"),
    "checker.gate": ("model", "checker.core", "checker.traces", "checker.export", "checker.run", "checker.gate"),
    "checker.mutate": ("model", "checker.core", "checker.traces", "checker.export", "checker.run", "checker.mutate"),
}


def test_each_layer_imports_only_what_is_below_it() -> None:
    for m, targets in import_graph().items():
        layer = next((k for k in ALLOWED if under(m, k)), None)
        if layer is None:
            continue
        bad = {t for t in targets if not under(t, *ALLOWED[layer])}
        assert not bad, f"{m} ({layer}) imports {sorted(bad)}"


def test_no_reexport_shims() -> None:
    """A module that only re-exports another (`from x import f; __all__ = [...]`) hides where
    code lives; every module defines something or is an empty package marker."""
    for p in modules():
        tree = ast.parse(p.read_text())
        body = [n for n in tree.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
        if not body or p.name == "__init__.py":
            continue
        defines = [n for n in body if not isinstance(n, (ast.Import, ast.ImportFrom))
                   and not (isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__"
                                                              for t in n.targets))]
        assert defines, f"{rel(p)} only re-exports"
