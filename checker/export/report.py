"""A check's results as text and JSON: the instance title, the run's facts, one line per
property, certificates and counterexamples. Strings only; cli.py writes them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from checker.core.outcome import Outcome, describe, judge
from checker.core.verdict import Proved, Unknown, Violated
from checker.core.words import plural
from checker.export import render as render_export
from checker.export.colour import paint
from checker.export.result_json import result_record
from checker.export.text import render_trace
from checker.run.engines import Phase
from checker.run.runner import InstanceResult, RunFacts
from checker.traces.context import ExportContext, export_context, seamcheck_version
from checker.traces.replay import violates
from checker.traces.trace import Trace
from model.ir import TransitionSystem
from model.load import LoadedSpec

WIDTH = 100     # lines of names (never-enabled transitions) wrap here


@dataclass(frozen=True)
class Show:
    """How `check` and the main job show their results (the run itself is RunOptions)."""

    json: bool = False
    # all (--traces) | unexpected: only of results not as expected (the default) | none (--no-trace)
    counterexamples: str = "unexpected"
    require_proof: bool = False
    trace_out: str | None = None        # --trace-out FILE (checker/export/files.py names several)
    trace_format: str = "itf"           # the format of --trace-out files
    inline_format: str = "text"         # how counterexamples are printed
    invariants: bool = False            # --show-invariants: print proofs' certificates
    colour: bool = False                # ANSI colour by status (checker/export/colour.py decides)
    coverage: bool = False              # --coverage: per-action counts of each explicit search

    def shows_trace(self, o: Outcome) -> bool:
        """Whether the counterexample of a violated property is printed inline."""
        return self.counterexamples == "all" or (self.counterexamples == "unexpected" and o.status != "ok")


def instance_title(ts: TransitionSystem) -> str:
    """`path variant v [N=2 ...]`: no brackets for a spec without params."""
    params = " ".join(f"{k}={v}" for k, v in ts.params)
    variant = f" variant {ts.variant}" if ts.variant else ""
    return f"{ts.path}{variant}" + (f" [{params}]" if params else "")


def _sizes(p: Phase) -> str:
    sym = f", symmetry-reduced over {', '.join(p.symmetry)}" if p.symmetry else ""
    return f"{p.name}: {plural(p.states, 'state')}{sym}, {plural(p.transitions, 'transition')}"


def _cores(p: Phase) -> str:
    """`, 2 cores` for a search on several; why one, when more were asked for (--cores)."""
    return f", {p.cores} cores" if p.cores > 1 else f", 1 core ({p.serial_why})" if p.serial_why else ""


def fact_notes(facts: RunFacts) -> list[str]:
    """The explicit searches' counts and never-enabled transitions, indented, at most WIDTH wide
    where names allow (a name is never split)."""
    ps = facts.phases
    if len(ps) == 1:
        p = ps[0]
        notes = [f"  {_sizes(p)}, diameter {p.diameter}, {p.states_per_s:,.0f} states/s{_cores(p)}"
                 + ("" if p.complete else " (search incomplete)")]
    else:
        notes = [f"  {_sizes(p)}" + (f", diameter {p.diameter}" if i == 0 else "") + _cores(p)
                 + ("" if i < len(ps) - 1 or facts.complete else " (search incomplete)")
                 for i, p in enumerate(ps)]
    if facts.never_enabled:
        notes += wrap_names("  never enabled (possible vacuity):", facts.never_enabled, " " * 4)
    return notes


def wrap_names(head: str, names: Sequence[str], indent: str, width: int = WIDTH) -> list[str]:
    """`head` and the comma-separated names, wrapped at `width` between names only (a name
    such as `flush_one(v=0, c=1)` holds spaces, so textwrap would split it); a name longer than
    a line stands alone on its line."""
    lines, line = [], head
    for i, name in enumerate(names):
        item = name + ("," if i < len(names) - 1 else "")
        if line != head and len(line) + 1 + len(item) > width:
            lines.append(line)
            line = indent + item
        else:
            line = f"{line} {item}"
    return [*lines, line]


def coverage_lines(facts: RunFacts) -> list[str]:
    """Per explicit search and action, as TLC's coverage: how often the action fired (its guard
    held in an expanded state) and how many states it reached first."""
    if not facts.phases:
        return ["  coverage: none (no explicit search ran; BMC, k-induction and PDR count no states)"]
    out: list[str] = []
    for p in facts.phases:
        width = max([len("action"), *(len(c.action) for c in p.coverage)])
        over = f", counts over states symmetry-reduced over {', '.join(p.symmetry)}" if p.symmetry else ""
        out += [f"  coverage of {p.name}, {plural(p.states, 'state')}{over}"
                + ("" if p.complete else ", search incomplete") + ":",
                f"    {'action':<{width}}  {'fired':>9}  {'new states':>10}"]
        out += [f"    {c.action:<{width}}  {c.enabled:>9,}  {c.new_states:>10,}"
                + ("  (never fired)" if c.enabled == 0 else "") for c in p.coverage]
    return out


def property_line(o: Outcome, width: int, colour: bool) -> str:
    """`  ok   name  verdict  [expected x]`; a result not as expected is red (and marked FAIL),
    an inconclusive one yellow, so an unexpected violation stands out from an expected one."""
    mark = {"ok": "ok  ", "failed": "FAIL", "inconclusive": "??  "}[o.status]
    exp = f"  [expected {o.expect}]" if o.expect else ""
    name = f"{o.verdict.prop:<{width}}"
    if o.status == "failed":
        return "  " + paint(f"{mark} {name}  {describe(o.verdict)}{exp}", "failed", colour)
    if o.status == "inconclusive":
        return f"  {paint(mark, o.status, colour)} {name}  {paint(describe(o.verdict), o.status, colour)}{exp}"
    return f"  {paint(mark.rstrip(), 'ok', colour)}{mark[2:]} {name}  {describe(o.verdict)}{exp}"


def outcome_lines(ts: TransitionSystem, outcomes: Sequence[Outcome], facts: RunFacts, show: Show | None = None,
                  ctx: ExportContext | None = None) -> str:
    """The text report of one instance."""
    show = show or Show()
    out = [instance_title(ts), *fact_notes(facts)]
    width = max((len(o.verdict.prop) for o in outcomes), default=8)
    out += [property_line(o, width, show.colour) for o in outcomes]
    if show.coverage:
        out += coverage_lines(facts)
    for o in outcomes:
        v = o.verdict
        if isinstance(v, Proved) and v.invariant and show.invariants:
            out += ["", f"  Certificate for {v.prop} ({v.provenance.engine}):"]
            out += [f"    {line}" for line in v.invariant.splitlines()]
    for o in outcomes:
        v = o.verdict
        if isinstance(v, Unknown) and v.cti_text and show.shows_trace(o):
            out += ["", f"  Counterexample to induction for {v.prop} (--for-all):"]
            out += [f"    {line}" for line in v.cti_text.splitlines()]
    for o in outcomes:
        v = o.verdict
        if isinstance(v, Violated) and show.shows_trace(o):
            out += ["", f"  Counterexample for {v.prop} ({plural(v.trace.depth, 'step')}):"]
            fmt = show.inline_format
            text = (render_trace(ts, v.trace, v.prop) if fmt == "text" else
                    render_export(fmt, ts, v.trace, v.prop, ctx or ExportContext(seamcheck_version())))
            out += [f"    {line}" if line else "" for line in text.splitlines()]
    return "\n".join(out) + "\n\n"


@dataclass(frozen=True)
class InstanceReport:
    """One instance's results judged and rendered: for the summary, --json and --trace-out."""

    outcomes: list[Outcome]
    records: list[dict[str, object]]
    violations: list[tuple[ExportContext, TransitionSystem, Violated, dict[str, object]]]
    text: str
    ts: TransitionSystem


def instance_report(spec: LoadedSpec, ts: TransitionSystem, got: InstanceResult, show: Show,
                    engine: str) -> InstanceReport:
    judged = [judge(v, ts.prop(v.prop).expect, show.require_proof) for v in got.verdicts]
    ctx = export_context(spec, ts, engine)
    recs = [result_record(spec, ts, o, got.facts) for o in judged]
    bad = [(ctx, ts, o.verdict, r) for o, r in zip(judged, recs) if isinstance(o.verdict, Violated)]
    text = outcome_lines(ts, judged, got.facts, show, ctx)
    return InstanceReport(judged, recs, bad, text, ts)  # type: ignore[arg-type]


def summary(outcomes: Sequence[Outcome], code: int) -> str:
    n = {s: sum(1 for o in outcomes if o.status == s) for s in ("ok", "failed", "inconclusive")}
    return (f"{plural(len(outcomes), 'property', 'properties')}: {n['ok']} as expected, {n['failed']} failed, "
            f"{n['inconclusive']} inconclusive (exit {code})\n")


def closing(reports: Sequence[InstanceReport], code: int, show: Show) -> str:
    """The end of a run: every property not as expected by name (spec, variant, property,
    verdict, expectation), the counterexamples left out, and the counts."""
    bad = [(r.ts, o) for r in reports for o in r.outcomes if o.status != "ok"]
    out = [f"{plural(len(bad), 'property', 'properties')} not as expected:"] if bad else []
    for ts, o in bad:
        where = ts.path + (f" [{ts.variant}]" if ts.variant else "")
        mark = "FAIL" if o.status == "failed" else "??  "
        line = f"{mark} {where} {o.verdict.prop}: {describe(o.verdict)}, expected {o.expect or 'holds'}"
        out.append("  " + paint(line, o.status, show.colour))
    hidden = sum(1 for r in reports for o in r.outcomes if isinstance(o.verdict, Violated)
                 and o.status == "ok" and not show.shows_trace(o))
    if hidden and show.counterexamples == "unexpected":
        out.append(f"({plural(hidden, 'counterexample')} of expected violations not shown; --traces shows them)")
    outcomes = [o for r in reports for o in r.outcomes]
    return "".join(f"{line}\n" for line in out) + summary(outcomes, code)


def replay_verdict(name: str, ts: TransitionSystem, tr: Trace, prop: str | None) -> tuple[bool, str]:
    """After a trace replayed step by step: whether it ends as it should, and the line saying so."""
    title = instance_title(ts)
    if prop is None:
        return True, f"{name}: replays on {title} ({plural(tr.depth, 'step')}); no property named\n"
    if not violates(ts, tr, prop):
        return False, (f"{name}: replays on {title} ({plural(tr.depth, 'step')}), but does not end in a "
                       f"violation of '{prop}'\n")
    return True, f"{name}: replays on {title} and violates '{prop}' at depth {tr.depth}\n"
