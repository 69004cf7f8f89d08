"""Liveness on the vector backend (checker/explicit/vector_live.py) against the reference
(checker/explicit/liveness.py over the one-state search's edge lists): the same verdicts and the
very same lassos (states, actions, loop index), on every shipped spec with a temporal property,
on TDX teardown at its smallest size, and on generated systems with weak and strong fairness,
complete or cut at a depth bound. Every lasso is also replayed (checker/traces/replay.py)."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.core.budget import Budget
from checker.core.verdict import Violated, kind_of
from checker.explicit.liveness import Fairness
from checker.explicit.search import explore
from checker.explicit.vector_live import Csr, Groups, components, fair_components, reach
from checker.traces.replay import validate
from model.ir import TransitionSystem
from model.load import load_spec
from tests.gen_ir import live_systems

ROOT = Path(__file__).resolve().parents[2]
LIVE_SPECS = [ROOT / "specs" / "examples" / f for f in ("spinlock.yaml", "retry.yaml")] + \
    [ROOT / "tests" / "specs" / f for f in ("chandy_misra.yaml", "rangefair.yaml", "rangelive.yaml")]


def _same(ts: TransitionSystem, budget: Budget | None = None) -> list[str]:
    """Both backends on ts's temporal properties; returns the verdict kinds (asserted equal)."""
    live = [p.name for p in ts.properties if p.temporal]
    ref = explore(ts, live, budget, backend="state")
    got = explore(ts, live, budget, backend="vector")
    assert (got.states, got.transitions, got.complete) == (ref.states, ref.transitions, ref.complete)
    kinds = []
    for v, r in zip(got.verdicts, ref.verdicts, strict=True):
        assert kind_of(v) == kind_of(r), v.prop
        if isinstance(v, Violated):
            assert isinstance(r, Violated)
            assert (v.trace.states, v.trace.actions, v.trace.loop) == (r.trace.states, r.trace.actions, r.trace.loop)
            validate(ts, v.trace, v.prop)
        kinds.append(kind_of(v))
    return kinds


def _instances(path: Path) -> list[TransitionSystem]:
    return [ts for ts in load_spec(path) if any(p.temporal for p in ts.properties)]


@pytest.mark.parametrize("path", LIVE_SPECS, ids=lambda p: p.name)
def test_shipped_specs_agree(path: Path) -> None:
    instances = _instances(path)
    assert instances
    for ts in instances:
        _same(ts)


def test_spinlock_verdicts_are_the_hand_checked_ones() -> None:
    got = {ts.variant: _same(ts) for ts in _instances(ROOT / "specs" / "examples" / "spinlock.yaml")}
    assert got == {"unfair": ["violated"], "weak": ["violated"], "strong": ["proved"]}


@pytest.mark.slow
def test_tdx_smallest_size_agrees() -> None:
    for ts in load_spec(ROOT / "specs" / "tdx" / "teardown.yaml", ("V=1", "P=2", "K=1")):
        _same(ts)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(live_systems(range_errors=True), st.sampled_from([None, 1, 2, 4]))
def test_generated_systems_agree(ts: TransitionSystem, depth: int | None) -> None:
    _same(ts, Budget(explicit_depth=depth, max_states=3_000))


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(live_systems())
def test_generated_systems_without_range_errors_agree(ts: TransitionSystem) -> None:
    _same(ts, Budget(max_states=3_000))


def _csr(n: int, edges: list[tuple[int, int, int]], off: tuple[list[int], list[int]] = ([], [])) -> Csr:
    src = np.array([e[0] for e in edges], dtype=np.int32)
    return Csr(n, np.searchsorted(src, np.arange(n + 1)).astype(np.int64),
               np.array([e[1] for e in edges], dtype=np.int32), np.array([e[2] for e in edges], dtype=np.int16),
               np.array(off[0], dtype=np.int64), np.array(off[1], dtype=np.int64))


def test_components_by_hand() -> None:
    # 0 -> 1 -> 2 -> 0 (a cycle), 2 -> 3 -> 4 -> 3 (a cycle reached from it), 5 alone, 6 -> 6
    g = _csr(7, [(0, 1, 0), (1, 2, 0), (2, 0, 0), (2, 3, 0), (3, 4, 0), (4, 3, 0), (6, 6, 0)])
    label = components(g, g.sources(), np.ones(7, dtype=bool))
    assert label[0] == label[1] == label[2] and label[3] == label[4]
    assert len({int(label[i]) for i in (0, 3, 5, 6)}) == 4
    # without state 1 the first cycle is broken: 0 and 2 are components of their own
    mask = np.ones(7, dtype=bool)
    mask[1] = False
    label = components(g, g.sources(), mask)
    assert label[1] == -1 and label[0] != label[2] and label[3] == label[4]


def test_strong_fairness_refines_a_component_by_hand() -> None:
    # states 0 <-> 1 by action 0 (unfair); state 1 also enables action 1 (strongly fair) to 2,
    # outside the region: the component {0, 1} is unfair, {0} alone has no cycle, so no fair
    # cycle; with weak fairness, 0 (where action 1 is disabled) breaks the obligation: fair
    g = _csr(3, [(0, 1, 0), (1, 0, 0), (1, 2, 1)])
    region = np.array([True, True, False])
    for kind, fair in (("strong", False), ("weak", True)):
        grp = Groups.of(Fairness(((), (0,)), {0: kind}))
        label = fair_components(grp, g, g.sources(), region)
        assert bool((label >= 0).any()) is fair, kind


@settings(max_examples=80, deadline=None, derandomize=True)
@given(st.integers(1, 40).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n),
    st.lists(st.booleans(), min_size=n, max_size=n))))
def test_components_are_networkx_components(case: tuple[int, list[tuple[int, int]], list[bool]]) -> None:
    n, edges, keep = case
    g = _csr(n, sorted((a, b, 0) for a, b in edges))
    mask = np.array(keep, dtype=bool)
    got = components(g, g.sources(), mask)
    dg = nx.DiGraph()
    dg.add_nodes_from(np.flatnonzero(mask).tolist())
    dg.add_edges_from((a, b) for a, b in edges if mask[a] and mask[b])
    want = {frozenset(c) for c in nx.strongly_connected_components(dg)}
    assert ((got >= 0) == mask).all()
    assert {frozenset(np.flatnonzero(got == lab).tolist()) for lab in set(got[mask].tolist())} == want


def test_reach_stays_inside_the_region_by_hand() -> None:
    # 0 -> 1 -> 2 -> 3 and 4 -> 2; region {1, 2, 4}: from 1 only 2 (3 is outside), never 4
    g = _csr(5, [(0, 1, 0), (1, 2, 0), (2, 3, 0), (4, 2, 0)])
    region = np.array([False, True, True, False, True])
    start = np.array([True, True, False, False, False])
    assert reach(g, start, region).tolist() == [False, True, True, False, False]


def test_the_default_engine_decides_liveness_on_the_vector_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    import checker.explicit.vector as vector
    from checker.run.engines import run_engine
    calls: list[list[str]] = []
    real = vector.find_violations

    def spy(ts, props, ex):  # type: ignore[no-untyped-def]
        calls.append([p.name for p in props])
        return real(ts, props, ex)
    monkeypatch.setattr(vector, "find_violations", spy)
    [ts] = load_spec(ROOT / "specs" / "examples" / "spinlock.yaml", (), "weak")
    got = run_engine(ts, [p.name for p in ts.properties], "explicit", Budget())
    assert calls == [["no_starvation"]]
    assert kind_of(got.verdicts[[p.name for p in ts.properties].index("no_starvation")]) == "violated"


def test_groups_stutter_and_eventually_always_go_to_the_reference_search() -> None:
    """The vector liveness judges per-transition fairness only; the rest is decided by the
    one-state reference (same verdicts), and live_unsupported says why."""
    from dataclasses import replace

    from checker.explicit.vector_live import live_unsupported
    from model.load import load_spec
    root = Path(__file__).resolve().parent.parent
    [ts] = load_spec(root / "specs" / "eventually_always.yaml")
    ea = [p.name for p in ts.properties if p.kind == "eventually_always"]
    assert ea and live_unsupported(ts, ea) == "an eventually_always property"
    assert live_unsupported(replace(ts, stutter=True), ["deadlock"]) is None    # no temporal property
    [spin] = load_spec(root.parent / "specs" / "examples" / "spinlock.yaml", (), "weak")
    assert live_unsupported(spin, ["no_starvation"]) is None
    assert live_unsupported(replace(spin, stutter=True), ["no_starvation"]) == "stutter: true"
    for t in (ts, replace(spin, stutter=True)):
        props = [p.name for p in t.properties if p.temporal]
        vec, ref = explore(t, props, backend="vector"), explore(t, props, backend="state")
        assert [kind_of(v) for v in vec.verdicts] == [kind_of(v) for v in ref.verdicts]
