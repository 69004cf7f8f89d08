"""Counterexamples the export tests share: each is (name, spec, variant, property, params).

Traces come from the explicit engine (BFS: shortest and deterministic). `lasso()` builds a loop
trace by hand, since the safety engines never return one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from checker.core.verdict import Violated
from checker.explicit.search import explore
from checker.traces.context import ExportContext, export_context
from checker.traces.trace import Trace
from model.ir import TransitionSystem
from model.load import instantiate, parse_spec, read_source

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((Path(__file__).parent / "itf_schema.json").read_text())
VERSION = "0.0.0-test"  # goldens must not change when the package version does


@dataclass(frozen=True)
class Case:
    name: str
    spec: str
    variant: str | None
    prop: str
    params: tuple[str, ...] = ()


CASES = [
    Case("counter_never_two", "specs/examples/counter.yaml", None, "never_two"),
    Case("peterson_turn_first_mutex", "specs/examples/peterson.yaml", "turn_first", "mutex"),
    Case("dining_naive_deadlock", "specs/examples/dining.yaml", "naive", "deadlock", ("N=4",)),
    Case("ops_flushdone", "tests/specs/ops.yaml", None, "flushdone_never_fails"),
    Case("lanes_flushdone", "tests/specs/lanes.yaml", None, "flushdone_succeeds"),
]
TDX_CASES = [
    Case("tdx_skip_migration_flush_S4", "specs/tdx/teardown.yaml", "mut_skip_migration_flush", "S4"),
    Case("tdx_v19_no_free_disassociate_S5", "specs/tdx/teardown.yaml", "mut_v19_no_free_disassociate", "S5"),
]


@cache
def load(case: Case) -> tuple[TransitionSystem, Trace, ExportContext]:
    """The instance, its counterexample for case.prop, and a context with a fixed version."""
    spec = parse_spec(read_source(ROOT / case.spec, case.spec))
    (ts,) = instantiate(spec, case.params, case.variant)
    v = explore(ts, [case.prop]).verdict(case.prop)
    assert isinstance(v, Violated), f"{case.name}: {case.prop} is not violated"
    ctx = export_context(spec, ts)
    return ts, v.trace, ExportContext(VERSION, ctx.docs, ctx.defaults)


@cache
def lasso() -> tuple[TransitionSystem, Trace, ExportContext]:
    """counter with MAX=3: 0 -> 1 -> 2 -> 3, and reset takes state 3 back to state 0 (loop 0)...
    shifted by one step so that the loop starts at state 1: 0 -> 1 -> 2 -> 3 -> 0 -> (1)."""
    spec = parse_spec(read_source(ROOT / "specs/examples/counter.yaml", "specs/examples/counter.yaml"))
    (ts,) = instantiate(spec)
    inc = next(i for i, a in enumerate(ts.actions) if a.label.render() == "inc[0].step()")
    reset = next(i for i, a in enumerate(ts.actions) if a.label.transition == "reset")
    s = [(c, 0, 0, 0) for c in (0, 1, 2, 3, 0)]
    trace = Trace(tuple(s), (inc, inc, inc, reset), loop=1)
    ctx = export_context(spec, ts)
    return ts, trace, ExportContext(VERSION, ctx.docs, ctx.defaults)


# The lane declarations docs/diagrams.md proposes for specs/tdx/teardown.yaml (NOTE(lanes) in
# model/lower.py): (line to find, line to insert after it). Applied only while the shipped spec
# does not declare a lane type itself, so the test keeps working once the lines are merged.
TDX_LANE_LINES = (
    ("  LP: {index: P}\n", None),
    ("    instances: VCPU\n", '    lane: "kcpu[self] if loaded(self) else none"   # a task runs on vcpu->cpu while loaded\n'),
    ("      migrate_flush:\n", "        lane: q   # resumed on q; the VP.FLUSH runs on c (IPI)\n"),
    ("      reload_migrate_flush:\n", "        lane: q\n"),
    ("      reload_put:\n", '        lane: "kcpu[w]"   # the destroying thread runs where it loaded w\n'),
)


def tdx_with_lanes() -> str:
    """specs/tdx/teardown.yaml with TDX_LANE_LINES, unless it declares a lane type already."""
    text = (ROOT / "specs/tdx/teardown.yaml").read_text()
    if "lane: true" in text:
        return text
    for anchor, extra in TDX_LANE_LINES:
        assert text.count(anchor) == 1, anchor
        if extra is None:
            text = text.replace(anchor, anchor.replace("}", ", lane: true}"))
        else:
            text = text.replace(anchor, anchor + extra)
    return text
