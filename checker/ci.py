"""The CI gate: every spec x variant x property against its `expect`, with a verdict cache.

cli.py wires the gate to the same checking code as `seamcheck check` (a CheckFn), then prints
the table and writes the reports this module renders; nothing here prints.

NOTE(cache-key): a cached verdict is reused only when nothing that could change it changed: the
spec's *parsed* content (YAML nodes with each scalar's source text and whether it was quoted,
so whitespace and comments do not count but `010` vs `8` does), the spec's display path
(verdicts carry it), the engine options, the seamcheck version and the z3-solver version.
Only decided results (ok / failed) are cached; inconclusive ones (timeouts depend on the
machine) and spec errors are always recomputed.

NOTE(includes): specs cannot include other specs yet. `--changed-since` already selects a spec
when it or anything it includes changed, through `includes_of`, which returns no includes
today; an include mechanism only has to fill in that function.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from checker.export.context import ExportContext, reproduce_command, seamcheck_version
from checker.export.text import render_trace
from checker.report import EXIT_INCONCLUSIVE, EXIT_OK, EXIT_USAGE, EXIT_VIOLATED, Outcome, describe
from checker.verdict import Violated, kind_of
from model.diagnostics import SpecError, render_all
from model.ir import TransitionSystem
from model.load import LoadedSpec, instantiate, parse_spec
from model.source import SourceFile
from model.yaml_nodes import YamlError, YMap, YNode, YScalar, read_yaml

CACHE_DIR = ".seamcheck-cache"
CACHE_FORMAT = 1
LOAD = "<load>"      # the pseudo-property of a spec that does not load

CheckFn = Callable[[TransitionSystem], list[Outcome]]


@dataclass(frozen=True)
class GateOptions:
    """Everything besides the spec that can change a verdict (part of NOTE(cache-key))."""

    engine: str = "explicit"
    depth: int = 30
    timeout: float | None = None
    max_states: int | None = None
    require_proof: bool = False


@dataclass(frozen=True)
class CaseResult:
    """One spec x variant x property, judged against its expectation."""

    spec: str
    name: str
    variant: str | None
    params: tuple[tuple[str, str], ...]
    prop: str
    expect: str | None
    verdict: str              # proved | holds-up-to | violated | unknown | error
    status: str               # ok | failed | inconclusive | error
    detail: str
    trace: str | None = None  # the counterexample as text, with the command that reproduces it
    cached: bool = False
    elapsed_s: float = field(default=0.0, compare=False)

    @property
    def case_id(self) -> str:
        return f"{self.spec}[{self.variant}]:{self.prop}" if self.variant else f"{self.spec}:{self.prop}"


@dataclass(frozen=True)
class GateReport:
    results: tuple[CaseResult, ...]
    specs: int
    cache_hits: int
    skipped: tuple[str, ...] = ()     # specs left out by --changed-since

    @property
    def exit_code(self) -> int:
        if any(r.status == "error" for r in self.results):
            return EXIT_USAGE
        statuses = {r.status for r in self.results}
        if "failed" in statuses:
            return EXIT_VIOLATED
        return EXIT_INCONCLUSIVE if "inconclusive" in statuses else EXIT_OK


class GateError(Exception):
    """A problem with the gate's own inputs (e.g. git failed); cli.py reports it and exits 2."""


# ---- running -----------------------------------------------------------------------------------

def run_gate(files: Sequence[tuple[Path, str]], check: CheckFn, opts: GateOptions,
             cache: Cache | None, on_spec: Callable[[str], None] | None = None) -> GateReport:
    """Check each (path, display path); reuse cached results when the key matches."""
    results: list[CaseResult] = []
    hits = 0
    for path, shown in files:
        if on_spec is not None:
            on_spec(shown)
        got, hit = _one_spec(path, shown, check, opts, cache)
        hits += hit
        results.extend(got)
    return GateReport(tuple(results), len(files), hits)


def _one_spec(path: Path, shown: str, check: CheckFn, opts: GateOptions,
              cache: Cache | None) -> tuple[list[CaseResult], bool]:
    try:
        src = _read(path, shown)
        key = cache_key(src, opts)
        cached = cache.get(key) if cache is not None else None
        if cached is not None:
            return cached, True
        spec = parse_spec(src)
        results = [r for ts in instantiate(spec) for r in _check_instance(spec, ts, check)]
    except SpecError as e:
        return [_load_error(shown, render_all(e.diagnostics, e.sources))], False
    if cache is not None and all(r.status in ("ok", "failed") for r in results):
        cache.put(key, results)
    return results, False


def _read(path: Path, shown: str) -> SourceFile:
    from model.load import read_source
    return read_source(path, shown)


def _check_instance(spec: LoadedSpec, ts: TransitionSystem, check: CheckFn) -> list[CaseResult]:
    t0 = time.monotonic()
    outcomes = check(ts)
    each = (time.monotonic() - t0) / max(1, len(outcomes))
    from checker.export.context import export_context
    ctx = export_context(spec, ts)
    return [_result(ts, o, ctx, each) for o in outcomes]


def _result(ts: TransitionSystem, o: Outcome, ctx: ExportContext, elapsed: float) -> CaseResult:
    v = o.verdict
    trace = None
    if isinstance(v, Violated):
        trace = render_trace(ts, v.trace, v.prop) + "Reproduce: " + reproduce_command(ts, v.prop, ctx) + "\n"
    if o.status == "ok":
        detail = describe(v)
    elif isinstance(v, Violated):
        detail = f"expected {o.expect or 'holds'}, but {describe(v)}"
    else:
        detail = f"{o.why} ({describe(v)})"
    return CaseResult(ts.path, ts.name, ts.variant, ts.params, v.prop, o.expect, kind_of(v), o.status,
                      detail, trace, False, elapsed)


def _load_error(shown: str, text: str) -> CaseResult:
    return CaseResult(shown, "", None, (), LOAD, None, "error", "error", "the spec does not load", text)


# ---- the cache -----------------------------------------------------------------------------------

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
    """seamcheck and z3-solver versions, without importing z3 (only checker/smt may)."""
    from importlib.metadata import PackageNotFoundError, version
    try:
        z3 = version("z3-solver")
    except PackageNotFoundError:
        z3 = "none"
    return {"seamcheck": seamcheck_version(), "z3": z3}


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
        body = json.dumps({"results": [_to_json(r) for r in results]}, sort_keys=True, indent=1)
        tmp = self.root / f".{key}.{os.getpid()}.tmp"
        tmp.write_text(body)
        os.replace(tmp, self.root / f"{key}.json")  # atomic: parallel CI jobs never read half a file


def _to_json(r: CaseResult) -> dict[str, object]:
    d = asdict(r)
    d["params"] = [list(p) for p in r.params]
    return d


def _from_json(d: dict[str, object], cached: bool) -> CaseResult:
    params = tuple((str(k), str(v)) for k, v in d["params"])  # type: ignore[attr-defined]
    fields = {**d, "params": params, "cached": cached, "elapsed_s": 0.0}
    return CaseResult(**fields)  # type: ignore[arg-type]


# ---- --changed-since ---------------------------------------------------------------------------

def changed_files(rev: str, cwd: Path) -> set[Path]:
    """Files changed since `rev` (committed or not) plus untracked files, as absolute paths."""
    top = Path(_git(["rev-parse", "--show-toplevel"], cwd).strip())
    diff = _git(["diff", "--name-only", rev, "--"], cwd)           # relative to the top
    untracked = _git(["ls-files", "--others", "--exclude-standard", "--full-name"], cwd)
    return {(top / n).resolve() for n in (diff + untracked).splitlines() if n}


def _git(args: list[str], cwd: Path) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False,
                              timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise GateError(f"cannot run git: {e}") from None
    if done.returncode != 0:
        raise GateError(f"git {' '.join(args)} failed: {done.stderr.strip() or done.returncode}")
    return done.stdout


def includes_of(path: Path) -> set[Path]:
    """Specs that `path` includes. None yet: see NOTE(includes)."""
    return set()


def select_changed(files: Sequence[tuple[Path, str]], changed: set[Path],
                   includes: Callable[[Path], set[Path]] = includes_of) -> list[tuple[Path, str]]:
    """The specs that changed or (transitively) include a changed file."""
    def touched(p: Path, seen: frozenset[Path] = frozenset()) -> bool:
        p = p.resolve()
        if p in changed:
            return True
        return any(touched(q, seen | {p}) for q in includes(p) if q.resolve() not in seen)
    return [(p, s) for p, s in files if touched(p)]


# ---- reports -------------------------------------------------------------------------------------

COLUMNS = ("spec", "variant", "property", "expect", "verdict", "status", "cache")


def table_rows(report: GateReport) -> list[tuple[str, ...]]:
    return [(r.spec, r.variant or "-", r.prop, r.expect or "-", r.verdict,
             {"ok": "ok", "failed": "FAIL", "inconclusive": "??", "error": "ERROR"}[r.status],
             "hit" if r.cached else "") for r in report.results]


def table_text(report: GateReport) -> str:
    """The result table as plain text (cli.py draws it with rich on a terminal)."""
    rows = [COLUMNS, *table_rows(report)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def summary(report: GateReport) -> str:
    n = {s: sum(1 for r in report.results if r.status == s) for s in ("ok", "failed", "inconclusive", "error")}
    skipped = f", {len(report.skipped)} unchanged specs skipped" if report.skipped else ""
    return (f"{report.specs} specs ({report.cache_hits} from cache{skipped}), {len(report.results)} checks: "
            f"{n['ok']} as expected, {n['failed']} failed, {n['inconclusive']} inconclusive, "
            f"{n['error']} spec errors (exit {report.exit_code})\n")


def failures_text(report: GateReport) -> str:
    """Each failed, inconclusive or erroneous case with its detail and trace."""
    out = []
    for r in report.results:
        if r.status == "ok":
            continue
        out.append(f"{r.status.upper()} {r.case_id}: {r.detail}\n")
        if r.trace:
            out.append("".join(f"    {line}\n" for line in r.trace.splitlines()))
    return "".join(out)


def junit_xml(report: GateReport) -> str:
    """JUnit XML: a testsuite per spec file, a testcase per variant x property."""
    root = ET.Element("testsuites", name="seamcheck")
    suites: dict[str, ET.Element] = {}
    for r in report.results:
        suite = suites.get(r.spec)
        if suite is None:
            suite = suites[r.spec] = ET.SubElement(root, "testsuite", name=r.spec)
        name = f"{r.variant}.{r.prop}" if r.variant else r.prop
        case = ET.SubElement(suite, "testcase", classname=f"{r.name or r.spec}", name=name,
                             file=r.spec, time=f"{r.elapsed_s:.3f}")
        body = f"{r.detail}\n\n{r.trace}" if r.trace else r.detail
        if r.status == "failed":
            el = ET.SubElement(case, "failure", message=f"{r.prop}: {r.detail}", type=r.verdict)
            el.text = body
        elif r.status in ("inconclusive", "error"):
            el = ET.SubElement(case, "error", message=f"{r.prop}: {r.detail}", type=r.status)
            el.text = body
        elif r.cached:
            ET.SubElement(case, "system-out").text = "verdict from the seamcheck cache"
    for el in [root, *suites.values()]:
        rs = [r for r in report.results if el is root or r.spec == el.get("name")]
        el.set("tests", str(len(rs)))
        el.set("failures", str(sum(r.status == "failed" for r in rs)))
        el.set("errors", str(sum(r.status in ("inconclusive", "error") for r in rs)))
        el.set("time", f"{sum(r.elapsed_s for r in rs):.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def gate_json(report: GateReport) -> str:
    data = {"exit": report.exit_code, "specs": report.specs, "cache_hits": report.cache_hits,
            "skipped": list(report.skipped), "results": [_to_json(r) for r in report.results]}
    for r in data["results"]:  # type: ignore[attr-defined]
        r.pop("elapsed_s")      # keep the JSON report byte-identical across runs
    return json.dumps(data, sort_keys=True, indent=2) + "\n"
