"""Kernel race diagram: one column per execution context, one row per step, at most 80 columns.

This is the picture kernel developers draw in commit messages ("CPU0 | CPU1" tables): each
machine instance (a vCPU task, say) and each singleton machine (the teardown thread) is a
column, and when a step calls an operation a `module` column shows `OPERATION -> STATUS`, the
SEAMCALL and what the TDX module returned. Under a row, `:` lines give the transition's doc or
first citation and the variables the step changed. The diagram ends with the violated property
in words and the command that reproduces it.
"""

from __future__ import annotations

from dataclasses import dataclass

from checker.traces.context import (
    MODULE,
    ExportContext,
    Step,
    contexts,
    loop_back,
    loop_note,
    params_text,
    prop_doc,
    reproduce_args,
    steps,
    uses_module,
    wrap_command,
)
from checker.traces.trace import Trace
from model.ir import TransitionSystem

WIDTH = 80
STEP_COL = 5
SEP = " | "
MIN_COL = 6
MAX_COL = 40
_BREAK_AFTER = "_,(.=/:"


@dataclass(frozen=True)
class Row:
    step: str                       # "0", "12", or "" for a continuation
    cells: tuple[str, ...]          # one per column
    notes: tuple[str, ...] = ()     # full-width lines under the row


def render(ts: TransitionSystem, trace: Trace, prop: str | None, ctx: ExportContext) -> str:
    cols = contexts(ts, trace)
    if uses_module(ts, trace):
        cols.append(MODULE)
    rows = [_initial_row(ts, trace, cols)] + [_step_row(s, cols, ctx) for s in steps(ts, trace)]
    lines = _title(ts, trace, prop)
    widths = _widths(cols, rows)
    body = _table(cols, rows, widths, trace.loop) if widths else _list(cols, rows, trace.loop)
    lines += body + _ending(ts, trace, prop, ctx)
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _title(ts: TransitionSystem, trace: Trace, prop: str | None) -> list[str]:
    what = f"{prop} violated" if prop else "trace"
    head = [f"Race: {what} in {ts.name} ({trace.depth} steps)"]
    head += wrap(f"spec: {ts.path}" + (f"  variant: {ts.variant}" if ts.variant else ""), WIDTH)
    if ts.params:
        head += wrap(f"params: {params_text(ts)}", WIDTH)
    return head + [""]


def _initial_row(ts: TransitionSystem, trace: Trace, cols: list[str]) -> Row:
    """Row 0: each context's initial control state."""
    s0 = trace.states[0]
    cells = []
    for c in cols:
        slot = _pc_slot(ts, c)
        cells.append(ts.vars[slot].sort.render(s0[slot]) if slot is not None else "")
    return Row("0", tuple(cells), ("initial state",))


def _pc_slot(ts: TransitionSystem, context: str) -> int | None:
    for m in ts.machines:
        if m.instances is None and context == m.name:
            return m.pc_slots[0]
        for i in range(m.instances or 0):
            if context == f"{m.name}[{i}]":
                return m.pc_slots[i]
    return None


def _step_row(s: Step, cols: list[str], ctx: ExportContext) -> Row:
    lab = s.action.label
    args = ", ".join(a.render() for a in lab.args)
    own_pc = f"{s.context}.pc"
    new_pc = [v for n, v in s.changed if n == own_pc]
    cell = f"{lab.transition}({args})" + (f" -> {new_pc[0]}" if new_pc else "")
    cells = tuple(cell if c == s.context else s.call_text if c == MODULE else "" for c in cols)
    notes = []
    about = _about(s, ctx)
    if about:
        notes.append(about)
    rest = [f"{n} = {v}" for n, v in s.changed if n != own_pc]
    if rest:
        notes.append(", ".join(rest))
    return Row(str(s.index), cells, tuple(notes))


def _about(s: Step, ctx: ExportContext) -> str:
    """One line about the transition: its doc abbreviated, else its first citation.

    Full docs can run to a paragraph; `seamcheck show` prints them whole.
    """
    doc = " ".join(ctx.doc(s.action.label.qualified).split())
    text = doc or (" ".join(s.action.cites[0].split()) if s.action.cites else "")
    room = WIDTH - STEP_COL - 3
    return text if len(text) <= room else text[: room - 3].rstrip() + "..."


def _widths(cols: list[str], rows: list[Row]) -> list[int] | None:
    """Column widths that fit WIDTH, or None when even MIN_COL per column does not fit."""
    budget = WIDTH - STEP_COL - len(SEP) * len(cols)
    natural = [max([len(c)] + [min(MAX_COL, len(r.cells[i])) for r in rows]) for i, c in enumerate(cols)]
    natural = [max(MIN_COL, w) for w in natural]
    if sum(natural) <= budget:
        return natural
    if MIN_COL * len(cols) > budget:
        return None
    # shrink the widest columns first, and keep whole words (status codes) while we can
    floors = [max(MIN_COL, min(w, _longest_word(cols[i], rows, i))) for i, w in enumerate(natural)]
    widths = list(natural)
    for floor in (floors, [MIN_COL] * len(widths)):
        while sum(widths) > budget:
            over = [j for j in range(len(widths)) if widths[j] > floor[j]]
            if not over:
                break
            i = max(over, key=lambda j: (widths[j], -j))
            widths[i] -= 1
    return widths


def _longest_word(header: str, rows: list[Row], i: int) -> int:
    return max([len(header)] + [len(w) for r in rows for w in r.cells[i].split(" ")])


def _table(cols: list[str], rows: list[Row], widths: list[int], loop: int | None) -> list[str]:
    header = _line("step", [c[:w] for c, w in zip(cols, widths)], widths)
    rule = "-" * STEP_COL + "".join("-+-" + "-" * w for w in widths)
    lines = [header, rule[: WIDTH]]
    for k, r in enumerate(rows):
        wrapped = [wrap(c, w) for c, w in zip(r.cells, widths)]
        height = max([1] + [len(x) for x in wrapped])
        for j in range(height):
            cells = [x[j] if j < len(x) else "" for x in wrapped]
            lines.append(_line(r.step if j == 0 else "", cells, widths))
        for note in r.notes:
            lines += _note(note)
        if loop == k:
            lines.append(_banner(loop_note(k)))
    if loop is not None:
        lines.append(_banner(loop_back(loop)))
    return lines


def _note(note: str) -> list[str]:
    """A full-width line under a row; its `:` sits in the separator column."""
    prefix = " " * STEP_COL + " : "
    return [prefix + n for n in wrap(note, WIDTH - len(prefix))]


def _line(step: str, cells: list[str], widths: list[int]) -> str:
    return f"{step:>{STEP_COL}}" + "".join(SEP + f"{c:<{w}}" for c, w in zip(cells, widths))


def _list(cols: list[str], rows: list[Row], loop: int | None) -> list[str]:
    """Too many contexts for columns: one line per acting context instead."""
    lines = []
    for k, r in enumerate(rows):
        for c, cell in zip(cols, r.cells):
            if cell:
                lines += wrap(f"{r.step:>{STEP_COL}} {c}: {cell}", WIDTH)
        for note in r.notes:
            lines += _note(note)
        if loop == k:
            lines.append(_banner(loop_note(k)))
    if loop is not None:
        lines.append(_banner(loop_back(loop)))
    return lines


def _banner(text: str) -> str:
    return f"{'~' * STEP_COL} {text} ".ljust(WIDTH, "~")[:WIDTH]


def _ending(ts: TransitionSystem, trace: Trace, prop: str | None, ctx: ExportContext) -> list[str]:
    lines = [""]
    if prop:
        lines += wrap(f"VIOLATED: {prop}: {_where(ts, trace, prop)}", WIDTH)
        doc = " ".join(prop_doc(ts, prop).split())
        if doc:
            lines += ["  " + x for x in wrap(doc, WIDTH - 2)]
    lines.append("Reproduce:")
    lines += ["  " + x for x in wrap_command(reproduce_args(ts, prop, ctx), WIDTH - 2)]
    return lines


def _where(ts: TransitionSystem, trace: Trace, prop: str) -> str:
    try:
        kind = ts.prop(prop).kind
    except KeyError:
        return "the trace ends in a violation"
    n = trace.depth
    if kind == "invariant":
        return f"the invariant is false in state {n}"
    if kind == "deadlock":
        return f"no transition is enabled in state {n}"
    if trace.loop is not None or kind in ("eventually", "always_eventually", "leads_to"):
        where = f" (the loop from state {trace.loop} repeats forever)" if trace.loop is not None else ""
        return f"an infinite run on which it fails{where}"
    if kind == "range":
        return f"step {n} stores a value outside its variable's type"
    return f"the step property fails at step {n}"


def wrap(text: str, width: int) -> list[str]:
    """Greedy wrap at spaces; a word longer than `width` breaks after `_,(.=/:` when it can."""
    lines: list[str] = []
    cur = ""
    for word in text.split(" "):
        for piece in _split_word(word, width):
            cand = f"{cur} {piece}" if cur else piece
            if len(cand) <= width:
                cur = cand
            else:
                if cur:
                    lines.append(cur)
                cur = piece
    if cur or not lines:
        lines.append(cur)
    return lines


def _split_word(word: str, width: int) -> list[str]:
    out = []
    while len(word) > width:
        cut = max((word.rfind(ch, 0, width) for ch in _BREAK_AFTER), default=-1)
        cut = cut + 1 if cut > 0 else width
        out.append(word[:cut])
        word = word[cut:]
    out.append(word)
    return out
