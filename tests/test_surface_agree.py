"""Generated specs with a set, a record and a nested map (tests/gen_surface.py): every engine
agrees with the spec's meaning written out in Python, so the lowering of those constructs
(NOTE(sets), NOTE(records), NOTE(key-paths)) is tested on draws, not only on hand-written specs.

- both explicit backends: exactly the Python model's states, transitions and shortest violation;
- BMC (Int and bit-vector encodings): the same shortest depth, or holds to the diameter + 1;
- k-induction and PDR (a work bound, never a clock): never Proved where the model is violated,
  never Violated where it holds; every SMT counterexample replays.

SEAMCHECK_SURFACE_EXAMPLES=N draws more (40 in the normal run).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings

from checker.core.budget import Budget
from checker.core.verdict import HoldsUpTo, Proved, Violated
from checker.explicit.search import explore
from checker.smt import bmc, kind, pdr
from checker.smt.encode import EncodingOptions
from checker.traces.replay import validate
from model.load import load_text
from tests.gen_surface import Drawn, specs

EXAMPLES = int(os.environ.get("SEAMCHECK_SURFACE_EXAMPLES", "40"))
SMT_BUDGET = Budget(max_depth=6, rlimit=2_000_000, seed=0)


def _system(d: Drawn):  # type: ignore[no-untyped-def]
    [ts] = load_text(d.text, "gen_surface.yaml")
    return ts


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(specs())
def test_explicit_backends_match_the_python_model(d: Drawn) -> None:
    states, edges, bad = d.explore()
    ts = _system(d)
    for backend in ("vector", "state"):
        r = explore(ts, ["inv"], symmetry=False, backend=backend)
        v = r.verdict("inv")
        if bad is None:
            assert (r.states, r.transitions) == (states, edges), (backend, d.text)
            assert isinstance(v, Proved), (backend, v)
        else:   # the search stops once every property is violated: only the depth is exact
            assert isinstance(v, Violated) and v.trace.depth == bad, (backend, v, d.text)
            validate(ts, v.trace, "inv")


@settings(max_examples=EXAMPLES // 2, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(specs(max_n=2))
def test_smt_engines_match_the_python_model(d: Drawn) -> None:
    states, _, bad = d.explore()
    ts = _system(d)
    diameter = explore(ts, ["inv"], symmetry=False).diameter
    depth = bad if bad is not None else diameter + 1
    for ints in ("int", "bv"):
        v = bmc.check(ts, "inv", Budget(max_depth=depth, seed=0), options=EncodingOptions(ints=ints))
        if bad is None:
            assert isinstance(v, HoldsUpTo) and v.depth == depth, (ints, v, d.text)
        else:
            assert isinstance(v, Violated) and v.trace.depth == bad, (ints, v, d.text)
            validate(ts, v.trace, "inv")
    for check in (kind.check, pdr.check):
        v = check(ts, "inv", SMT_BUDGET)
        assert not isinstance(v, Violated if bad is None else Proved), (v, d.text)
        if isinstance(v, Violated):
            assert v.trace.depth == bad
            validate(ts, v.trace, "inv")
