"""Kernel race diagram: one column per execution context, one row per step, at most 80 columns.

This is the picture kernel developers draw in commit messages ("CPU0 | CPU1" tables): each
machine instance (a vCPU task, say) and each singleton machine (the teardown thread) is a
column, and when a step calls an operation a `module` column shows `OPERATION -> STATUS`, the
SEAMCALL and what the TDX module returned. Under a row, `:` lines give the transition's doc or
first citation and the variables the step changed. The diagram ends with the violated property
in words and the command that reproduces it. race_lp.py draws the same rows per LP.

Names stay whole (docs/diagrams.md): a cell wraps at spaces or after `,(./:[`, and no column is
narrower than its longest name; when the columns do not fit, the module column becomes each
step's first `:` line, and as a last resort every step is one line.
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
from model.ir import TEMPORAL_KINDS, TransitionSystem

WIDTH = 80
STEP_COL = 5
SEP = " | "
MIN_COL = 6
MAX_COL = 40
_BREAK_AFTER = ",(./:["


@dataclass(frozen=True)
class Row:
    step: str                       # "0", "12", or "" for a continuation
    cells: tuple[str, ...]          # one per column
    notes: tuple[str, ...] = ()     # full-width lines under the row


def render(ts: TransitionSystem, trace: Trace, prop: str | None, ctx: ExportContext) -> str:
    cols = contexts(ts, trace)
    ss = steps(ts, trace)
    body = None
    if uses_module(ts, trace):
        mcols = cols + [MODULE]
        rows = [_initial_row(ts, trace, mcols)] + [_step_row(s, mcols, ctx) for s in ss]
        body = table(mcols, rows, trace.loop)
    if body is None:   # no call, or no room for a module column: the call is the step's first note
        rows = [_initial_row(ts, trace, cols)] + [_step_row(s, cols, ctx) for s in ss]
        body = layout(cols, rows, trace.loop)
    lines = title("Race", ts, trace, prop) + body + ending(ts, trace, prop, ctx)
    return "\n".join(line.rstrip() for line in lines) + "\n"


def layout(cols: list[str], rows: list[Row], loop: int | None) -> list[str]:
    """A table of columns when whole names fit in WIDTH, else one line per acting column."""
    return table(cols, rows, loop) or _list(cols, rows, loop)


def table(cols: list[str], rows: list[Row], loop: int | None) -> list[str] | None:
    widths = _widths(cols, rows)
    return _table(cols, rows, widths, loop) if widths else None


def title(kind: str, ts: TransitionSystem, trace: Trace, prop: str | None) -> list[str]:
    what = f"{prop} violated" if prop else "trace"
    head = [f"{kind}: {what} in {ts.name} ({trace.depth} steps)"]
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
            return m.pc_slots[0] if m.pc_slots else None
        for i in range(m.instances or 0):
            if context == f"{m.name}[{i}]":
                return m.pc_slots[i]
    return None


def _step_row(s: Step, cols: list[str], ctx: ExportContext) -> Row:
    """The step in its context's column; its call in the module column, else in the first note."""
    cell = step_text(s)
    cells = tuple(cell if c == s.context else s.call_text if c == MODULE else "" for c in cols)
    folded = (call_text(s),) if s.action.call and MODULE not in cols else ()
    return Row(str(s.index), cells, folded + notes(s, ctx))


def step_text(s: Step) -> str:
    """`transition(args) -> new control state`."""
    lab = s.action.label
    args = ", ".join(a.render() for a in lab.args)
    new_pc = [v for n, v in s.changed if n == f"{s.context}.pc"]
    return f"{lab.transition}({args})" + (f" -> {new_pc[0]}" if new_pc else "")


def call_text(s: Step) -> str:
    return f"{MODULE}: {s.call_text}"


def notes(s: Step, ctx: ExportContext) -> tuple[str, ...]:
    """The `:` lines under a step: what the transition is, what else the step changed."""
    out = []
    about = _about(s, ctx)
    if about:
        out.append(about)
    rest = [f"{n} = {v}" for n, v in s.changed if n != f"{s.context}.pc"]
    if rest:
        out.append(", ".join(rest))
    return tuple(out)


def _about(s: Step, ctx: ExportContext) -> str:
    """One line about the transition: its doc abbreviated, else its first citation.

    Full docs can run to a paragraph; `seamcheck show` prints them whole.
    """
    doc = " ".join(ctx.doc(s.action.label.qualified).split())
    text = doc or (" ".join(s.action.cites[0].split()) if s.action.cites else "")
    room = WIDTH - STEP_COL - 3
    if len(text) <= room:
        return text
    cut = text.rfind(" ", 0, room - 3)   # at a space, so that no name is cut
    return text[: cut if cut > 0 else room - 3].rstrip(" ,;:.") + "..."


def _widths(cols: list[str], rows: list[Row]) -> list[int] | None:
    """Column widths that fit WIDTH, or None when the columns cannot hold their names whole.

    Each column is as wide as its longest line (at most MAX_COL) and never narrower than its
    header or its longest name (an identifier, a status code): the widest columns shrink first.
    """
    budget = WIDTH - STEP_COL - len(SEP) * len(cols)
    natural = [max([MIN_COL, len(c)] + [min(MAX_COL, len(p)) for r in rows for p in r.cells[i].split("\n")])
               for i, c in enumerate(cols)]
    floors = [max(MIN_COL, _longest_name(c, rows, i)) for i, c in enumerate(cols)]
    if sum(floors) > budget:
        return None
    widths = [max(w, f) for w, f in zip(natural, floors)]
    while sum(widths) > budget:
        i = max((j for j in range(len(widths)) if widths[j] > floors[j]), key=lambda j: (widths[j], -j))
        widths[i] -= 1
    return widths


def _longest_name(header: str, rows: list[Row], i: int) -> int:
    """The narrowest width at which wrap() splits no name of column i."""
    return max([len(header)] + [len(p) for r in rows for w in r.cells[i].split() for p in _pieces(w)])


def _table(cols: list[str], rows: list[Row], widths: list[int], loop: int | None) -> list[str]:
    header = _line("step", [c[:w] for c, w in zip(cols, widths)], widths)
    rule = "-" * STEP_COL + "".join("-+-" + "-" * w for w in widths)
    lines = [header, rule[: WIDTH]]
    for k, r in enumerate(rows):
        wrapped = [[x for par in c.split("\n") for x in wrap(par, w)] if c else [] for c, w in zip(r.cells, widths)]
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
                lines += wrap(f"{r.step:>{STEP_COL}} {c}: {'; '.join(cell.split(chr(10)))}", WIDTH)
        for note in r.notes:
            lines += _note(note)
        if loop == k:
            lines.append(_banner(loop_note(k)))
    if loop is not None:
        lines.append(_banner(loop_back(loop)))
    return lines


def _banner(text: str) -> str:
    return f"{'~' * STEP_COL} {text} ".ljust(WIDTH, "~")[:WIDTH]


def ending(ts: TransitionSystem, trace: Trace, prop: str | None, ctx: ExportContext) -> list[str]:
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
    if trace.loop is not None or kind in TEMPORAL_KINDS:
        where = f" (the loop from state {trace.loop} repeats forever)" if trace.loop is not None else ""
        return f"an infinite run on which it fails{where}"
    if kind == "range":
        return f"step {n} stores a value outside its variable's type"
    return f"the step property fails at step {n}"


def wrap(text: str, width: int) -> list[str]:
    """Greedy wrap at spaces; a word longer than `width` breaks after `,(./:[` when it can, so
    names (identifiers, status codes) stay whole; only a name longer than `width` is cut."""
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
        cut = cut + 1 if cut >= 0 else width
        out.append(word[:cut])
        word = word[cut:]
    out.append(word)
    return out


def _pieces(word: str) -> list[str]:
    """A word cut after every break character: the parts wrap() never splits further."""
    out, cur = [], ""
    for ch in word:
        cur += ch
        if ch in _BREAK_AFTER:
            out.append(cur)
            cur = ""
    return out + ([cur] if cur else [])
