"""Maps of sets (NOTE(sets) in model/sets.py) on tests/specs/set_maps.yaml: `K -> set[T]` as the
nested map `K -> T -> bool`, global and machine-local, with a literal initial value for every
key: exact counts against a hand enumeration with Python frozensets on both explicit backends,
with and without symmetry, engine verdicts, traces and ITF."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from checker.core.budget import Budget
from checker.core.verdict import Proved, Violated
from checker.explicit.search import explore
from checker.export import render
from checker.export.text import render_trace
from checker.smt import bmc, pdr
from checker.traces import itf_read
from checker.traces.context import ExportContext
from checker.traces.replay import validate
from model.load import load_spec
from tests.oracle import bfs_count

SPEC = Path(__file__).resolve().parent / "specs" / "set_maps.yaml"
Sets = tuple[frozenset[int], ...]
State = tuple[Sets, Sets, tuple[tuple[frozenset[int], frozenset[int]], ...]]   # held, spare, asked


def _succ(c: int, r: int):  # type: ignore[no-untyped-def]
    def succ(s: State):  # type: ignore[no-untyped-def]
        held, spare, asked = s
        for me, x in itertools.product(range(c), range(r)):
            def at(t: tuple, v: object, me: int = me) -> tuple:  # type: ignore[type-arg]
                return (*t[:me], v, *t[me + 1:])
            early, late = asked[me]
            if all(x not in h for h in held) and len(held[me]) < 2:
                yield at(held, held[me] | {x}), spare, at(asked, (early | {x}, late | ({x} - early)))   # take
            if x in held[me]:
                yield at(held, held[me] - {x}), at(spare, spare[me] & held[me]), asked             # give
    return succ


def _init(c: int) -> State:
    e: frozenset[int] = frozenset()
    return (e,) * c, (frozenset({0}),) * c, ((e, e),) * c


def one(c: int, r: int):  # type: ignore[no-untyped-def]
    (ts,) = load_spec(SPEC, (f"C={c}", f"R={r}"), None)
    return ts


@pytest.mark.parametrize(("c", "r"), [(2, 2), (2, 3), (3, 2)])
@pytest.mark.parametrize("backend", ["vector", "state"])
def test_counts_match_a_hand_enumeration(c: int, r: int, backend: str) -> None:
    got = explore(one(c, r), symmetry=False, backend=backend)
    assert (got.states, got.transitions) == bfs_count(_init(c), _succ(c, r))
    assert [type(got.verdict(p)) for p in ("exclusive", "asked_covers_held", "never_two")] == [Proved, Proved, Violated]


@pytest.mark.parametrize(("c", "orbits"), [(2, 72), (3, 230)])
@pytest.mark.parametrize("backend", ["vector", "state"])
def test_symmetry_permutes_the_clients_with_their_sets(c: int, orbits: int, backend: str) -> None:
    init, succ = _init(c), _succ(c, 2)
    seen, todo = {init}, [init]
    while todo:
        for t in succ(todo.pop()):
            if t not in seen:
                seen.add(t)
                todo.append(t)
    def key(s: State) -> tuple:  # type: ignore[type-arg]
        held, spare, asked = s
        return tuple(sorted((tuple(sorted(h)), tuple(sorted(sp)), tuple(sorted(a)), tuple(sorted(b)))
                            for h, sp, (a, b) in zip(held, spare, asked, strict=True)))
    assert explore(one(c, 2), backend=backend).states == len({key(s) for s in seen}) == orbits


def test_engines_traces_and_itf() -> None:
    ts = one(2, 2)
    assert (explore(ts, symmetry=False).states, explore(ts).states) == (139, 72)
    assert [v.name for v in ts.vars if v.base == "held"] == ["held[0][0]", "held[0][1]", "held[1][0]", "held[1][1]"]
    v = explore(ts, symmetry=False).verdict("never_two")
    assert isinstance(v, Violated) and v.trace.depth == 2
    text = render_trace(ts, v.trace).splitlines()
    assert text[1:3] == ["  held[0] = {}", "  held[1] = {}"] and "  held[0] = {0, 1}" in text
    assert "  client[0].asked[early] = {0, 1}" in text
    budget = Budget(max_depth=4, rlimit=20_000_000, seed=0)
    b = bmc.check(ts, "never_two", budget)
    assert isinstance(b, Violated) and b.trace.depth == 2
    validate(ts, b.trace, "never_two")
    assert isinstance(pdr.check(ts, "exclusive", budget), Proved)
    itf = render("itf", ts, v.trace, "never_two", ExportContext())
    state0 = json.loads(itf)["states"][0]
    assert state0["spare"] == {"#map": [[{"#bigint": "0"}, {"#set": [{"#bigint": "0"}]}],
                                        [{"#bigint": "1"}, {"#set": [{"#bigint": "0"}]}]]}
    assert state0["client.asked"]["#map"][0][1] == {"#map": [["early", {"#set": []}], ["late", {"#set": []}]]}
    back = itf_read.to_trace(itf_read.read_itf(itf, "t.itf.json"), ts)
    assert back.states == v.trace.states
