"""Human-readable trace: state 0 in full, then per step the action and only the changed variables
(TLC's -difftrace)."""

from __future__ import annotations

from checker.traces.context import ExportContext, loop_back, loop_note, status_of
from checker.traces.trace import Trace
from model.ir import TransitionSystem
from model.seqs import is_seq


def render_value(ts: TransitionSystem, slot: int, value: int) -> str:
    return ts.vars[slot].sort.render(value)


def rows(ts: TransitionSystem, state: tuple[int, ...]) -> list[tuple[str, str, tuple[int, ...]]]:
    """(name, shown value, slots) per line of a state: one per slot, one per set, whose
    cells (`votes[0]`, `votes[1]`) are shown together as `votes = {0, 1}` (NOTE(sets)), and one
    per sequence, whose length and slots are shown as `q = [1, 2]` (NOTE(seqs))."""
    out: list[tuple[str, str, tuple[int, ...]]] = []
    sets: dict[str, int] = {}
    seqs = seq_slots(ts)
    for i, v in enumerate(ts.vars):
        if i in seqs:
            name, slots = seqs[i]
            if slots[0] == i:
                out.append((name, show_seq(ts, slots, state), slots))
            continue
        if not v.set_elem:
            out.append((v.name, render_value(ts, i, state[i]), (i,)))
            continue
        cut = v.name.rindex("[")
        name, elem = v.name[:cut], v.name[cut + 1:-1]
        if name not in sets:
            sets[name] = len(out)
            out.append((name, "", ()))
        _, shown, slots = out[sets[name]]
        shown = shown + (", " if shown and state[i] else "") + (elem if state[i] else "")
        out[sets[name]] = (name, shown, (*slots, i))
    return [(n, "{" + x + "}" if ts.vars[sl[0]].set_elem else x, sl) for n, x, sl in out]


def seq_slots(ts: TransitionSystem) -> dict[int, tuple[str, tuple[int, ...]]]:
    """Slot -> (the sequence's display name, its length slot then its element slots) for every
    slot of a sequence (NOTE(seqs) in model/seqs.py: a record of fields `len`, `0`, `1`, ...)."""
    groups: dict[str, list[int]] = {}
    for i, v in enumerate(ts.vars):
        if v.record and "." in v.name:
            groups.setdefault(v.name[:v.name.rindex(".")], []).append(i)
    out: dict[int, tuple[str, tuple[int, ...]]] = {}
    for name, slots in groups.items():
        tails = [ts.vars[s].name[len(name) + 1:] for s in slots]
        if is_seq(tuple(tails)):
            out.update((s, (name, tuple(slots))) for s in slots)
    return out


def show_seq(ts: TransitionSystem, slots: tuple[int, ...], state: tuple[int, ...]) -> str:
    n, cap = state[slots[0]], len(slots) - 1
    if not 0 <= n <= cap:   # a step out of range (NOTE(seq-checks) in model/writes.py)
        return f"<length {n}, outside 0..{cap}>"
    return "[" + ", ".join(ts.vars[s].sort.render(state[s]) for s in slots[1:n + 1]) + "]"


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
    changed = [f"  {n} = {x}" for n, x, slots in rows(ts, post) if any(pre[i] != post[i] for i in slots)]
    return [head, *(changed or ["  (no variable changed)"])]


def render(ts: TransitionSystem, trace: Trace, prop: str | None, ctx: ExportContext) -> str:
    """The exporter signature shared by checker/export/* (the context is not needed here)."""
    return render_trace(ts, trace, prop)
