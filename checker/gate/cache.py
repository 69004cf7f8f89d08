"""The verdict cache of the gate (NOTE(cache-key) in checker/gate/gate.py)."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from checker.gate.cases import CaseResult, GateOptions
from checker.traces.context import seamcheck_version
from model.diagnostics import SpecError
from model.source import SourceFile
from model.yaml_nodes import YamlError, YMap, YNode, YScalar, read_yaml

CACHE_DIR = ".seamcheck-cache"
CACHE_FORMAT = 2     # 2: cases carry their seamcheck/result record (checker/export/result_json.py)
CODE_PACKAGES = ("model", "checker")   # seamcheck's code (NOTE(cache-key)): these packages (imported) ...
CODE_MODULES = ("cli",)                # ... and these top-level modules
CODE_SUFFIXES = (".py", ".lark")


def normalise(node: YNode | None) -> object:
    """The parsed spec as JSON data, independent of layout and comments (NOTE(cache-key))."""
    if node is None:
        return None
    if isinstance(node, YScalar):
        return [node.value, node.plain, node.tag]
    if isinstance(node, YMap):
        return {"map": [[normalise(k), normalise(v)] for k, v in node.entries]}
    return {"seq": [normalise(x) for x in node.items]}


def tool_versions() -> dict[str, str]:
    """seamcheck's version and code hash, and z3-solver's version (without importing z3: only
    checker/smt may)."""
    from importlib.metadata import PackageNotFoundError, version
    try:
        z3 = version("z3-solver")
    except PackageNotFoundError:
        z3 = "none"
    return {"seamcheck": seamcheck_version(), "code": installed_code_hash(), "z3": z3}


def code_locations() -> tuple[list[tuple[str, Path]], list[tuple[str, Path]]]:
    """Where this process imported seamcheck's code from (a checkout for an editable install,
    site-packages otherwise): (package, folder) for CODE_PACKAGES, (module, file) for CODE_MODULES.

    A module not imported (cli.py, when seamcheck is used as a library) is the file beside the
    `checker` package, where both kinds of install put it."""
    packages = [(name, Path(folder)) for name in CODE_PACKAGES for folder in sys.modules[name].__path__]
    beside = Path(sys.modules["checker"].__path__[0]).parent
    modules = []
    for name in CODE_MODULES:
        mod = sys.modules.get(name)
        file = getattr(mod, "__file__", None)
        modules.append((name, Path(file) if file else beside / f"{name}.py"))
    return packages, modules


def code_files(packages: Sequence[tuple[str, Path]], modules: Sequence[tuple[str, Path]]) -> list[tuple[str, Path]]:
    """Every .py and .lark file of the packages (folders walked, __pycache__ left out) and the
    modules, as (name in the hash, path), sorted."""
    out: list[tuple[str, Path]] = []
    for pkg, base in packages:
        for folder, dirs, names in os.walk(base):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            out += [(f"{pkg}/{(Path(folder) / n).relative_to(base).as_posix()}", Path(folder) / n)
                    for n in names if n.endswith(CODE_SUFFIXES)]
    out += [(f"{name}.py", file) for name, file in modules if file.exists()]
    return sorted(out)


def code_hash(files: Iterable[tuple[str, Path]]) -> str:
    """SHA-256 over the names and contents of `files` (order does not matter)."""
    h = hashlib.sha256()
    for name, path in sorted(files):
        h.update(name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


@functools.cache
def installed_code_hash() -> str:
    """code_hash of the code this process runs; computed once per process."""
    return code_hash(code_files(*code_locations()))


def cache_key(src: SourceFile, opts: GateOptions) -> str:
    """Raises SpecError when the YAML itself does not parse (then nothing is cached)."""
    try:
        tree = read_yaml(src)
    except YamlError as e:
        raise SpecError([e.diag], [src]) from None
    data = {"format": CACHE_FORMAT, "spec": normalise(tree), "path": src.path, "options": asdict(opts),
            **tool_versions()}
    blob = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()


@dataclass(frozen=True)
class Cache:
    """Verdicts on disk, one JSON file per spec key. Unreadable entries count as misses."""

    root: Path

    def get(self, key: str) -> list[CaseResult] | None:
        try:
            data = json.loads((self.root / f"{key}.json").read_text())
            return [_from_json(d, cached=True) for d in data["results"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, results: Iterable[CaseResult]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        ignore = self.root / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# verdict cache of `seamcheck ci`; safe to delete\n*\n")
        body = json.dumps({"results": [to_json(r) for r in results]}, sort_keys=True, indent=1)
        tmp = self.root / f".{key}.{os.getpid()}.tmp"
        tmp.write_text(body)
        os.replace(tmp, self.root / f"{key}.json")  # atomic: parallel CI jobs never read half a file


def to_json(r: CaseResult) -> dict[str, object]:
    d = asdict(r)
    d["params"] = [list(p) for p in r.params]
    return d


def _from_json(d: dict[str, object], cached: bool) -> CaseResult:
    params = tuple((str(k), str(v)) for k, v in d["params"])  # type: ignore[attr-defined]
    fields = {**d, "params": params, "cached": cached, "elapsed_s": 0.0}
    return CaseResult(**fields)  # type: ignore[arg-type]
