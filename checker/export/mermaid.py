"""Mermaid sequence diagram of a trace (renders on GitHub and GitLab inside ```mermaid fences).

Participants are the execution contexts of the race diagram; a step that calls an operation is
a message to the `module` participant and its returned status a reply; any other step is a
self-message. A lasso's loop is a Mermaid `loop` block around the steps that repeat.
"""

from __future__ import annotations

import re

from checker.export.race import wrap
from checker.traces.context import (
    MODULE,
    ExportContext,
    contexts,
    loop_note,
    prop_doc,
    reproduce_command,
    steps,
    uses_module,
)
from checker.traces.trace import Trace
from model.ir import TransitionSystem

NOTE_WIDTH = 60
# Mermaid gives `;` and `#` meaning inside messages, and `-->>`-like text could end a message
_UNSAFE = re.compile(r"[;#<>]|--")


def text(s: str) -> str:
    return _UNSAFE.sub(lambda m: {";": ",", "#": "no.", "<": "(", ">": ")"}.get(m.group(0), "- "), s)


def note_text(s: str) -> str:
    """Note text wrapped at NOTE_WIDTH: Mermaid draws a note as one line unless told `<br/>`."""
    return "<br/>".join(wrap(text(s), NOTE_WIDTH))


def _changes(changed: tuple[tuple[str, str], ...]) -> str:
    """`name = value, ...` wrapped between assignments, never inside one."""
    rows: list[str] = []
    for item in (text(f"{n} = {v}") for n, v in changed):
        if rows and len(rows[-1]) + 2 + len(item) <= NOTE_WIDTH:
            rows[-1] += ", " + item
        else:
            rows.append(item)
    return ",<br/>".join(rows)


def ident(context: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", context).strip("_")


def render(ts: TransitionSystem, trace: Trace, prop: str | None, ctx: ExportContext) -> str:
    cols = contexts(ts, trace) + ([MODULE] if uses_module(ts, trace) else [])
    if not cols:
        cols = [ts.name]
    lines = ["sequenceDiagram", f"  title {text(f'{ts.name}: {prop} violated' if prop else ts.name)}"]
    lines += [f"  participant {ident(c)} as {text(c)}" for c in cols]
    span = f"{ident(cols[0])},{ident(cols[-1])}" if len(cols) > 1 else ident(cols[0])
    lines.append(f"  Note over {span}: state 0 (initial)")
    if trace.loop == 0 and trace.depth > 0:
        lines.append(f"  loop {loop_note(0)}")
    for s in steps(ts, trace):
        a, lab = ident(s.context), s.action.label
        msg = text(f"{s.index}. {lab.transition}({', '.join(x.render() for x in lab.args)})")
        if s.action.call:
            lines.append(f"  {a}->>{ident(MODULE)}: {msg} {text(s.action.call)}")
            lines.append(f"  {ident(MODULE)}-->>{a}: {text(s.status or '')}")
        else:
            lines.append(f"  {a}->>{a}: {msg}")
        if s.changed:
            lines.append(f"  Note right of {a}: {_changes(s.changed)}")
        if trace.loop == s.index and s.index < trace.depth:
            lines.append(f"  loop {loop_note(s.index)}")
    if trace.loop is not None:
        if trace.loop == trace.depth:
            lines.append(f"  Note over {span}: {loop_note(trace.loop)} (the last state repeats)")
        else:
            lines.append("  end")
    if prop:
        doc = " ".join(prop_doc(ts, prop).split())
        lines.append(f"  Note over {span}: " + note_text(f"VIOLATED {prop}" + (f": {doc}" if doc else "")))
    lines.append(f"  %% reproduce: {reproduce_command(ts, prop, ctx)}")
    return "\n".join(lines) + "\n"
