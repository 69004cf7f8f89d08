"""NOTE(bmc-timeout) in checker/smt/bmc.py: the safety queries of one depth pool their fair
shares (they are refuted on one unrolling, the first of them doing most of the work), while a
lasso query keeps its own share. Fake clocks, so no wall-clock budget decides an outcome."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from checker.core.budget import Budget
from checker.core.verdict import HoldsUpTo
from checker.smt import bmc
from checker.smt.base import Unrolling
from model.load import load_spec

ROOT = Path(__file__).resolve().parents[2]
DEPTH = 8


def test_a_safety_query_may_use_the_pooled_shares(monkeypatch: pytest.MonkeyPatch) -> None:
    """Spinlock (strong): three safety properties and a lasso one under a 25 s timeout. The first
    safety query at depth 1 costs 10 s on a fake clock: more than one share (25 / 4 s), less than
    the three safety shares pooled (18.75 s); so every property reaches the bound unstopped."""
    [ts] = load_spec(ROOT / "specs/examples/spinlock.yaml", variant="strong")
    names = [p.name for p in ts.properties]
    first = next(p.name for p in ts.properties if not p.temporal)
    assert len(names) == 4 and sum(p.temporal for p in ts.properties) == 1
    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    real = Unrolling.at

    def slow(self: Unrolling, p, depth):  # type: ignore[no-untyped-def]
        if p.name == first and depth == 1:
            now[0] += 10.0
        return real(self, p, depth)
    monkeypatch.setattr(Unrolling, "at", slow)
    got = bmc.check_all(ts, names, Budget(max_depth=DEPTH, timeout_s=25))
    for name, v in zip(names, got, strict=True):
        assert isinstance(v, HoldsUpTo) and v.depth == DEPTH and v.stopped is None, (name, v)


def test_a_safety_query_stops_at_the_pooled_shares(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same query costing 20 s overruns the pooled shares (18.75 s): that property holds up
    to depth 0 and says which limit stopped it."""
    [ts] = load_spec(ROOT / "specs/examples/spinlock.yaml", variant="strong")
    names = [p.name for p in ts.properties]
    first = next(p.name for p in ts.properties if not p.temporal)
    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    real = Unrolling.at

    def slow(self: Unrolling, p, depth):  # type: ignore[no-untyped-def]
        if p.name == first and depth == 1:
            now[0] += 20.0
        return real(self, p, depth)
    monkeypatch.setattr(Unrolling, "at", slow)
    got = dict(zip(names, bmc.check_all(ts, names, Budget(max_depth=DEPTH, timeout_s=25)), strict=True))
    v = got[first]
    assert isinstance(v, HoldsUpTo) and (v.depth, v.stopped) == (0, "timeout after 18.8 s (its share of 25 s)"), v
