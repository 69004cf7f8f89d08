"""The example specs: exact state counts, verdicts and shortest-trace lengths, checked by hand
and by small independent enumerations written directly in Python (not through seamcheck)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from checker.core.verdict import Proved, Violated
from checker.explicit.search import explore
from checker.traces.replay import validate
from model.load import load_spec
from tests.oracle import bfs_count

SPECS = Path(__file__).resolve().parent.parent / "specs" / "examples"


def one(name: str, *params: str, variant: str | None = None):  # type: ignore[no-untyped-def]
    systems = load_spec(SPECS / name, params, variant)
    assert len(systems) == 1
    return systems[0]


# ---- counter: count 0..MAX, N incrementers, one resetter --------------------------------------

@pytest.mark.parametrize(("n", "mx"), [(1, 1), (2, 3), (3, 5)])
def test_counter_counts(n: int, mx: int) -> None:
    ts = one("counter.yaml", f"N={n}", f"MAX={mx}", f"LIMIT={mx}")
    r = explore(ts)
    # by hand: states are the values 0..MAX; each value below MAX has N increments, MAX one reset
    assert (r.states, r.transitions, r.diameter) == (mx + 1, n * mx + 1, mx)
    assert isinstance(r.verdict("below_limit"), Proved)
    never_two = r.verdict("never_two")
    if mx >= 2:
        assert isinstance(never_two, Violated) and never_two.trace.depth == 2
    else:
        assert isinstance(never_two, Proved)


def test_counter_limit_below_max_is_violated_at_depth_limit_plus_one() -> None:
    ts = one("counter.yaml", "MAX=5", "LIMIT=3")
    v = explore(ts).verdict("below_limit")
    assert isinstance(v, Violated) and v.trace.depth == 4
    validate(ts, v.trace, "below_limit")


# ---- Peterson ----------------------------------------------------------------------------------

def peterson_succ(s):  # type: ignore[no-untyped-def]
    """Independent model: s = (pc0, pc1, turn, flag0, flag1); pcs 0 idle 1 want 2 wait 3 crit."""
    pcs, turn, flags = list(s[:2]), s[2], list(s[3:])
    for p in (0, 1):
        o = 1 - p
        np_, nt, nf = list(pcs), turn, list(flags)
        if pcs[p] == 0:
            np_[p], nf[p] = 1, True
        elif pcs[p] == 1:
            np_[p], nt = 2, o
        elif pcs[p] == 2 and (not flags[o] or turn == p):
            np_[p] = 3
        elif pcs[p] == 3:
            np_[p], nf[p] = 0, False
        else:
            continue
        yield (np_[0], np_[1], nt, nf[0], nf[1])


def test_peterson_counts_match_independent_model() -> None:
    ts = one("peterson.yaml", variant="peterson")
    r = explore(ts)
    assert (r.states, r.transitions) == bfs_count((0, 0, 0, False, False), peterson_succ) == (20, 34)
    assert isinstance(r.verdict("mutex"), Proved)
    assert isinstance(r.verdict("deadlock"), Proved)


def test_peterson_mutants() -> None:
    flag_only = explore(one("peterson.yaml", variant="flag_only"))
    d = flag_only.verdict("deadlock")
    assert isinstance(d, Violated) and d.trace.depth == 4
    turn_first = one("peterson.yaml", variant="turn_first")
    r = explore(turn_first)
    m = r.verdict("mutex")
    assert isinstance(m, Violated) and m.trace.depth == 6
    validate(turn_first, m.trace, "mutex")
    assert r.states == 32


# ---- dining philosophers ------------------------------------------------------------------------

def dining_count(n: int, ordered: bool) -> tuple[int, int]:
    """Independent model: per philosopher 0 thinking, 1 one fork, 2 eating; forks derived."""
    def forks(p: int) -> tuple[int, int]:
        left, right = p, (p + 1) % n
        return (right, left) if ordered and p == n - 1 else (left, right)

    def held(s: tuple[int, ...]) -> set[int]:
        out: set[int] = set()
        for p, st in enumerate(s):
            f1, f2 = forks(p)
            out |= {f1} if st == 1 else ({f1, f2} if st == 2 else set())
        return out

    def succ(s):  # type: ignore[no-untyped-def]
        h = held(s)
        for p, st in enumerate(s):
            f1, f2 = forks(p)
            if (st == 0 and f1 not in h) or (st == 1 and f2 not in h) or st == 2:
                yield s[:p] + ((st + 1) % 3,) + s[p + 1:]
    return bfs_count((0,) * n, succ)


@pytest.mark.parametrize("n", [2, 3, 4, 5])
@pytest.mark.parametrize("variant", ["naive", "ordered"])
def test_dining_counts_match_independent_model(n: int, variant: str) -> None:
    ts = one("dining.yaml", f"N={n}", variant=variant)
    r = explore(ts)
    assert (r.states, r.transitions) == dining_count(n, variant == "ordered")
    d = r.verdict("deadlock")
    if variant == "naive":
        # by hand: everybody picks up the left fork, one step each
        assert isinstance(d, Violated) and d.trace.depth == n
    else:
        assert isinstance(d, Proved)
    assert isinstance(r.verdict("neighbours_never_eat_together"), Proved)


def test_dining_naive_three_has_fourteen_states() -> None:
    # by hand: cyclic words over {T, O, E} of length 3 in which E is followed by T: trace(M^3) = 14
    assert explore(one("dining.yaml", "N=3", variant="naive")).states == 14


# ---- determinism -------------------------------------------------------------------------------

def test_explicit_is_deterministic() -> None:
    runs = [explore(one("dining.yaml", "N=4", variant="naive")) for _ in range(2)]
    a, b = runs
    assert (a.states, a.transitions, a.coverage) == (b.states, b.transitions, b.coverage)
    ta, tb = (r.verdict("deadlock").trace for r in runs)  # type: ignore[union-attr]
    assert ta == tb


def test_every_example_action_fires() -> None:
    for name in ("counter.yaml", "peterson.yaml", "dining.yaml"):
        for ts in load_spec(SPECS / name):
            r = explore(ts)
            never = [c.action for c in r.coverage if c.enabled == 0]
            assert not never, (name, ts.variant, never)


def test_initial_states_product() -> None:
    from checker.core.semantics import initial_states
    ts = load_spec(SPECS / "counter.yaml")[0]
    assert initial_states(ts) == [tuple(v[0] for v in ts.init_values)]
    assert list(itertools.product(*ts.init_values)) == initial_states(ts)
