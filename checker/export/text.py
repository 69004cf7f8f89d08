"""Human-readable trace: state 0 in full, then per step the action and only the changed variables
(TLC's -difftrace)."""

from __future__ import annotations

from checker.traces.context import ExportContext, loop_back, loop_note, status_of
from checker.traces.trace import Trace
from checker.traces.values import changed, rows
from model.ir import TransitionSystem


def render_trace(ts: TransitionSystem, trace: Trace, prop: str | None = None) -> str:
    blocks = [["State 0 (initial):"] + [f"  {n} = {x}" for n, x, _ in rows(ts, trace.states[0])]]
    for k, a in enumerate(trace.actions, start=1):
        blocks.append(_step(ts, trace, k, a))
    lines: list[str] = []
    for k, block in enumerate(blocks):
        lines.extend(block)
        if trace.loop == k:  # after state k is shown: the steps below it repeat
            lines.append(f"-- {loop_note(k)} --")
    if trace.loop is not None:
        lines.append(f"-- {loop_back(trace.loop)} --")
    if prop is not None:
        p = ts.prop(prop)
        doc = " ".join(p.doc.split())  # a folded YAML doc may hold newlines
        lines.append(f"Violated: {prop}" + (f" ({doc})" if doc else ""))
    return "\n".join(lines) + "\n"


def _step(ts: TransitionSystem, trace: Trace, k: int, a: int) -> list[str]:
    act = ts.actions[a]
    pre, post = trace.states[k - 1], trace.states[k]
    status = status_of(act, pre)
    head = f"Step {k}: {act.label.render()}" + (f"  [{act.call} -> {status}]" if status else "")
    lines = [f"  {n} = {x}" for n, x in changed(ts, pre, post)]
    return [head, *(lines or ["  (no variable changed)"])]


def render(ts: TransitionSystem, trace: Trace, prop: str | None, ctx: ExportContext) -> str:
    """The exporter signature shared by checker/export/* (the context is not needed here)."""
    return render_trace(ts, trace, prop)
