"""`stutter: true` (NOTE(stutter) in checker/explicit/liveness.py): every state may stutter, as
in TLA+, so only fairness makes a behaviour move on; explicit search, both BMC lasso encodings and
replay agree (generated systems: tests/test_engines_agree.py draws stutter with fairness groups)."""

from __future__ import annotations

import pytest

from checker.core.budget import Budget
from checker.core.verdict import HoldsUpTo, Proved, Violated
from checker.explicit.search import explore
from checker.smt import bmc
from checker.smt.encode import EncodingOptions
from checker.traces.replay import ReplayError, validate
from model.load import load_text

SPEC = """
spec: walk
STUTTER
vars:
  x: {type: "0..2", init: 0}
machines:
  m:
    states: [s]
    init: s
    FAIR
    transitions:
      up: {guard: "x < 2", effect: {x: "x + 1"}}
properties:
  arrives:
    eventually: "x == 2"
  deadlock:
    expect: violated
"""


@pytest.mark.parametrize(("stutter", "fair", "verdict", "labels"), [
    ("", "", Proved, None),                          # no stuttering: up is the only way on
    ("stutter: true", "", Violated, ()),             # TLA+: may stop at once
    ("stutter: true", "fair: weak", Proved, None),
    ("stutter: false", "", Proved, None),
])
def test_stuttering_needs_fairness_to_move_on(stutter: str, fair: str, verdict: type,
                                              labels: tuple[str, ...] | None) -> None:
    [ts] = load_text(SPEC.replace("STUTTER", stutter).replace("FAIR", fair), "walk.yaml")
    assert ts.stutter == (stutter == "stutter: true")
    r = explore(ts)
    v = r.verdict("arrives")
    assert isinstance(v, verdict)
    assert isinstance(r.verdict("deadlock"), Violated)    # deadlock is about enabled steps only
    for lasso in ("incremental", "quadratic"):
        b = bmc.check(ts, "arrives", Budget(max_depth=4, seed=0), options=EncodingOptions(lasso=lasso))
        assert isinstance(b, Violated if verdict is Violated else HoldsUpTo)
        if isinstance(b, Violated):
            validate(ts, b.trace, "arrives")
    if isinstance(v, Violated):
        assert (v.trace.labels(ts), v.trace.loop) == (labels, 0)
        validate(ts, v.trace, "arrives")
        [plain] = load_text(SPEC.replace("STUTTER", "").replace("FAIR", fair), "walk.yaml")
        with pytest.raises(ReplayError):     # without stutter: true, x = 0 cannot stay forever
            validate(plain, v.trace, "arrives")
