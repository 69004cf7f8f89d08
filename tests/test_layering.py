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
