"""Human-readable trace: state 0 in full, then per step the action and only the changed variables
(TLC's -difftrace)."""

from __future__ import annotations

from checker.trace import Trace
from model.ir import TransitionSystem


def render_value(ts: TransitionSystem, slot: int, value: int) -> str:
    return ts.vars[slot].sort.render(value)


def render_trace(ts: TransitionSystem, trace: Trace, prop: str | None = None) -> str:
    lines = [f"State 0 (initial):"]
    lines += [f"  {v.name} = {render_value(ts, i, x)}" for i, (v, x) in enumerate(zip(ts.vars, trace.states[0]))]
    for k, a in enumerate(trace.actions, start=1):
        if trace.loop is not None and trace.loop == k - 1 and k - 1 > 0:
            pass
        act = ts.actions[a]
        lines.append(f"Step {k}: {act.label.render()}" + _result(ts, trace, k))
        pre, post = trace.states[k - 1], trace.states[k]
        changed = [(i, x) for i, (x, y) in enumerate(zip(post, pre)) if x != y]
        lines += [f"  {ts.vars[i].name} = {render_value(ts, i, x)}" for i, x in changed]
        if not changed:
            lines.append("  (no variable changed)")
    if trace.loop is not None:
        lines.insert(_loop_line(lines, trace.loop), f"-- loop starts here (state {trace.loop}) --")
        lines.append(f"-- back to state {trace.loop}: the loop repeats forever --")
    if prop is not None:
        p = ts.prop(prop)
        lines.append(f"Violated: {prop}" + (f" ({p.doc})" if p.doc else ""))
    return "\n".join(lines) + "\n"


def _result(ts: TransitionSystem, trace: Trace, k: int) -> str:
    act = ts.actions[trace.actions[k - 1]]
    if act.call is None or act.result is None:
        return ""
    from model.evaluate import evaluate
    code = evaluate(act.result, trace.states[k - 1])
    return f"  [{act.call} -> {act.result.sort.render(code)}]"


def _loop_line(lines: list[str], loop: int) -> int:
    """Index of the line where state `loop` starts (its step header, or the initial header)."""
    if loop == 0:
        return 0
    header = f"Step {loop}:"
    for i, line in enumerate(lines):
        if line.startswith(header):
            return i + 1 + next((j for j, ln in enumerate(lines[i + 1:]) if not ln.startswith("  ")),
                                len(lines) - i - 1)
    return len(lines)
