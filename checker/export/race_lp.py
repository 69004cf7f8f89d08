"""Per-LP race diagram (`--format race-lp`): one column per logical processor, one row per step.

The per-thread diagram (race.py) answers "who did what"; this one answers "what ran where",
the CPU0 | CPU1 table of a kernel commit message. Each step is written in the lane of the LP
it runs on, as `context.transition(args) -> new state`; its operation call (`module: OP ->
STATUS`, the SEAMCALL) in the lane the operation runs on, which differs when the step sends an
IPI (vcpu[0].migrate_flush(q=1, c=0) runs on LP1, its VP.FLUSH on LP0). Where a step runs comes
from the spec (NOTE(lanes) in model/lower.py), never from names; a step that runs on no LP (a
userspace ioctl, a kernel thread the spec does not pin) is in the last lane, `no LP`. Only LPs
on which something runs get a column. Width: as the per-thread view, at most 80 columns with
names kept whole; with too many lanes for that, one line per step.
"""

from __future__ import annotations

from checker.export.race import WIDTH, Row, call_text, ending, layout, notes, step_text, title, wrap
from checker.traces.context import ExportContext, Step, steps
from checker.traces.trace import Trace
from model.evaluate import evaluate
from model.ir import Expr, TransitionSystem
from model.sorts import NONE_VALUE


def render(ts: TransitionSystem, trace: Trace, prop: str | None, ctx: ExportContext) -> str:
    ss = steps(ts, trace)
    placed = [_place(s, trace.states[s.index - 1]) for s in ss]
    used = sorted({x for p in placed for x in p if x is not None})
    keys: list[int | None] = [*used, *([None] if any(None in p for p in placed) else [])]
    cols = [lane_name(ts, k) for k in keys]
    rows = [Row("0", ("",) * len(cols), ("initial state",))]
    rows += [_row(s, p, keys, ctx) for s, p in zip(ss, placed)]
    lines = title("Race per LP", ts, trace, prop) + _legend(ts) + [""]
    lines += layout(cols, rows, trace.loop) + ending(ts, trace, prop, ctx)
    return "\n".join(line.rstrip() for line in lines) + "\n"


def lane_name(ts: TransitionSystem, lane: int | None) -> str:
    kind = ts.lanes.name if ts.lanes is not None else "lane"
    return f"{kind}{lane}" if lane is not None else f"no {kind}"


def _legend(ts: TransitionSystem) -> list[str]:
    if ts.lanes is None:
        return wrap("lanes: the spec declares none (`lane: true` on an index set, docs/diagrams.md), "
                    "so every step is in `no lane`", WIDTH)
    n = ts.lanes.name
    return wrap(f"lanes: the {n} each step runs on (the spec's `lane:`); no {n}: on none of them", WIDTH)


def _place(s: Step, pre: tuple[int, ...]) -> tuple[int | None, int | None]:
    """(lane of the step, lane of its call); a call with no lane of its own runs on the step's."""
    lane = _value(s.action.lane, pre)
    if s.action.call is None:
        return lane, lane
    call = _value(s.action.call_lane, pre)
    return lane, call if call is not None else lane


def _value(e: Expr | None, pre: tuple[int, ...]) -> int | None:
    if e is None:
        return None
    v = evaluate(e, pre)
    return None if v == NONE_VALUE else v


def _row(s: Step, placed: tuple[int | None, int | None], keys: list[int | None], ctx: ExportContext) -> Row:
    lane, call = placed
    cells = ["" for _ in keys]
    cells[keys.index(lane)] = f"{s.context}.{step_text(s)}"
    if s.action.call:
        i = keys.index(call)
        cells[i] = "\n".join(x for x in (cells[i], call_text(s)) if x)
    return Row(str(s.index), tuple(cells), notes(s, ctx))
