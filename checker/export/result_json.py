"""The one machine-readable result schema (seamcheck/result, version 1) that `check --json` and
`ci --json` both write: pure functions from verdicts, traces and a run's facts to plain dicts.

The schema itself is checker/export/schema/seamcheck-result-v1.json; docs/json.md describes
every field. Values are typed (ints as numbers, bools as booleans, enum members as strings).
Only the fields named `time_s` change from one run of the same check to the next.

NOTE(one-record): check and ci build each record with `result_record` from the same verdict,
spec and facts, so the two commands cannot disagree on a field; ci only adds `cached` and
`changed` (gate_fields). tests/export/test_result_json.py compares the two.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from checker.core.outcome import Outcome, describe
from checker.core.verdict import HoldsUpTo, Proved, Unknown, Verdict, Violated
from checker.run.engines import Phase
from checker.run.runner import RunFacts
from checker.traces.itf import state_json as itf_state_json
from checker.traces.itf import value as itf_value
from checker.traces.trace import Trace
from model.diagnostics import Diagnostic
from model.ir import TransitionSystem
from model.load import LoadedSpec
from model.params import ParamValue
from model.sorts import Sort

SCHEMA = "seamcheck/result"
VERSION = 1
SCHEMA_FILE = "seamcheck-result-v1.json"     # in checker/export/schema/ (package data)
TIMING_KEYS = ("time_s",)                    # the only fields that vary between identical runs
STATUS = {Proved: "proved", HoldsUpTo: "holds_bounded", Violated: "violated", Unknown: "unknown"}

Json = Any


def document(command: str, version: str, exit_code: int, results: Sequence[Json],
             errors: Sequence[Json] = (), **extra: Json) -> dict[str, Json]:
    """The top level: schema name and version, seamcheck's version, the command, its exit code,
    one record per instance x property, the spec errors; ci adds its `gate` object."""
    return {"schema": SCHEMA, "version": VERSION, "seamcheck": version, "command": command,
            "exit": exit_code, "results": list(results), "errors": list(errors), **extra}


def schema_path() -> str:
    """Where the JSON Schema file is installed (beside this module)."""
    from pathlib import Path
    return str(Path(__file__).resolve().parent / "schema" / SCHEMA_FILE)


def param_values(spec: LoadedSpec, ts: TransitionSystem) -> dict[str, ParamValue]:
    """The instance's parameters typed by their declarations (ts.params holds rendered text)."""
    kinds = {p.name: p.kind for p in spec.decl.params}
    out: dict[str, ParamValue] = {}
    for name, text in ts.params:
        kind = kinds.get(name, "enum")
        out[name] = text == "true" if kind == "bool" else int(text) if kind == "int" else text
    return out


def property_kind(ts: TransitionSystem, prop: str) -> tuple[str, str]:
    """(kind, form): kind is invariant | step | deadlock | range | liveness; form is the
    spec's own kind (eventually, always_eventually, eventually_always, leads_to for liveness)."""
    p = ts.prop(prop)
    return ("liveness" if p.temporal else p.kind), p.kind


def verdict_json(v: Verdict) -> dict[str, Json]:
    """status (proved | holds_bounded | violated | unknown), engine, depth, k, reason, stats."""
    stats = dict(v.provenance.stats)
    depth: int | None = None
    if isinstance(v, HoldsUpTo):
        depth = v.depth
    elif isinstance(v, Violated):
        depth = v.trace.depth
    elif isinstance(v, Unknown):
        depth = v.depth_reached
    out: dict[str, Json] = {
        "status": STATUS[type(v)], "engine": v.provenance.engine, "depth": depth, "k": stats.get("k"),
        "reason": v.reason if isinstance(v, Unknown) else v.detail if isinstance(v, Proved)
        else v.stopped if isinstance(v, HoldsUpTo) else None,
        "stats": stats, "time_s": round(v.provenance.elapsed_s, 6),
    }
    if isinstance(v, Proved) and v.invariant:
        out["invariant"] = v.invariant
    if isinstance(v, Proved) and v.for_all:
        out["for_all"] = list(v.for_all)
    if isinstance(v, Unknown) and v.cti_text:
        out["cti"] = v.cti_text
    return out


def value(sort: Sort, v: int) -> Json:
    """One slot as a typed JSON value: ints (ranges, index sets) as numbers, bools as booleans,
    enum members and an option's `none` as strings (ITF's encoding without #bigint)."""
    return itf_value(sort, v, ints=int)


def state_json(ts: TransitionSystem, state: tuple[int, ...]) -> dict[str, Json]:
    """Variables as ITF groups them, with plain integers (checker/traces/itf.py)."""
    return itf_state_json(ts, state, ints=int)


def trace_json(ts: TransitionSystem, trace: Trace) -> dict[str, Json]:
    """depth, the action labels, the states (depth + 1 of them) and the lasso's loop index."""
    return {"depth": trace.depth, "actions": list(trace.labels(ts)),
            "states": [state_json(ts, s) for s in trace.states], "loop": trace.loop}


def phase_json(p: Phase) -> dict[str, Json]:
    return {"name": p.name, "states": p.states, "transitions": p.transitions, "diameter": p.diameter,
            "complete": p.complete, "symmetry": list(p.symmetry),
            **({"symmetry_off": p.symmetry_why} if p.symmetry_why else {}), "time_s": round(p.elapsed_s, 6),
            "coverage": [{"action": c.action, "fired": c.enabled, "new_states": c.new_states}
                         for c in p.coverage],
            # --cores: how many processes searched, and why one when more were asked for
            **({"cores": p.cores} if p.cores > 1 or p.serial_why else {}),
            **({"serial_why": p.serial_why} if p.serial_why else {})}


def deciding_phase(ts: TransitionSystem, prop: str, phases: Sequence[Phase]) -> Phase | None:
    """The explicit search that checked prop: liveness properties in "explicit (liveness)",
    the others in the first phase (NOTE(one-way) in checker/run/engines.py)."""
    if not phases:
        return None
    if ts.prop(prop).temporal:
        return next((p for p in phases if p.name.endswith("(liveness)")), phases[0])
    return phases[0]


def facts_json(ts: TransitionSystem, v: Verdict, facts: RunFacts) -> dict[str, Json]:
    """The run's facts for this property: the counts of the search that checked it (null for
    the SMT engines), the deepest step reached, every explicit search with its coverage."""
    p = deciding_phase(ts, v.prop, facts.phases)
    verdict_depth = verdict_json(v)["depth"]
    reached = p.diameter if p is not None else verdict_depth
    if reached is None and isinstance(v, Proved):
        reached = dict(v.provenance.stats).get("k")
    return {"states": p.states if p else None, "transitions": p.transitions if p else None,
            "diameter": p.diameter if p else None, "complete": p.complete if p else None,
            "depth_reached": reached, "phases": [phase_json(x) for x in facts.phases],
            "never_enabled": list(facts.never_enabled)}


def result_record(spec: LoadedSpec, ts: TransitionSystem, o: Outcome, facts: RunFacts) -> dict[str, Json]:
    """One instance x property (NOTE(one-record))."""
    v = o.verdict
    kind, form = property_kind(ts, v.prop)
    return {
        "spec": ts.path, "name": ts.name, "variant": ts.variant, "params": param_values(spec, ts),
        "property": v.prop, "kind": kind, "form": form, "expect": o.expect,
        "status": o.status, "as_expected": o.status == "ok", "why": o.why,
        "verdict": verdict_json(v), "detail": describe(v),
        "trace": trace_json(ts, v.trace) if isinstance(v, Violated) else None,
        "facts": facts_json(ts, v, facts),
        **family_json(ts, v.prop),
    }


def family_json(ts: TransitionSystem, prop: str) -> dict[str, Json]:
    """A family member's family and variables (NOTE(families) in model/lower.py); else nothing."""
    p = ts.prop(prop)
    if p.family is None:
        return {}
    return {"family": {"name": p.family, "args": {a.name: value(a.sort, a.value) for a in p.args}}}


def gate_fields(record: dict[str, Json], cached: bool, changed: bool | None) -> dict[str, Json]:
    """ci's record: the same record plus whether it came from the cache and whether its spec
    changed since --changed-since (null without that option)."""
    return {**record, "cached": cached, "changed": changed}


def error_json(d: Diagnostic, shown: str) -> dict[str, Json]:
    """A spec error as data: code, message, expected, notes, and where (file, line, column;
    line and column null when the error has no position in the file)."""
    s = d.span
    return {"code": d.code, "message": d.message, "expected": d.expected, "notes": list(d.notes),
            "file": s.file if s else shown, "line": s.line if s else None, "column": s.col if s else None,
            "end_line": s.end_line if s else None, "end_column": s.end_col if s else None}


def without_timings(x: Json, keys: Iterable[str] = TIMING_KEYS) -> Json:
    """x with every timing field set to 0: what two runs of the same check agree on."""
    ks = tuple(keys)
    if isinstance(x, dict):
        return {k: (0 if k in ks else without_timings(v, ks)) for k, v in x.items()}
    if isinstance(x, list):
        return [without_timings(v, ks) for v in x]
    return x
