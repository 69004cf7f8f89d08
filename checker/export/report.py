"""A check's results as text and JSON: the instance title, the run's facts, one line per
property, certificates and counterexamples. Strings only; cli.py writes them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from checker.core.outcome import Outcome, describe, judge
from checker.core.verdict import Proved, Violated
from checker.export import render as render_export
from checker.export.result_json import result_record
from checker.export.text import render_trace
from checker.run.runner import InstanceResult, RunFacts
from checker.traces.context import ExportContext, export_context, seamcheck_version
from checker.traces.replay import violates
from checker.traces.trace import Trace
from model.ir import TransitionSystem
from model.load import LoadedSpec


@dataclass(frozen=True)
class Show:
    """How `check` shows its results (the run itself is RunOptions)."""

    json: bool = False
    traces: bool = True
    require_proof: bool = False
    trace_out: str | None = None        # --trace-out FILE (checker/export/files.py names several)
    trace_format: str = "itf"           # the format of --trace-out files
    inline_format: str = "text"         # how counterexamples are printed
    invariants: bool = False            # --show-invariants: print proofs' certificates


def instance_title(ts: TransitionSystem) -> str:
    params = " ".join(f"{k}={v}" for k, v in ts.params)
    variant = f" variant {ts.variant}" if ts.variant else ""
    return f"{ts.path}{variant} [{params}]"


def fact_notes(facts: RunFacts) -> list[str]:
    """The explicit searches' counts and never-enabled transitions, one note a line."""
    ps = facts.phases
    if len(ps) == 1:
        p = ps[0]
        sym = f", symmetry-reduced over {', '.join(p.symmetry)}" if p.symmetry else ""
        notes = [f"{p.name}: {p.states} states{sym}, {p.transitions} transitions, diameter {p.diameter}, "
                 f"{p.states_per_s:,.0f} states/s" + ("" if p.complete else " (search incomplete)")]
    else:
        notes = []
        for i, p in enumerate(ps):
            sym = f", symmetry-reduced over {', '.join(p.symmetry)}" if p.symmetry else ""
            size = f"{p.name}: {p.states} states{sym}, {p.transitions} transitions"
            last = i == len(ps) - 1
            notes.append(size + (f", diameter {p.diameter}" if i == 0 else "")
                         + ("" if not last or facts.complete else " (search incomplete)"))
    if facts.never_enabled:
        notes.append("never enabled (possible vacuity): " + ", ".join(facts.never_enabled))
    return notes


def outcome_lines(ts: TransitionSystem, outcomes: Sequence[Outcome], facts: RunFacts, *, traces: bool = True,
                  invariants: bool = False, inline_format: str = "text", ctx: ExportContext | None = None) -> str:
    """The text report of one instance."""
    out = [instance_title(ts)] + [f"  {n}" for n in fact_notes(facts)]
    width = max((len(o.verdict.prop) for o in outcomes), default=8)
    for o in outcomes:
        mark = {"ok": "ok  ", "failed": "FAIL", "inconclusive": "??  "}[o.status]
        exp = f"  [expected {o.expect}]" if o.expect else ""
        out.append(f"  {mark} {o.verdict.prop:<{width}}  {describe(o.verdict)}{exp}")
    for o in outcomes:
        v = o.verdict
        if isinstance(v, Proved) and v.invariant and invariants:
            out += ["", f"  Certificate for {v.prop} ({v.provenance.engine}):"]
            out += [f"    {line}" for line in v.invariant.splitlines()]
    for o in outcomes:
        v = o.verdict
        if isinstance(v, Violated) and traces:
            out += ["", f"  Counterexample for {v.prop} ({v.trace.depth} steps):"]
            text = (render_trace(ts, v.trace, v.prop) if inline_format == "text" else
                    render_export(inline_format, ts, v.trace, v.prop, ctx or ExportContext(seamcheck_version())))
            out += [f"    {line}" if line else "" for line in text.splitlines()]
    return "\n".join(out) + "\n\n"


@dataclass(frozen=True)
class InstanceReport:
    """One instance's results judged and rendered: for the summary, --json and --trace-out."""

    outcomes: list[Outcome]
    records: list[dict[str, object]]
    violations: list[tuple[ExportContext, TransitionSystem, Violated, dict[str, object]]]
    text: str


def instance_report(spec: LoadedSpec, ts: TransitionSystem, got: InstanceResult, show: Show,
                    engine: str) -> InstanceReport:
    judged = [judge(v, ts.prop(v.prop).expect, show.require_proof) for v in got.verdicts]
    ctx = export_context(spec, ts, engine)
    recs = [result_record(spec, ts, o, got.facts) for o in judged]
    bad = [(ctx, ts, o.verdict, r) for o, r in zip(judged, recs) if isinstance(o.verdict, Violated)]
    text = outcome_lines(ts, judged, got.facts, traces=show.traces, invariants=show.invariants,
                         inline_format=show.inline_format, ctx=ctx)
    return InstanceReport(judged, recs, bad, text)  # type: ignore[arg-type]


def summary(outcomes: Sequence[Outcome], code: int) -> str:
    n = {s: sum(1 for o in outcomes if o.status == s) for s in ("ok", "failed", "inconclusive")}
    return (f"{len(outcomes)} properties: {n['ok']} as expected, {n['failed']} failed, "
            f"{n['inconclusive']} inconclusive (exit {code})\n")


def replay_verdict(name: str, ts: TransitionSystem, tr: Trace, prop: str | None) -> tuple[bool, str]:
    """After a trace replayed step by step: whether it ends as it should, and the line saying so."""
    title = instance_title(ts)
    if prop is None:
        return True, f"{name}: replays on {title} ({tr.depth} steps); no property named\n"
    if not violates(ts, tr, prop):
        return False, (f"{name}: replays on {title} ({tr.depth} steps), but does not end in a "
                       f"violation of '{prop}'\n")
    return True, f"{name}: replays on {title} and violates '{prop}' at depth {tr.depth}\n"
