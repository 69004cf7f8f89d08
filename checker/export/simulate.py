"""A simulation's results as text and JSON (`seamcheck simulate`). Strings and dicts only.

Judged as `check` judges: a violation of a property expected to hold (or with no expectation)
fails (exit 1), one expected is ok. A property without a violation is never "holds": its line
says how much was simulated, and it neither passes nor fails (exit 0, never 3: a simulation is
not meant to decide). Liveness properties are listed as not checked.
"""

from __future__ import annotations

from dataclasses import dataclass

from checker.core.outcome import EXIT_OK, EXIT_VIOLATED, Outcome, describe, judge
from checker.core.verdict import Violated
from checker.core.words import plural
from checker.export import render as render_export
from checker.export.report import Show, instance_title
from checker.export.result_json import result_record
from checker.export.text import render_trace
from checker.run.runner import RunFacts
from checker.run.simulation import SimResult
from checker.traces.context import ExportContext, export_context
from model.ir import TransitionSystem
from model.load import LoadedSpec

NOT_FOUND, NOT_CHECKED = "no-violation", "not-checked"
MARKS = {"ok": "ok  ", "failed": "FAIL", NOT_FOUND: "--  ", NOT_CHECKED: "skip"}


@dataclass(frozen=True)
class SimReport:
    outcomes: list[Outcome]
    records: list[dict[str, object]]    # one per property, in the seamcheck/result schema
    record: dict[str, object]           # what was simulated (the document's `simulation` entry)
    violations: list[tuple[ExportContext, TransitionSystem, Violated, dict[str, object]]]
    text: str


def rerun_args(r: SimResult) -> tuple[str, ...]:
    o = r.options
    return ("--runs", str(o.runs), "--length", str(o.length), "--seed", str(o.seed))


def _judge(ts: TransitionSystem, r: SimResult) -> list[Outcome]:
    out = []
    for v in r.verdicts:
        expect = ts.prop(v.prop).expect
        if isinstance(v, Violated):
            out.append(judge(v, expect))
        elif v.prop in r.unchecked:
            out.append(Outcome(v, expect, NOT_CHECKED, "liveness is not checked by simulation"))
        else:
            out.append(Outcome(v, expect, NOT_FOUND, "no violation found"))
    return out


def sim_report(spec: LoadedSpec, ts: TransitionSystem, r: SimResult, show: Show) -> SimReport:
    judged = _judge(ts, r)
    ctx = export_context(spec, ts, "simulation")
    ctx = ExportContext(ctx.version, ctx.docs, ctx.defaults, ctx.engine, rerun_args(r))
    # the JSON records are check's (checker/export/result_json.py): a property without a violation
    # is judged as check judges an unknown verdict, inconclusive, never "holds"
    recs = [result_record(spec, ts, judge(o.verdict, o.expect), RunFacts()) for o in judged]
    bad = [(ctx, ts, o.verdict, rec) for o, rec in zip(judged, recs, strict=True) if isinstance(o.verdict, Violated)]
    record: dict[str, object] = {
        "spec": ts.path, "variant": ts.variant, "seed": r.options.seed, "runs": r.runs,
        "length": r.options.length, "steps": r.steps, "distinct_states": r.distinct}
    return SimReport(judged, recs, record, bad, _text(ts, r, judged, show, ctx))  # type: ignore[arg-type]


def _text(ts: TransitionSystem, r: SimResult, judged: list[Outcome], show: Show, ctx: ExportContext) -> str:
    o = r.options
    out = [instance_title(ts),
           f"  simulation: {r.runs} runs of length <= {o.length}, seed {o.seed}: {r.steps} steps, "
           f"{r.distinct} distinct states"]
    if r.unchecked:
        out.append(f"  liveness not checked by simulation: {', '.join(r.unchecked)}")
    width = max((len(x.verdict.prop) for x in judged), default=8)
    for x in judged:
        v = x.verdict
        what = (f"{describe(v)}, run {dict(v.provenance.stats)['run']}" if isinstance(v, Violated)
                else getattr(v, "reason", ""))
        exp = f"  [expected {x.expect}]" if x.expect else ""
        out.append(f"  {MARKS[x.status]} {v.prop:<{width}}  {what}{exp}")
    for x in judged:
        v = x.verdict
        if isinstance(v, Violated) and show.counterexamples != "none":
            out += ["", f"  Counterexample for {v.prop} ({v.trace.depth} steps):"]
            text = (render_trace(ts, v.trace, v.prop) if show.inline_format == "text" else
                    render_export(show.inline_format, ts, v.trace, v.prop, ctx))
            out += [f"    {line}" if line else "" for line in text.splitlines()]
    return "\n".join(out) + "\n\n"


def sim_exit_code(outcomes: list[Outcome]) -> int:
    return EXIT_VIOLATED if any(o.status == "failed" for o in outcomes) else EXIT_OK


def sim_summary(outcomes: list[Outcome], code: int) -> str:
    n = {s: sum(1 for o in outcomes if o.status == s) for s in ("ok", "failed", NOT_FOUND, NOT_CHECKED)}
    return (f"{plural(len(outcomes), 'property', 'properties')}: {n['ok'] + n['failed']} violated ({n['failed']} unexpected), "
            f"{n[NOT_FOUND]} without a violation (simulation: not a proof), "
            f"{n[NOT_CHECKED]} not checked (liveness) (exit {code})\n")
