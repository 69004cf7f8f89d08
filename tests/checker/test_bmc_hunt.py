"""PDR's BMC phase, `bmc.hunt` (NOTE(bmc-hunt)): depths in passes of growing work, a violation
found past depths left undecided, and what a stopped z3 solver may no longer be trusted with
(NOTE(settle) in checker/smt/solver.py, NOTE(stopped-solver) in checker/smt/base.py). The
generated-systems check is `_hunt_agrees` in tests/test_engines_agree.py."""

from __future__ import annotations

from dataclasses import replace

import pytest

from checker.core.budget import Budget
from checker.core.outcome import describe
from checker.core.verdict import HoldsUpTo, Violated
from checker.smt import bmc, pdr
from checker.traces.replay import validate
from model.load import load_spec

QUEUE = "specs/examples/queue.yaml"


@pytest.mark.parametrize(("work", "refuted", "shown"), [
    (1, 0, "VIOLATED at depth 2 (pdr:bmc; maybe not the shortest: depth 1 undecided)"),
    (1_000, 1, "VIOLATED at depth 2 (pdr:bmc)"), (3_000, 1, "VIOLATED at depth 2 (pdr:bmc)"),
    (2_000_000, 1, "VIOLATED at depth 2 (pdr:bmc)")])
def test_small_work_limits_find_the_real_violation(work: int, refuted: int, shown: str) -> None:
    """Stopped at 1,000-3,000 units while bit-blasting, z3's solver kept half-translated
    assertions: the next model broke the initial state (a replay failure, exit 4) or the check
    said `sat.giveup`. With the assertions settled first, every limit finds the 2-step trace."""
    (ts,) = load_spec(QUEUE, (), None)
    v = bmc.hunt(ts, "never_full", Budget(max_depth=4, seed=0), "pdr:bmc", work=work)
    assert isinstance(v, Violated) and v.trace.depth == 2, v
    validate(ts, v.trace, "never_full")
    assert dict(v.provenance.stats)["refuted_to"] == refuted   # work 1: depth 1 answered after a stop
    assert describe(v) == shown


def test_a_holding_property_is_bounded_never_more() -> None:
    (ts,) = load_spec(QUEUE, (), None)
    v = bmc.hunt(ts, "count_matches", Budget(max_depth=5, seed=0), "pdr:bmc")
    assert isinstance(v, HoldsUpTo) and v.depth == 5 and v.stopped is None, v


def test_the_verdict_names_the_depths_left_undecided() -> None:
    (ts,) = load_spec(QUEUE, (), None)
    v = bmc.hunt(ts, "never_full", Budget(max_depth=4, seed=0), "pdr:bmc")
    assert isinstance(v, Violated)
    none = replace(v, provenance=replace(v.provenance, stats=(("refuted_to", -1),)))
    assert describe(none) == "VIOLATED at depth 2 (pdr:bmc; maybe not the shortest: depths 0-1 undecided)"


@pytest.mark.slow
def test_pdr_finds_the_mcs_locks_22_step_deadlock() -> None:
    """Issue 20: BMC refuting depths 14-21 took 65-190 s of CPU; the hunt leaves them undecided
    and finds the deadlock at 22 in about 16 s of CPU (bounded here by work, not time)."""
    (ts,) = load_spec("bench/specs/mcs_bug.yaml", (), None)
    v = bmc.hunt(ts, "deadlock", Budget(max_depth=30, seed=0), "pdr:bmc")
    assert isinstance(v, Violated) and v.trace.depth == 22, v
    validate(ts, v.trace, "deadlock")
    assert dict(v.provenance.stats)["refuted_to"] < 21


def test_pdr_reports_its_bmc_phase() -> None:
    """Spacer with too little work per frame: the phase after it is the hunt, named pdr:bmc."""
    (ts,) = load_spec(QUEUE, (), None)
    v = pdr.check(ts, "never_full", Budget(max_depth=4, seed=0))
    assert isinstance(v, Violated) and v.trace.depth == 2, v


def test_an_undecided_depth_past_the_violation_claims_nothing() -> None:
    """Found by the differential test with 2,000 systems: a depth left undecided in an earlier
    pass and deeper than the violation a later pass found made `refuted_to` claim the
    violation's own depth refuted (a depth-1 trace with refuted_to 1)."""
    (ts,) = load_spec(QUEUE, (), None)
    v = bmc.hunt(ts, "never_full", Budget(max_depth=4, seed=0), "pdr:bmc", work=2_000_000)
    assert isinstance(v, Violated) and v.trace.depth == 2
    assert dict(bmc._hunted(v, [3, 4]).provenance.stats)["refuted_to"] == 1
    assert dict(bmc._hunted(v, [1, 4]).provenance.stats)["refuted_to"] == 0
    assert describe(bmc._hunted(v, [3])) == "VIOLATED at depth 2 (pdr:bmc)"
