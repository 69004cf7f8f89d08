"""Nested maps, machine-local maps and key-dependent initial values (NOTE(key-paths) in
model/ir.py), on tests/specs/alloc_nested.yaml: exact state counts against an enumeration
written directly in Python, every engine's verdicts and shortest depths, symmetry reduction to
the exact number of orbits, and the ITF round trip of a map of maps."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from checker.core.budget import Budget
from checker.core.verdict import HoldsUpTo, Proved, Violated
from checker.explicit.search import explore
from checker.export import render
from checker.smt import bmc, pdr
from checker.traces import itf_read
from checker.traces.context import ExportContext
from checker.traces.replay import validate
from model.load import load_spec
from tests.oracle import bfs_count

SPEC = Path(__file__).resolve().parent / "specs" / "alloc_nested.yaml"
HOLDS = ("exclusive", "free_iff_ungranted", "busy_holds_one", "deadlock", "range")

State = tuple[tuple[int, ...], tuple[tuple[bool, ...], ...], tuple[tuple[bool, ...], ...], tuple[bool, ...]]


def _set(t: tuple, i: int, v: object) -> tuple:  # type: ignore[type-arg]
    return (*t[:i], v, *t[i + 1:])


def _oracle(c: int, r: int) -> tuple[State, object]:
    """The spec's semantics written out by hand: (pc per client, want[c][r], grant[c][r], free[r])."""
    init: State = ((0,) * c, tuple(tuple(k == 0 for k in range(r)) for _ in range(c)),
                   tuple((False,) * r for _ in range(c)), (True,) * r)

    def succ(s: State):  # type: ignore[no-untyped-def]
        pc, want, grant, free = s
        for x, k in itertools.product(range(c), range(r)):
            if pc[x] == 0 and not want[x][k]:                                    # ask
                yield pc, _set(want, x, _set(want[x], k, True)), grant, free
            if pc[x] == 0 and want[x][k] and free[k]:                           # take
                yield (_set(pc, x, 1), _set(want, x, _set(want[x], k, False)),
                       _set(grant, x, _set(grant[x], k, True)), _set(free, k, False))
            if pc[x] == 1 and grant[x][k]:                                      # give
                yield _set(pc, x, 0), want, _set(grant, x, _set(grant[x], k, False)), _set(free, k, True)
    return init, succ


def _orbits(c: int, r: int) -> int:
    """Reachable states up to renaming the clients: the least image under every permutation."""
    init, succ = _oracle(c, r)

    def canon(s: State) -> State:
        pc, want, grant, free = s
        return min((tuple(pc[p] for p in perm), tuple(want[p] for p in perm), tuple(grant[p] for p in perm), free)
                   for perm in itertools.permutations(range(c)))
    return bfs_count(canon(init), lambda s: {canon(t) for t in succ(s)})[0]  # type: ignore[arg-type]


def one(c: int, r: int):  # type: ignore[no-untyped-def]
    (ts,) = load_spec(SPEC, (f"C={c}", f"R={r}"), None)
    return ts


@pytest.mark.parametrize(("c", "r"), [(1, 1), (2, 2), (3, 2), (2, 3)])
@pytest.mark.parametrize("backend", ["vector", "state"])
def test_counts_match_a_hand_enumeration(c: int, r: int, backend: str) -> None:
    ts = one(c, r)
    init, succ = _oracle(c, r)
    states, transitions = bfs_count(init, succ)
    full = explore(ts, symmetry=False, backend=backend)
    assert (full.states, full.transitions) == (states, transitions)
    reduced = explore(ts, backend=backend)
    assert reduced.states == _orbits(c, r)
    for res in (full, reduced):
        assert all(isinstance(res.verdict(p), Proved) for p in HOLDS)


def test_exact_counts_and_depths() -> None:
    # pinned, so that a change in the oracle shows too: C=2, R=2 has 56 states, 30 orbits
    ts = one(2, 2)
    assert (explore(ts, symmetry=False).states, explore(ts).states) == (56, 30)
    v = explore(ts).verdict("never_all_granted")
    # client a takes resource 0; client b asks for resource 1 and takes it
    assert isinstance(v, Violated) and v.trace.depth == 3
    validate(ts, v.trace, "never_all_granted")


def test_smt_engines_agree() -> None:
    ts = one(2, 2)
    budget = Budget(max_depth=8, rlimit=20_000_000, seed=0)
    v = bmc.check(ts, "never_all_granted", budget)
    assert isinstance(v, Violated) and v.trace.depth == 3
    validate(ts, v.trace, "never_all_granted")
    for p in ("exclusive", "free_iff_ungranted"):
        assert isinstance(bmc.check(ts, p, budget), HoldsUpTo)
        assert isinstance(pdr.check(ts, p, budget), Proved)


def test_names_show_every_key() -> None:
    ts = one(2, 2)
    names = [v.name for v in ts.vars]
    assert names[:4] == ["grant[0][0]", "grant[0][1]", "grant[1][0]", "grant[1][1]"]
    assert "client[1].want[0]" in names
    # the key-dependent initial value: every client wants resource 0 only
    assert [ts.init_values[ts.slot(f"client[{c}].want[{k}]")] for c in (0, 1) for k in (0, 1)] == [
        (True,), (False,), (True,), (False,)]


def test_itf_is_a_map_of_maps_and_reads_back() -> None:
    ts = one(2, 2)
    v = explore(ts).verdict("never_all_granted")
    assert isinstance(v, Violated)
    text = render("itf", ts, v.trace, "never_all_granted", ExportContext())
    last = json.loads(text)["states"][-1]
    b = {"#bigint": "1"}
    zero = {"#bigint": "0"}
    # client 1 took resource 0 and client 0 resource 1 (the search's first shortest trace)
    assert last["grant"] == {"#map": [[zero, {"#map": [[zero, False], [b, True]]}],
                                      [b, {"#map": [[zero, True], [b, False]]}]]}
    assert last["client.want"]["#map"][0] == [zero, {"#map": [[zero, True], [b, False]]}]
    back = itf_read.to_trace(itf_read.read_itf(text, "t.itf.json"), ts)
    assert back.states == v.trace.states and back.actions == v.trace.actions
