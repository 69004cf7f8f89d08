"""Graphviz DOT of one trace: a chain of states, each labelled with what changed, edges labelled
with the action (and the operation's status). A lasso gets a dashed back edge to the state
where its loop starts; the violating state or step is drawn in red."""

from __future__ import annotations

from checker.export.race import wrap
from checker.traces.context import ExportContext, loop_back, loop_note, prop_doc, reproduce_args, steps, wrap_command
from checker.traces.trace import Trace
from checker.traces.values import rows
from model.ir import TransitionSystem

CAPTION_WIDTH = 60


def quote(s: str) -> str:
    """A DOT double-quoted string; newlines become left-justified line breaks."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\l") + '"'


def render(ts: TransitionSystem, trace: Trace, prop: str | None, ctx: ExportContext) -> str:
    step_prop = prop is not None and prop in {p.name for p in ts.properties} and \
        ts.prop(prop).kind in ("step", "range")
    lines = [f"digraph {quote(ts.name + (' ' + prop if prop else ''))} {{",
             "  rankdir=TB;",
             '  node [shape=box, fontname="monospace"];',
             '  edge [fontname="monospace"];',
             f"  label={quote(_caption(ts, prop, ctx))};",
             "  labelloc=t;"]
    init = "".join(f"{n} = {x}\n" for n, x, _ in rows(ts, trace.states[0]))
    lines.append(_node(0, "state 0 (initial)\n" + init, trace, bad=not step_prop and trace.depth == 0 and bool(prop)))
    for s in steps(ts, trace):
        body = "".join(f"{n} = {v}\n" for n, v in s.changed) or "(no variable changed)\n"
        last = s.index == trace.depth
        lines.append(_node(s.index, f"state {s.index}\n{body}", trace, bad=last and not step_prop and bool(prop)))
        label = s.action.label.render() + (f"\n{s.action.call} -> {s.status}" if s.action.call else "")
        red = ", color=red, fontcolor=red" if last and step_prop else ""
        lines.append(f"  s{s.index - 1} -> s{s.index} [label={quote(label + chr(10))}{red}];")
    if trace.loop is not None:
        lines.append(f"  s{trace.depth} -> s{trace.loop} [style=dashed, label={quote(loop_back(trace.loop))}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _node(i: int, label: str, trace: Trace, bad: bool) -> str:
    attrs = [f"label={quote(label)}"]
    if trace.loop == i:
        attrs.append(f"xlabel={quote(loop_note(i))}")
        attrs.append("peripheries=2")
    if bad:
        attrs.append("color=red")
    return f"  s{i} [{', '.join(attrs)}];"


def _caption(ts: TransitionSystem, prop: str | None, ctx: ExportContext) -> str:
    """The graph's title, wrapped at CAPTION_WIDTH: Graphviz never wraps a label itself, and a
    property's doc on one line made images thousands of pixels wide."""
    head = f"{ts.path}: {prop} violated" if prop else ts.path
    doc = " ".join(prop_doc(ts, prop).split())
    lines = wrap(head + (f" ({doc})" if doc else ""), CAPTION_WIDTH)
    return "".join(x + "\n" for x in lines + wrap_command(reproduce_args(ts, prop, ctx), CAPTION_WIDTH))
