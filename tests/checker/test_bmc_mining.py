"""BMC on specs without lemmas (NOTE(bmc-mining) in checker/smt/base.py): mined lemmas once the
solver has worked enough, with the same verdicts and shortest depths; and the per-step encoding
size of the unrolling, pinned as a count (bench/README.md, "BMC on the filter lock")."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.core.budget import Budget
from checker.core.verdict import HoldsUpTo, Violated
from checker.explicit.search import explore
from checker.smt import base, bmc
from checker.smt.encode import Encoding, EncodingOptions
from checker.smt.houdini import houdini, strengthen
from checker.smt.unroll import Path as Unrolled
from checker.smt.unroll import dag_size, step_size
from model.load import load_spec

ROOT = Path(__file__).resolve().parents[2]
WORK = 50_000_000   # per z3 call: no clock, so mining finishes (or not) alike on every machine


@pytest.mark.parametrize("spec,ints,size", [
    ("bench/specs/filter.yaml", "bv", 287), ("bench/specs/filter.yaml", "int", 282),
    ("bench/specs/mcs.yaml", "bv", 310), ("bench/specs/mcs.yaml", "int", 304),
])
def test_step_size(spec: str, ints: str, size: int) -> None:
    """One step of the unrolling of the 3-process locks: a few hundred distinct subterms, as a
    count that changes only when the encoding does (one if-then-else per slot, NOTE(transition))."""
    [ts] = load_spec(ROOT / spec)
    assert step_size(Encoding(ts, EncodingOptions(ints=ints))) == size


def test_unrolling_grows_by_the_same_size_every_step() -> None:
    """Each step adds one copy of the step (its transition and its pre-state's domain), never
    more: the formula grows linearly with the depth (templates instantiated, NOTE(templates))."""
    [ts] = load_spec(ROOT / "bench/specs/filter.yaml")
    path = Unrolled(Encoding(ts, EncodingOptions(ints="int")), Budget(), "", from_init=True)
    added = []
    for _ in range(6):
        before = len(path.solver.assertions())
        path.extend()
        added.append(sum(dag_size(a) for a in path.solver.assertions()[before:]))
    assert added == [348] * 6


@pytest.mark.parametrize("spec,prop,depth", [("bench/specs/filter.yaml", "mutex", None),
                                             ("specs/examples/peterson.yaml", "mutex", 6)])
def test_mined_lemmas_keep_verdicts_and_depths(spec: str, prop: str, depth: int | None,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Mining from the first query on (N=2 filter lock; Peterson's turn_first mutant, violated
    at depth 6): lemmas are used, and the verdict and shortest depth are the explicit search's."""
    monkeypatch.setattr(base, "MINE_AFTER_WORK", 0)
    ts = next(t for t in load_spec(ROOT / spec, ("N=2",) if "filter" in spec else ())
              if t.variant in (None, "turn_first"))
    v = bmc.check(ts, prop, Budget(max_depth=12, rlimit=WORK))
    assert dict(v.provenance.stats).get("mined", 0) > 0
    want = explore(ts, budget=Budget()).verdict(prop)
    if depth is None:
        assert isinstance(v, HoldsUpTo) and v.depth == 12 and not isinstance(want, Violated)
    else:
        assert isinstance(v, Violated) and isinstance(want, Violated)
        assert v.trace.depth == want.trace.depth == depth


def test_no_mining_below_the_work_threshold() -> None:
    """A cheap run never mines: Peterson's mutex to depth 30 stays below MINE_AFTER_WORK."""
    ts = next(t for t in load_spec(ROOT / "specs/examples/peterson.yaml") if t.variant == "peterson")
    v = bmc.check(ts, "mutex", Budget(max_depth=30, rlimit=WORK))
    assert isinstance(v, HoldsUpTo) and v.depth == 30 and "mined" not in dict(v.provenance.stats)


@pytest.mark.slow
def test_filter_lock_to_depth_30() -> None:
    """Issue 20: BMC to depth 30 on the filter lock N=3 (out of reach in 100 s before mining;
    about 12 s of CPU with it), every property holding; and its 23-step bug found at depth 23."""
    [ts] = load_spec(ROOT / "bench/specs/filter.yaml")
    vs = bmc.check_all(ts, [p.name for p in ts.properties], Budget(max_depth=30, rlimit=WORK))
    assert [(type(v), getattr(v, "depth", None)) for v in vs] == [(HoldsUpTo, 30)] * 4
    assert all(dict(v.provenance.stats).get("mined", 0) > 0 for v in vs)
    [bug] = load_spec(ROOT / "bench/specs/filter_bug.yaml")
    v = bmc.check(bug, "mutex", Budget(max_depth=30, rlimit=WORK))
    assert isinstance(v, Violated) and v.trace.depth == 23


def test_mining_is_cut_at_its_bound_on_rounds() -> None:
    """NOTE(mining-cut): on the MCS lock with a stale link mining does not finish (1,240 rounds,
    70 s of CPU, unbounded); bounded by 25 rounds it is cut there and ends as plain Houdini, in
    exactly the same rounds and lemmas under any load (counts, no clock), closing no target.
    What it returns is inductive: a fresh Houdini run keeps every lemma, weakening none."""
    [ts] = load_spec(ROOT / "bench/specs/mcs_bug.yaml")
    targets = [p for p in ts.properties if p.expect == "holds"]
    got = strengthen(ts, targets, Budget(rlimit=WORK), max_rounds=25)
    assert (got.reason, got.cut, got.closed, got.rounds, len(got.lemmas)) == (None, True, (), 66, 20)
    again = houdini(ts, list(got.lemmas), Budget(rlimit=WORK))
    assert again.reason is None and again.weakened == 0 and set(again.lemmas) == set(got.lemmas)


def test_a_cut_that_runs_out_of_time_gives_nothing() -> None:
    """A cut is no licence to return unproved candidates: stopped by its budget (here z3's work
    limit per call, hit at once) it returns no lemmas and why, like any unfinished run."""
    [ts] = load_spec(ROOT / "bench/specs/mcs_bug.yaml")
    targets = [p for p in ts.properties if p.expect == "holds"]
    got = strengthen(ts, targets, Budget(rlimit=1), max_rounds=25)
    assert got.lemmas == () and got.closed == () and got.reason is not None and not got.cut


def test_the_bound_on_rounds_keeps_what_mining_finds() -> None:
    """BMC's bound (base.MINE_ROUNDS) leaves room for the locks mining helps: the MCS lock
    N=3 is strengthened in 168 rounds, every holding property closed, as without a bound."""
    [ts] = load_spec(ROOT / "bench/specs/mcs.yaml")
    targets = [p for p in ts.properties if not p.temporal]
    got = strengthen(ts, targets, Budget(rlimit=WORK), max_rounds=base.MINE_ROUNDS)
    assert got.reason is None and got.rounds == 168 and len(got.lemmas) == 408
    assert got.closed == ("mutex", "owner_is_queued", "deadlock", "range")


@pytest.mark.slow
def test_mcs_stale_link_deadlock_at_depth_22() -> None:
    """Issue 20: BMC finds the MCS lock's 22-step deadlock (bench/specs/mcs_bug.yaml) at exactly
    depth 22, the explicit search's shortest; its mining is cut at its bound on rounds
    (NOTE(mining-cut)) and the 64 lemmas left are used from then on."""
    [ts] = load_spec(ROOT / "bench/specs/mcs_bug.yaml")
    v = bmc.check(ts, "deadlock", Budget(max_depth=30, rlimit=WORK))
    assert isinstance(v, Violated) and v.trace.depth == 22
    assert dict(v.provenance.stats)["mined"] == 64
