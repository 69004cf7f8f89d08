"""The kernel protocol library (specs/kernel/, docs/kernel.md): exact state counts, verdicts and
shortest counterexample lengths per variant, two of them against independent enumerations written
directly in Python, and the shortest safety counterexamples found again by BMC.

Counts are of the plain state space (symmetry off); `seamcheck check` reports the reduced count
where a spec declares a symmetric set, and test_symmetry_agrees checks both give the same verdicts.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from checker.core.budget import Budget
from checker.core.verdict import Violated
from checker.explicit.search import explore
from checker.run.runner import check
from checker.traces.replay import validate
from model.load import load_spec
from tests.oracle import bfs_count

SPECS = Path(__file__).resolve().parent.parent / "specs" / "kernel"

# (spec, variant) -> (states, transitions, diameter, {safety property: depth or "holds"},
#                     {liveness property: (lasso depth, loop start) or "holds"})
def each_cpu(prop: str, result: object, n: int = 3) -> dict[str, object]:
    """A property family `for: {c: CPU}`: one member per CPU, all with the same result here."""
    return {f"{prop}[c={c}]": result for c in range(n)}


EXPECTED = {
    ("lost_wakeup", "both_mb"): (15, 20, 5, {"no_lost_wakeup": "holds", "deadlock": "holds"},
                                 {"waiter_returns": "holds"}),
    ("lost_wakeup", "waiter_no_mb"): (24, 33, 5, {"no_lost_wakeup": 5, "deadlock": 5},
                                      {"waiter_returns": (5, 5)}),
    ("lost_wakeup", "waker_no_mb"): (34, 48, 7, {"no_lost_wakeup": 5, "deadlock": 5},
                                     {"waiter_returns": (5, 5)}),
    ("mcs_lock", "mcs"): (4696, 12726, 37, {"mutex": "holds", "queue_well_formed": "holds",
                                            "deadlock": "holds"}, each_cpu("no_starvation", "holds")),
    ("mcs_lock", "init_after_link"): (17250, 46410, 45, {"mutex": "holds", "queue_well_formed": "holds",
                                                         "deadlock": 16}, each_cpu("no_starvation", (16, 16))),
    ("mcs_lock", "no_wait_for_next"): (5920, 15384, 37, {"mutex": "holds", "queue_well_formed": "holds",
                                                         "deadlock": 13}, each_cpu("no_starvation", (13, 13))),
    ("rcu", "rcu"): (176, 447, 12, {"no_use_after_free": "holds", "deadlock": "holds"},
                     {"grace_period_ends": "holds"}),
    ("rcu", "free_early"): (187, 480, 12, {"no_use_after_free": 4, "deadlock": "holds"},
                            {"grace_period_ends": "holds"}),
    ("rcu", "gp_first"): (115, 293, 12, {"no_use_after_free": 6, "deadlock": "holds"},
                          {"grace_period_ends": "holds"}),
    ("rcu", "stuck_reader"): (176, 447, 12, {"no_use_after_free": "holds", "deadlock": "holds"},
                              {"grace_period_ends": (8, 5)}),
    ("seqlock", "seqlock"): (643, 1091, 16, {"consistent_read": "holds", "deadlock": "holds"},
                             {"reader_finishes": "holds"}),
    ("seqlock", "no_even_wait"): (1393, 2559, 16, {"consistent_read": 7, "deadlock": "holds"},
                                  {"reader_finishes": "holds"}),
    ("seqlock", "unlocked_writers"): (2167, 4475, 16, {"consistent_read": 9, "deadlock": "holds"},
                                      {"reader_finishes": "holds"}),
    ("ticket_spinlock", "generic"): (773, 2031, 36, {"mutex": "holds", "deadlock": "holds"},
                                     each_cpu("no_starvation", "holds")),
    ("ticket_spinlock", "too_few_tickets"): (379, 951, 19, {"mutex": 5, "deadlock": "holds"},
                                             each_cpu("no_starvation", (19, 1))),
    ("ticket_spinlock", "split_fetch_add"): (20357, 48315, 40, {"mutex": 6, "deadlock": 14},
                                             each_cpu("no_starvation", (20, 4))),
}


@functools.cache
def _system(spec: str, variant: str, params: tuple[str, ...] = ()):
    (ts,) = load_spec(SPECS / f"{spec}.yaml", params, variant)
    return ts


def _depths(ts, props, symmetry: bool = False):  # type: ignore[no-untyped-def]
    res = explore(ts, props, symmetry=symmetry)
    assert res.complete
    out = {}
    for v in res.verdicts:
        if isinstance(v, Violated):
            validate(ts, v.trace, v.prop)
            out[v.prop] = (v.trace.depth, v.trace.loop) if ts.prop(v.prop).temporal else v.trace.depth
        else:
            out[v.prop] = "holds"
    return res, out


def test_every_variant_is_listed() -> None:
    shipped = {(f.stem, ts.variant) for f in SPECS.glob("*.yaml") for ts in load_spec(f, (), None)}
    assert shipped == set(EXPECTED)


@pytest.mark.parametrize(("spec", "variant"), sorted(EXPECTED))
def test_counts_verdicts_and_lengths(spec: str, variant: str) -> None:
    states, transitions, diameter, safety, liveness = EXPECTED[(spec, variant)]
    ts = _system(spec, variant)
    res, got = _depths(ts, [*safety, "range"])
    assert (res.states, res.transitions, res.diameter) == (states, transitions, diameter)
    assert got == {**safety, "range": "holds"}
    assert _depths(ts, list(liveness))[1] == liveness
    for v in res.verdicts:   # the spec's own expectations say the same at its default size
        assert (ts.prop(v.prop).expect == "violated") == isinstance(v, Violated), v.prop


@pytest.mark.parametrize(("spec", "variant"), [("mcs_lock", "init_after_link"), ("seqlock", "unlocked_writers"),
                                               ("rcu", "gp_first")])
def test_symmetry_agrees(spec: str, variant: str) -> None:
    ts = _system(spec, variant)
    safety = list(EXPECTED[(spec, variant)][3])
    plain, reduced = _depths(ts, safety), _depths(ts, safety, symmetry=True)
    assert reduced[0].states < plain[0].states
    assert reduced[1] == plain[1]


@pytest.mark.parametrize(("spec", "variant", "prop", "depth"), [
    ("lost_wakeup", "waiter_no_mb", "no_lost_wakeup", 5),
    ("lost_wakeup", "waker_no_mb", "no_lost_wakeup", 5),
    ("rcu", "free_early", "no_use_after_free", 4),
    ("rcu", "gp_first", "no_use_after_free", 6),
    ("seqlock", "no_even_wait", "consistent_read", 7),
    ("ticket_spinlock", "too_few_tickets", "mutex", 5),
])
def test_bmc_finds_the_same_shortest_counterexample(spec: str, variant: str, prop: str, depth: int) -> None:
    verdict = check(_system(spec, variant), prop, "bmc", Budget(max_depth=depth))
    assert isinstance(verdict, Violated) and verdict.trace.depth == depth


def _ticket_succ(n: int, t: int, split: bool):  # type: ignore[no-untyped-def]
    """The ticket lock written without seamcheck: (owner, next, pcs, tickets)."""
    def succ(s):  # type: ignore[no-untyped-def]
        owner, nxt, pcs, tks = s
        for i in range(n):
            pc, tk = pcs[i], tks[i]
            def put(p: str, k: int, o: int = owner, x: int = nxt, i: int = i):  # type: ignore[no-untyped-def]
                return (o, x, pcs[:i] + (p,) + pcs[i + 1:], tks[:i] + (k,) + tks[i + 1:])
            if pc == "idle":
                yield put("grabbing", nxt) if split else put("spinning", nxt, x=(nxt + 1) % t)
            elif pc == "grabbing":
                yield put("spinning", tk, x=(tk + 1) % t)
            elif pc == "spinning" and owner == tk:
                yield put("crit", tk)
            elif pc == "crit":
                yield put("idle", tk, o=(owner + 1) % t)
    return (0, 0, ("idle",) * n, (0,) * n), succ


@pytest.mark.parametrize(("n", "t", "split"), [(1, 1, False), (2, 2, False), (3, 2, False), (3, 4, False),
                                               (2, 3, True), (3, 4, True)])
def test_ticket_lock_counts_match_an_independent_enumeration(n: int, t: int, split: bool) -> None:
    ts = _system("ticket_spinlock", "generic", (f"N={n}", f"T={t}", f"split_fetch_add={str(split).lower()}"))
    res = explore(ts, ["range"], symmetry=False)
    assert (res.states, res.transitions) == bfs_count(*_ticket_succ(n, t, split))


def _wakeup_succ(waiter_mb: bool, waker_mb: bool):  # type: ignore[no-untyped-def]
    """The wait loop and try_to_wake_up written without seamcheck.
    State: (waiter pc, waiter's seen cond, waker pc, waker's seen state, cond, uninterruptible, asleep)."""
    def succ(s):  # type: ignore[no-untyped-def]
        wp, wseen, kp, kseen, cond, unint, asleep = s
        if wp == "top":
            yield ("stored", wseen, kp, kseen, cond, True, asleep)
            if not waiter_mb:
                yield ("loaded", cond, kp, kseen, cond, unint, asleep)
        elif wp == "stored":
            yield ("done" if cond else "sched", wseen, kp, kseen, cond, False if cond else unint, asleep)
        elif wp == "loaded":
            yield ("done" if wseen else "sched", wseen, kp, kseen, cond, not wseen, asleep)
        elif wp == "sched":
            yield ("sleeping" if unint else "top", wseen, kp, kseen, cond, unint, unint)
        elif wp == "sleeping" and not asleep:
            yield ("top", wseen, kp, kseen, cond, unint, asleep)
        if kp == "start":
            yield (wp, wseen, "stored", kseen, True, unint, asleep)
            if not waker_mb:
                yield (wp, wseen, "loaded", unint, cond, unint, asleep)
        elif kp == "stored":
            yield (wp, wseen, "done", kseen, cond, False, False)
        elif kp == "loaded":
            yield (wp, wseen, "waking" if kseen else "done", kseen, True, unint, asleep)
        elif kp == "waking":
            yield (wp, wseen, "done", kseen, cond, False, False)
    return ("top", False, "start", False, False, False, False), succ


@pytest.mark.parametrize(("variant", "waiter_mb", "waker_mb"), [("both_mb", True, True),
                                                                ("waiter_no_mb", False, True),
                                                                ("waker_no_mb", True, False)])
def test_lost_wakeup_counts_match_an_independent_enumeration(variant: str, waiter_mb: bool, waker_mb: bool) -> None:
    res = explore(_system("lost_wakeup", variant), ["range"], symmetry=False)
    assert (res.states, res.transitions) == bfs_count(*_wakeup_succ(waiter_mb, waker_mb))
