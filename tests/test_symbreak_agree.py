"""Differential tests of BMC's symmetry breaking (NOTE(symmetry-breaking) in checker/symmetry/focus.py)
on random specs with a symmetric index set (tests/gen_sym.py), through the whole front end:

- BMC with symmetry breaking on and off (EncodingOptions.symmetry) gives the same verdict kind
  and the same shortest depth for every property, safety and lasso alike, in one shared
  unrolling (`check_all`), as the engine runs it;
- for the safety properties both equal the explicit engine's (symmetry-reduced BFS) verdicts
  and depths;
- every counterexample replays (checker.replay.validate).

40 specs in the normal run; SEAMCHECK_SYM_EXAMPLES=N for more.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings

from checker.core.budget import Budget
from checker.core.verdict import HoldsUpTo, Proved, Verdict, Violated
from checker.explicit.search import explore
from checker.smt import bmc
from checker.smt.encode import EncodingOptions
from checker.symmetry.automorphism import automorphisms
from checker.traces.replay import validate
from model.ir import TransitionSystem
from model.load import load_text
from tests.gen_sym import symmetric_specs

EXAMPLES = int(os.environ.get("SEAMCHECK_SYM_EXAMPLES", "40"))
MAX_STATES = 3_000
LIVE_DEPTH = 6


def _shape(v: Verdict) -> tuple[str, int | None]:
    return type(v).__name__, v.trace.depth if isinstance(v, Violated) else getattr(v, "depth", None)


def _bmc(ts: TransitionSystem, props: list[str], depth: int, symmetry: bool) -> dict[str, Verdict]:
    vs = bmc.check_all(ts, props, Budget(max_depth=depth, seed=0), options=EncodingOptions(symmetry=symmetry))
    for v in vs:
        if isinstance(v, Violated):
            validate(ts, v.trace, v.prop)
    return {v.prop: v for v in vs}


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(symmetric_specs())
def test_symmetry_breaking_changes_no_verdict_and_no_depth(text: str) -> None:
    [ts] = load_text(text)
    assert automorphisms(ts)        # the generated specs are symmetric, and found to be
    safety = [p.name for p in ts.properties if not p.temporal]
    ref = explore(ts, safety, Budget(max_states=MAX_STATES))
    if not ref.complete and not all(isinstance(v, Violated) for v in ref.verdicts):
        return
    depth = max([ref.diameter + 1, LIVE_DEPTH, *(v.trace.depth for v in ref.verdicts if isinstance(v, Violated))])
    names = [p.name for p in ts.properties]
    on, off = _bmc(ts, names, depth, True), _bmc(ts, names, depth, False)
    for name in names:
        assert _shape(on[name]) == _shape(off[name]), (name, on[name], off[name], text)
    for v in ref.verdicts:
        got = on[v.prop]
        if isinstance(v, Violated):
            assert isinstance(got, Violated) and got.trace.depth == v.trace.depth, (v.prop, got, v, text)
        else:
            assert isinstance(v, Proved) and isinstance(got, HoldsUpTo), (v.prop, got, text)
