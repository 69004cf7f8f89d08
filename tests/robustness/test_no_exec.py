"""No code execution from specs: the front end, the engines and the CLI never evaluate, compile,
unpickle or import anything named by input, and read YAML only with the safe loader.

Scanned with `ast` over cli.py, model/ and checker/ (tests/test_layering.py has the basic rule;
this one covers attribute forms, aliases, loaders and dynamic attribute access too).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([ROOT / "cli.py", *(ROOT / "model").rglob("*.py"), *(ROOT / "checker").rglob("*.py")])

BUILTINS = {"eval", "exec", "compile", "__import__", "breakpoint", "input"}
# module -> functions that run code or construct arbitrary objects
DANGEROUS = {
    "builtins": BUILTINS, "os": {"system", "popen", "execv", "execve", "execvp", "spawnv", "spawnl", "startfile"},
    "yaml": {"load", "load_all", "unsafe_load", "unsafe_load_all", "full_load", "full_load_all",
             "add_constructor", "add_multi_constructor"},
    "importlib": {"import_module", "__import__", "reload"}, "runpy": {"run_path", "run_module"},
    "pickle": {"load", "loads", "Unpickler"}, "marshal": {"load", "loads"}, "shelve": {"open"},
    "code": {"interact", "InteractiveInterpreter", "InteractiveConsole", "compile_command"},
}
FORBIDDEN_MODULES = {"pickle", "cPickle", "_pickle", "marshal", "shelve", "dill", "cloudpickle", "ctypes",
                     "runpy", "code", "codeop", "imp"}
UNSAFE_LOADERS = {"Loader", "UnsafeLoader", "FullLoader", "CLoader", "CUnsafeLoader", "CFullLoader",
                  "Constructor", "UnsafeConstructor", "FullConstructor"}
SUBPROCESS_ALLOWED = {"checker/gate/changed.py"}   # `git diff --name-only` for the gate; a fixed argv, no shell
# the exporters are imported lazily by name, from the fixed table FORMATS (an unknown key is a KeyError)
IMPORT_MODULE_ALLOWED = {"checker/export/__init__.py": "FORMATS[fmt][0]"}


def rel(p: Path) -> str:
    return p.relative_to(ROOT).as_posix()


def aliases(tree: ast.AST) -> dict[str, str]:
    """Local name -> dotted origin, from every import in the module."""
    out: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                out[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module:
            for a in node.names:
                out[a.asname or a.name] = f"{node.module}.{a.name}"
    return out


def dotted(node: ast.AST, names: dict[str, str]) -> str | None:
    """`yaml.load` / `load` (from yaml import load) -> 'yaml.load'; builtins by their own name."""
    if isinstance(node, ast.Name):
        return names.get(node.id, f"builtins.{node.id}" if node.id in BUILTINS else None)
    if isinstance(node, ast.Attribute):
        base = dotted(node.value, names) if not isinstance(node.value, ast.Name) else names.get(node.value.id)
        return f"{base}.{node.attr}" if base else None
    return None


@pytest.mark.parametrize("path", SOURCES, ids=rel)
def test_no_dangerous_calls(path: Path) -> None:
    tree = ast.parse(path.read_text())
    names = aliases(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            target = dotted(node.func, names)
            if target == "importlib.import_module" and rel(path) in IMPORT_MODULE_ALLOWED:
                assert ast.unparse(node.args[0]) == IMPORT_MODULE_ALLOWED[rel(path)], rel(path)
                continue
            if target and "." in target:
                mod, _, fn = target.rpartition(".")
                root = mod.split(".")[0]
                assert fn not in DANGEROUS.get(mod, set()) | DANGEROUS.get(root, set()), \
                    f"{rel(path)}:{node.lineno} calls {target}"


@pytest.mark.parametrize("path", SOURCES, ids=rel)
def test_no_dangerous_imports(path: Path) -> None:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
        for m in mods:
            assert m.split(".")[0] not in FORBIDDEN_MODULES, f"{rel(path)}:{node.lineno} imports {m}"
            assert (m != "importlib" or rel(path) in IMPORT_MODULE_ALLOWED) and (
                not m.startswith("importlib.") or m in ("importlib.metadata", "importlib.resources")), \
                f"{rel(path)}:{node.lineno} imports {m}"
        if rel(path) not in SUBPROCESS_ALLOWED:
            assert "subprocess" not in mods, f"{rel(path)}:{node.lineno} imports subprocess"


@pytest.mark.parametrize("path", SOURCES, ids=rel)
def test_yaml_only_through_the_safe_loader(path: Path) -> None:
    tree = ast.parse(path.read_text())
    names = aliases(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and dotted(node, names) in {f"yaml.{x}" for x in UNSAFE_LOADERS}:
            raise AssertionError(f"{rel(path)}:{node.lineno} uses yaml.{node.attr}")
        if isinstance(node, ast.Call) and (t := dotted(node.func, names)) and t.startswith("yaml."):
            for kw in node.keywords:
                if kw.arg == "Loader":
                    assert dotted(kw.value, names) in ("yaml.SafeLoader", "yaml.CSafeLoader"), \
                        f"{rel(path)}:{node.lineno} {t} with Loader={ast.unparse(kw.value)}"
            if t in ("yaml.compose", "yaml.parse", "yaml.compose_all", "yaml.parse_all", "yaml.scan"):
                assert any(kw.arg == "Loader" for kw in node.keywords), \
                    f"{rel(path)}:{node.lineno} {t} without an explicit SafeLoader"


@pytest.mark.parametrize("path", SOURCES, ids=rel)
def test_no_shell_and_no_dynamic_attribute_names(path: Path) -> None:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        for kw in node.keywords:
            assert not (kw.arg == "shell" and not (isinstance(kw.value, ast.Constant) and kw.value.value is False)), \
                f"{rel(path)}:{node.lineno} runs a shell"
        if isinstance(node.func, ast.Name) and node.func.id in ("setattr", "delattr") and rel(path).startswith("model/"):
            raise AssertionError(f"{rel(path)}:{node.lineno} calls {node.func.id}")
        if isinstance(node.func, ast.Name) and node.func.id == "getattr" and rel(path).startswith("model/") \
                and len(node.args) >= 2 and not isinstance(node.args[1], ast.Constant):
            # the one dynamic lookup: Elaborator dispatch on the *Python class* of a syntax node
            # ("_" + type(e).__name__), never on text from the spec
            assert ast.unparse(node.args[1]) == "'_' + type(e).__name__", \
                f"{rel(path)}:{node.lineno} getattr with a computed name: {ast.unparse(node.args[1])}"


def test_the_scan_finds_what_it_forbids(tmp_path: Path) -> None:
    """The checks above, applied to a module that does every forbidden thing, catch each one."""
    bad = ('import yaml\nimport pickle\nfrom yaml import load as ld\nimport importlib\n'
           'x = ld(s)\nyaml.load(s, Loader=yaml.Loader)\nimportlib.import_module(n)\neval(t)\n'
           'yaml.compose(s)\n__import__(n)\n')
    tree = ast.parse(bad)
    names = aliases(tree)
    calls = [dotted(n.func, names) for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert {"yaml.load", "importlib.import_module", "builtins.eval", "builtins.__import__",
            "yaml.compose"} <= set(calls)
