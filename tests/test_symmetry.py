"""Symmetry reduction must not change any verdict or shortest trace length (NOTE(symmetry))."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.core.verdict import Violated, kind_of
from checker.explicit.search import explore
from checker.traces.replay import validate
from model.load import load_spec

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
