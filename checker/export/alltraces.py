"""`check --all-traces N`: the further counterexamples of each violated property, as text, in
the JSON record, and as entries for --trace-out (NOTE(all-traces) in checker/explicit/alltraces.py).

The report prints each property's first counterexample as without --all-traces; this adds a
line saying how many were found and how many have the minimal length, then the others. For
--trace-out every trace is one more entry, so the second and later of a property get the
index suffix of checker/export/files.py (FILE.VARIANT.PROP.2.itf.json, ...).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from checker.core.verdict import Violated
from checker.export import render as render_export
from checker.export.report import Show
from checker.export.text import render_trace
from checker.traces.context import ExportContext
from checker.traces.trace import Trace
from model.ir import TransitionSystem

More = tuple[tuple[str, tuple[Trace, ...], bool], ...]
Entry = tuple[ExportContext, TransitionSystem, Violated, dict[str, object]]


def count_line(prop: str, traces: Sequence[Trace], complete: bool) -> str:
    d = traces[0].depth
    shortest = sum(1 for t in traces if t.depth == d)
    note = "" if complete else "; stopped by a limit (states, time or memory): some may be missing"
    return (f"{len(traces)} distinct counterexample{'s' if len(traces) != 1 else ''} for {prop}, "
            f"shortest first: {shortest} of the minimal length {d}{note}")


def more_text(ts: TransitionSystem, more: More, show: Show, ctx: ExportContext) -> str:
    """One count line per property; with traces shown, the further counterexamples below it
    (a blank line between properties then, as between the report's counterexamples)."""
    blocks: list[list[str]] = []
    for prop, traces, complete in more:
        block = [f"  {count_line(prop, traces, complete)}"]
        for k, t in enumerate(traces[1:], start=2) if show.counterexamples == "all" else ():
            block += ["", f"  Counterexample {k} for {prop} ({t.depth} steps):"]
            text = (render_trace(ts, t, prop) if show.inline_format == "text" else
                    render_export(show.inline_format, ts, t, prop, ctx))
            block += [f"    {line}" if line else "" for line in text.splitlines()]
        blocks.append(block)
    sep = [""] if show.counterexamples == "all" else []
    lines = [line for i, b in enumerate(blocks) for line in (sep if i else []) + b]
    return "\n".join(lines) + "\n\n" if lines else ""


def expand(entries: Sequence[Entry], more: More) -> list[Entry]:
    """Each violation's entry followed by one per further trace; the JSON record of the first
    lists every trace's actions."""
    by_prop = {prop: traces for prop, traces, _ in more}
    out: list[Entry] = []
    for ctx, ts, v, rec in entries:
        traces = by_prop.get(v.prop, (v.trace,))
        if v.prop in by_prop:
            rec["all_traces"] = [list(t.labels(ts)) for t in traces]
        out.append((ctx, ts, v, rec))
        out += [(ctx, ts, replace(v, trace=t), {}) for t in traces[1:]]
    return out
