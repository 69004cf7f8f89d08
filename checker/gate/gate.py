"""The CI gate: every spec x variant x property against its `expect`, with a verdict cache.

Each instance is checked by the run module (checker/run/runner.py), exactly as `seamcheck
check` does; cli.py prints the table and writes the reports (checker/gate/reports.py).

NOTE(cache-key): a cached verdict is reused only when nothing that could change it changed: the
spec's *parsed* content (YAML nodes with each scalar's source text and whether it was quoted,
so whitespace and comments do not count but `010` vs `8` does), the spec's display path
(verdicts carry it), the engine options, the seamcheck version, a hash of seamcheck's code
(every .py and .lark file of the packages `model` and `checker` and cli.py, read from where
Python imports them, once per process: `installed_code_hash` in checker/gate/cache.py; so an
edited engine never reuses the old engine's verdicts, whatever the version says) and the
z3-solver version. Only decided results (ok / failed) are cached; inconclusive ones (timeouts depend on the
machine) and spec errors are always recomputed.

NOTE(includes): specs cannot include other specs yet. `--changed-since` already selects a spec
when it or anything it includes changed, through `includes_of`, which returns no includes
today; an include mechanism only has to fill in that function.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from checker.core.budget import Progress
from checker.core.outcome import Outcome, describe, judge
from checker.core.verdict import Violated, kind_of
from checker.export.result_json import error_json, result_record
from checker.export.text import render_trace
from checker.gate.cache import Cache, cache_key
from checker.gate.cases import LOAD, CaseResult, GateOptions, GateReport
from checker.run.runner import properties, run_instance
from checker.run.specs import SpecFile, parse, read_spec, without_text
from checker.traces.context import ExportContext, export_context, reproduce_command
from model.diagnostics import SpecError, render_all
from model.ir import TransitionSystem
from model.load import LoadedSpec, instantiate
from model.source import SourceFile


def gate(roots: Sequence[str], opts: GateOptions, cache_dir: Path | None, changed_since: str | None,
         on_spec: Callable[[str], None] | None = None,
         progress: Callable[[Progress], None] | None = None) -> GateReport:
    """`seamcheck ci`: the specs under roots (those --changed-since selects), each checked or
    taken from the cache. Raises GateError when git cannot say what changed."""
    from dataclasses import replace

    from checker.gate.cache import Cache
    from checker.gate.changed import changed_only
    from checker.run.specs import spec_files
    files, skipped = changed_only(spec_files(roots), changed_since, Path.cwd())
    report = run_gate(files, opts, None if cache_dir is None else Cache(cache_dir), on_spec, progress)
    return replace(report, skipped=skipped, changed_since=changed_since)


def run_gate(files: Sequence[SpecFile], opts: GateOptions, cache: Cache | None,
             on_spec: Callable[[str], None] | None = None,
             progress: Callable[[Progress], None] | None = None) -> GateReport:
    """Check each spec file; reuse cached results when the key matches."""
    results: list[CaseResult] = []
    hits = 0
    for f in files:
        if on_spec is not None:
            on_spec(f.shown)
        got, hit = _one_spec(f, opts, cache, progress)
        hits += hit
        results.extend(got)
    return GateReport(tuple(results), len(files), hits)


def _one_spec(f: SpecFile, opts: GateOptions, cache: Cache | None,
              progress: Callable[[Progress], None] | None) -> tuple[list[CaseResult], bool]:
    src: SourceFile | None = None
    try:
        src = read_spec(f)                 # NOTE(untrusted-paths) in checker/run/specs.py
        key = cache_key(src, opts)
        cached = cache.get(key) if cache is not None else None
        if cached is not None:
            return cached, True
        spec = parse(src)
        results = [r for ts in instantiate(spec) for r in _check_instance(spec, ts, opts, progress)]
    except SpecError as e:
        e = without_text(e, src)
        return [_load_error(f.shown, e)], False
    if cache is not None and all(r.status in ("ok", "failed") for r in results):
        cache.put(key, results)
    return results, False


def _check_instance(spec: LoadedSpec, ts: TransitionSystem, opts: GateOptions,
                    progress: Callable[[Progress], None] | None) -> list[CaseResult]:
    t0 = time.monotonic()
    got = run_instance(ts, properties(ts, ()), opts.run_options(), progress)
    if got.error is not None:
        raise SpecError([got.error], [spec.source])
    outcomes = [judge(v, ts.prop(v.prop).expect, opts.require_proof) for v in got.verdicts]
    each = (time.monotonic() - t0) / max(1, len(outcomes))
    ctx = export_context(spec, ts)
    return [_result(ts, o, ctx, each, result_record(spec, ts, o, got.facts)) for o in outcomes]


def _result(ts: TransitionSystem, o: Outcome, ctx: ExportContext, elapsed: float,
            record: dict[str, object]) -> CaseResult:
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
                      detail, trace, False, elapsed, json.dumps(record, sort_keys=True))


def _load_error(shown: str, e: SpecError) -> CaseResult:
    text = render_all(e.diagnostics, e.sources)
    errors = json.dumps([error_json(d, shown) for d in e.diagnostics], sort_keys=True)
    return CaseResult(shown, "", None, (), LOAD, None, "error", "error", "the spec does not load", text,
                      record=errors)
