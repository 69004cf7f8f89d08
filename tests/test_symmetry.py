"""Symmetry reduction must not change any verdict or shortest trace length (NOTE(symmetry))."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from checker.core.budget import Budget
from checker.core.verdict import Violated, kind_of
from checker.explicit.search import _Search, explore
from checker.symmetry.automorphism import automorphisms
from checker.symmetry.canon import Canonicalizer, full_group
from checker.traces.replay import validate
from model.load import load_spec, load_text
from tests.gen_sym import two_set_specs

SPEC = Path(__file__).resolve().parent / "specs" / "symmetric_lock.yaml"


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_symmetry_agrees_with_full_search(n: int) -> None:
    [ts] = load_spec(SPEC, (f"N={n}",))
    full, reduced = explore(ts, symmetry=False), explore(ts)
    assert reduced.symmetry == ("Proc",) and full.symmetry == ()
    # by hand: orbits are (how many idle, want, crit, with at most one crit) -> the lock is
    # determined; for N processes that is 2N + 1 states
    assert reduced.states == 2 * n + 1
    assert full.states > reduced.states
    for a, b in zip(full.verdicts, reduced.verdicts, strict=True):
        assert (a.prop, kind_of(a)) == (b.prop, kind_of(b))
        if isinstance(a, Violated):
            assert isinstance(b, Violated) and a.trace.depth == b.trace.depth
            validate(ts, b.trace, b.prop)   # the reduced search still returns a real execution


def test_liveness_switches_symmetry_off() -> None:
    spec = SPEC.read_text() + """  eventually_crit:
    eventually: "any(p[q].pc == crit for q in Proc)"
"""
    from model.load import load_text
    [ts] = load_text(spec)
    r = explore(ts)
    assert r.symmetry == ()


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(two_set_specs())
def test_two_sets_and_a_rigid_map_agree_with_full_search(text: str) -> None:
    """Two symmetric sets and a map from one into the other, permuted together (NOTE(symmetry),
    NOTE(full-group-canon)): the reduced search (both backends) gives the full search's verdicts
    and shortest lengths, its counterexamples replay, and it stores exactly one state per orbit
    of the full search's reachable states under every permutation of both sets."""
    [ts] = load_text(text)
    full = explore(ts, symmetry=False)
    reduced, one_state = explore(ts), explore(ts, backend="state")
    canon = Canonicalizer(ts)
    assert reduced.symmetry == tuple(s.name for s in canon.sets)
    assert canon.pointers == (len(canon.sets) == 2)  # with M == 1, Q is no symmetric set: greedy
    assert automorphisms(ts)                     # BMC's structural check accepts the rigid map
    assert (one_state.states, one_state.transitions) == (reduced.states, reduced.transitions)
    for a, b in zip(full.verdicts, reduced.verdicts, strict=True):
        assert (a.prop, kind_of(a)) == (b.prop, kind_of(b)), text
        if isinstance(a, Violated):
            assert isinstance(b, Violated) and a.trace.depth == b.trace.depth, text
            validate(ts, b.trace, b.prop)
    if not any(isinstance(v, Violated) for v in full.verdicts):    # complete: count the orbits
        search = _Search(ts, [p.name for p in ts.properties], Budget(), symmetry=False)
        search.run()
        group = full_group([s.size for s in canon.sets])
        assert group is not None
        orbits = {min(canon.apply(s, g) for g in group) for s in search.order}
        assert len(orbits) == reduced.states, text
