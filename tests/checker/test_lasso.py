"""BMC lasso counterexamples for temporal properties (checker/smt/lasso.py), against the explicit
engine's fair-SCC search on the example specs, against the former quadratic encoding
(lasso_quadratic.py) and a brute-force shortest-lasso oracle (tests/lasso_oracle.py) with exact
depths, and `check_all` against per-property runs, each property with its own time share."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.core.budget import Budget
from checker.core.verdict import HoldsUpTo, Proved, Unknown, Violated, kind_of
from checker.explicit.search import explore
from checker.run.runner import check
from checker.smt import bmc, kind, pdr
from checker.smt.encode import EncodingOptions
from checker.traces.replay import validate
from model.ir import TransitionSystem
from model.load import load_spec, load_text
from tests.lasso_oracle import shortest_lasso

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs" / "examples"
CHANDY = ROOT / "tests" / "specs" / "chandy_misra.yaml"
DEPTH = 12

CASES = [("spinlock.yaml", v) for v in ("unfair", "weak", "strong")] + \
        [("retry.yaml", v) for v in ("fair", "unfair", "quitter")]


def _temporal(ts: TransitionSystem) -> list[str]:
    return [p.name for p in ts.properties if p.temporal]


@pytest.mark.parametrize(("spec", "variant"), CASES)
def test_bmc_lassos_match_explicit_on_examples(spec: str, variant: str) -> None:
    [ts] = load_spec(SPECS / spec, variant=variant)
    ref = explore(ts)
    for prop in _temporal(ts):
        want = ref.verdict(prop)
        got = bmc.check(ts, prop, Budget(max_depth=DEPTH))
        assert got.provenance.engine == "bmc-lasso"
        if isinstance(want, Violated):
            assert isinstance(got, Violated), (prop, got)
            validate(ts, got.trace, prop)
            assert got.trace.depth <= want.trace.depth, (prop, got.trace, want.trace)
        else:
            assert isinstance(want, Proved)
            assert isinstance(got, HoldsUpTo) and got.depth == DEPTH, (prop, got)


def test_spinlock_lasso_by_hand() -> None:
    [ts] = load_spec(SPECS / "spinlock.yaml", variant="weak")
    v = bmc.check(ts, "no_starvation", Budget(max_depth=DEPTH))
    # proc 0 requests, then proc 1 requests, acquires and releases for ever: 1 + 3 steps
    assert isinstance(v, Violated) and (v.trace.depth, v.trace.loop) == (4, 1)
    assert v.trace.states[-1] == v.trace.states[1]


STUCK = """
spec: stuck
vars:
  x: {type: "0..2", init: 0}
machines:
  m:
    states: [s]
    init: s
    fair: weak
    transitions:
      inc:
        guard: "x < 1"
        effect:
          x: "x + 1"
check_deadlock: false
properties:
  reaches_two:
    eventually: "x == 2"
  one_leads_to_two:
    leads_to: {from: "x == 1", to: "x == 2"}
  zero_often:
    always_eventually: "x == 0"
"""


def test_stutter_lasso_in_a_state_with_nothing_enabled() -> None:
    [ts] = load_text(STUCK)
    for prop in _temporal(ts):
        v = bmc.check(ts, prop, Budget(max_depth=DEPTH))
        # x goes 0 -> 1, then nothing is enabled: a loop of no steps at the last state
        assert isinstance(v, Violated) and (v.trace.depth, v.trace.loop) == (1, 1), (prop, v)
        validate(ts, v.trace, prop)


def test_weak_fairness_rules_out_the_stutter_but_not_a_spin() -> None:
    spec = STUCK.replace('guard: "x < 1"', 'guard: "true"').replace('x: "x + 1"', 'x: "1 - x"')
    [ts] = load_text(spec)
    assert isinstance(bmc.check(ts, "zero_often", Budget(max_depth=DEPTH)), HoldsUpTo)
    v = bmc.check(ts, "reaches_two", Budget(max_depth=DEPTH))
    assert isinstance(v, Violated) and (v.trace.depth, v.trace.loop) == (2, 0)


def test_provers_leave_liveness_to_the_explicit_engine() -> None:
    [ts] = load_spec(SPECS / "retry.yaml", variant="fair")
    for engine in (kind.check, pdr.check):
        v = engine(ts, "terminates", Budget(max_depth=4))
        assert isinstance(v, Unknown) and "explicit" in v.reason


@pytest.mark.parametrize(("spec", "variant"), [("spinlock.yaml", "weak"), ("retry.yaml", "quitter"),
                                               ("peterson.yaml", "turn_first")])
def test_check_all_agrees_with_one_property_at_a_time(spec: str, variant: str) -> None:
    [ts] = load_spec(SPECS / spec, variant=variant)
    names = [p.name for p in ts.properties]
    together = bmc.check_all(ts, names, Budget(max_depth=DEPTH))
    for name, v in zip(names, together, strict=True):
        alone = bmc.check(ts, name, Budget(max_depth=DEPTH))
        assert kind_of(v) == kind_of(alone), name
        if isinstance(v, Violated):
            assert isinstance(alone, Violated) and v.trace.depth == alone.trace.depth, name
            validate(ts, v.trace, name)


def test_auto_falls_back_to_lassos_when_explicit_hits_its_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    import checker.run.auto as engines

    [ts] = load_spec(SPECS / "spinlock.yaml", variant="weak")
    assert check(ts, "no_starvation", "auto", Budget(max_depth=DEPTH)).provenance.engine == "auto:explicit"
    monkeypatch.setattr(engines, "EXPLICIT_LIMIT", 2)
    v = check(ts, "no_starvation", "auto", Budget(max_depth=DEPTH))
    assert isinstance(v, Violated) and v.provenance.engine == "auto:bmc-lasso"
    # no lasso up to the bound: k-induction on the liveness-to-safety product proves it
    [ts] = load_spec(SPECS / "spinlock.yaml", variant="strong")
    v = check(ts, "no_starvation", "auto", Budget(max_depth=DEPTH))
    assert isinstance(v, Proved) and v.provenance.engine == "auto:kind"
    assert v.detail.startswith("liveness-to-safety with k-induction, k=")


def test_auto_all_shares_one_explicit_search(monkeypatch: pytest.MonkeyPatch) -> None:
    from checker.run.auto import auto

    [ts] = load_spec(SPECS / "spinlock.yaml", variant="weak")
    names = [p.name for p in ts.properties]
    calls: list[tuple[str, ...]] = []
    real = explore

    def counting(ts: TransitionSystem, props, budget, **kw):  # type: ignore[no-untyped-def]
        calls.append(tuple(props))
        return real(ts, props, budget, **kw)
    monkeypatch.setattr("checker.explicit.search.explore", counting)
    got = auto(ts, names, Budget(max_depth=DEPTH)).verdicts
    assert sorted(calls) == sorted([tuple(n for n in names if not ts.prop(n).temporal),
                                    tuple(n for n in names if ts.prop(n).temporal)])
    for name, v in zip(names, got, strict=True):
        assert v.provenance.engine == "auto:explicit"
        assert kind_of(v) == kind_of(explore(ts, [name]).verdict(name)), name


RANGE_SPEC = Path(__file__).resolve().parents[1] / "specs" / "rangefair.yaml"


@pytest.mark.parametrize("variant", ["unfair", "weak", "weak_sometimes", "strong", "strong_sometimes"])
def test_bmc_lassos_match_explicit_on_fair_steps_out_of_range(variant: str) -> None:
    # NOTE(range-fairness): a fair transition enabled where its step leaves the range
    [ts] = load_spec(RANGE_SPEC, variant=variant)
    ref = explore(ts)
    for prop in _temporal(ts):
        want, got = ref.verdict(prop), bmc.check(ts, prop, Budget(max_depth=DEPTH))
        assert kind_of(want) == ("violated" if variant in ("unfair", "weak_sometimes") else "proved")
        if isinstance(want, Violated):
            validate(ts, want.trace, prop)
            assert isinstance(got, Violated) and got.trace.depth <= want.trace.depth, (prop, got)
            validate(ts, got.trace, prop)
        else:
            assert isinstance(got, HoldsUpTo) and got.depth == DEPTH, (prop, got)


# (spec, variant, overrides, property, depth of the shortest violating lasso; None: none up to DEPTH)
EXACT = [
    (SPECS / "spinlock.yaml", "unfair", (), "no_starvation", 4),
    (SPECS / "spinlock.yaml", "weak", (), "no_starvation", 4),
    (SPECS / "spinlock.yaml", "strong", (), "no_starvation", None),
    (SPECS / "retry.yaml", "fair", (), "terminates", None),
    (SPECS / "retry.yaml", "fair", (), "keeps_finishing", None),
    (SPECS / "retry.yaml", "unfair", (), "terminates", 2),
    (SPECS / "retry.yaml", "unfair", (), "keeps_finishing", 2),
    (SPECS / "retry.yaml", "quitter", (), "terminates", 3),
    (SPECS / "retry.yaml", "quitter", (), "keeps_finishing", 3),
    # weak fairness per machine (phil) and none per transition (get_hungry); 216 states
    (CHANDY, None, ("N=3",), "hungry_eats", None),
    (CHANDY, None, ("N=3",), "someone_eats_often", None),
    (CHANDY, None, ("N=3",), "thinker_gets_hungry", 6),
]


@pytest.mark.parametrize(("spec", "variant", "overrides", "prop", "want"), EXACT,
                         ids=[f"{c[0].stem}-{c[1] or ''.join(c[2])}-{c[3]}" for c in EXACT])
def test_shortest_lasso_depths_are_exact(spec: Path, variant: str | None, overrides: tuple[str, ...],
                                         prop: str, want: int | None) -> None:
    """Both encodings, and the incremental one without refuted loop lengths (NOTE(loop-lengths)),
    find a lasso of exactly the oracle's shortest depth (NOTE(incremental-lasso): the same lassos
    of each depth are searched), and it replays."""
    [ts] = load_spec(spec, overrides, variant=variant)
    depth = 10
    assert shortest_lasso(ts, prop, depth) == want
    assert isinstance(explore(ts).verdict(prop), Proved if want is None else Violated)
    for lasso in (EncodingOptions(), EncodingOptions(loop_lengths=False), EncodingOptions(lasso="quadratic")):
        v = bmc.check(ts, prop, Budget(max_depth=depth), options=lasso)
        if want is None:
            assert isinstance(v, HoldsUpTo) and v.depth == depth and v.stopped is None, (lasso, v)
        else:
            assert isinstance(v, Violated) and v.trace.depth == want, (lasso, v)
            validate(ts, v.trace, prop)


def test_a_slow_property_does_not_starve_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    """NOTE(bmc-timeout): each query may run for its property's fair share of the time left. A
    fake clock makes every query of the lasso property cost 10 s and the others nothing: with a
    25 s timeout and 4 properties its first query overruns its share (25 / 4 s), so it stops
    with no depth searched, and the others reach the bound in what is left."""
    import time

    from checker.smt.base import Unrolling

    [ts] = load_spec(SPECS / "spinlock.yaml", variant="strong")
    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    real = Unrolling.at

    def slow(self: Unrolling, p, depth):  # type: ignore[no-untyped-def]
        if p.name == "no_starvation":
            now[0] += 10.0
        return real(self, p, depth)
    monkeypatch.setattr(Unrolling, "at", slow)
    names = [p.name for p in ts.properties]
    assert len(names) == 4
    got = dict(zip(names, bmc.check_all(ts, names, Budget(max_depth=DEPTH, timeout_s=25)), strict=True))
    live = got.pop("no_starvation")
    assert isinstance(live, Unknown) and live.reason == "timeout after 6.2 s (its share of 25 s)", live
    for name, v in got.items():
        assert isinstance(v, HoldsUpTo) and v.depth == DEPTH and v.stopped is None, (name, v)


def test_a_property_stopped_at_its_share_holds_up_to_its_depth(monkeypatch: pytest.MonkeyPatch) -> None:
    """NOTE(bmc-timeout): the lasso property's queries cost 2 s each on a fake clock, under a
    30 s timeout for 4 properties. Its share shrinks as it spends (what is left / 4, the others
    costing nothing): 7.5 s at depth 0, 7.0 at 1, ..., 2.0 s at depth 11, which a 2 s query
    uses up. So it holds up to depth 10, and the others reach the bound."""
    import time

    from checker.smt.base import Unrolling

    [ts] = load_spec(SPECS / "spinlock.yaml", variant="strong")
    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    real = Unrolling.at

    def slow(self: Unrolling, p, depth):  # type: ignore[no-untyped-def]
        if p.name == "no_starvation":
            now[0] += 2.0
        return real(self, p, depth)
    monkeypatch.setattr(Unrolling, "at", slow)
    names = [p.name for p in ts.properties]
    got = dict(zip(names, bmc.check_all(ts, names, Budget(max_depth=20, timeout_s=30)), strict=True))
    live = got.pop("no_starvation")
    assert isinstance(live, HoldsUpTo) and (live.depth, live.stopped) == (10, "timeout after 2.0 s (its share of 30 s)"), live
    for name, v in got.items():
        assert isinstance(v, HoldsUpTo) and v.depth == 20 and v.stopped is None, (name, v)


def test_a_share_is_what_is_left_divided_by_the_open_properties() -> None:
    """NOTE(timeout-share): the share of one of n open properties; the whole budget when
    untimed or the last one open; its reason names the whole it was cut from."""
    import time
    from dataclasses import replace

    b = Budget(timeout_s=100).start()
    share = b.share(4)
    assert share.deadline is not None and 24.0 < share.deadline - time.monotonic() <= 25.0
    assert (share.timeout_s, share.whole_s) == (25.0, 100)
    assert share.share(5).whole_s == 100                 # a share of a share keeps the whole
    assert b.share(1) is b and Budget().share(3) == Budget()
    expired = replace(share, deadline=time.monotonic() - 1)
    assert expired.stop_reason() == "timeout after 25.0 s (its share of 100 s)"
    # a share handed out once the whole budget is spent names the whole, not "0.0 s (its share ...)"
    last = replace(b, deadline=time.monotonic() - 1).share(3)
    assert last.timeout_s == 0.0 and last.stop_reason() == "timeout after 100 s"
    spent = replace(share, outer=time.monotonic() - 1, deadline=time.monotonic() - 1)
    assert spent.stop_reason() == "timeout after 100 s"


def test_a_stopped_bound_reads_as_inconclusive_with_its_depth() -> None:
    from checker.core.outcome import describe, judge
    from checker.core.verdict import Provenance
    from checker.export.result_json import verdict_json

    v = HoldsUpTo("p", Provenance("bmc-lasso", (), None), 17, stopped="timeout after 5 s")
    assert describe(v) == "holds up to depth 17 (timeout after 5 s; bmc-lasso; bounded, not a proof)"
    o = judge(v, "holds")
    assert (o.status, o.why) == ("inconclusive", "holds up to depth 17 (timeout after 5 s)")
    j = verdict_json(v)
    assert (j["status"], j["depth"], j["reason"]) == ("holds_bounded", 17, "timeout after 5 s")
    assert verdict_json(HoldsUpTo("p", v.provenance, 30))["reason"] is None


@pytest.mark.parametrize(("variant", "prop"), [("v19", "L1"), ("v19", "L2"), ("v6_16", "L2"), ("v6_16", "L1")])
def test_tdx_lassos_agree_across_encodings_and_with_explicit(variant: str, prop: str) -> None:
    """The shipped TDX spec at V=1 P=2 (a few thousand states): both encodings find a lasso of the
    same depth, no longer than explicit's, that replays; none where explicit proves (to depth 8).
    No depth is written here: the spec changes, the agreement must not."""
    [ts] = load_spec(ROOT / "specs" / "tdx" / "teardown.yaml", ("V=1", "P=2"), variant=variant)
    ref = explore(ts, [prop]).verdict(prop)
    depth = ref.trace.depth if isinstance(ref, Violated) else 8
    got = [bmc.check(ts, prop, Budget(max_depth=depth), options=EncodingOptions(lasso=lasso))
           for lasso in ("incremental", "quadratic")]
    if isinstance(ref, Violated):
        for v in got:
            assert isinstance(v, Violated) and v.trace.depth <= ref.trace.depth, (prop, v)
            validate(ts, v.trace, prop)
        assert got[0].trace.depth == got[1].trace.depth      # type: ignore[union-attr]
    else:
        assert isinstance(ref, Proved)
        assert all(isinstance(v, HoldsUpTo) and v.depth == depth for v in got), got


def test_loop_lengths_refuted_for_every_depth() -> None:
    """NOTE(loop-lengths): on Chandy-Misra at N=3 no state at all starts a fair loop on which no
    one eats, or (the trigger being stable, NOTE(stable-trigger)) on which philosopher 0 stays
    hungry, of 1..12 steps; philosopher 0 may think for ever on loops of 3 steps, reachable
    ones too: the shortest violating lasso (depth 6) has a loop of 3 steps, so 3 is not refuted."""
    from checker.smt.encode import Encoding
    from checker.smt.loops import LoopLengths

    [ts] = load_spec(CHANDY, ("N=3",))
    loops = LoopLengths(Encoding(ts), ts.fairness(), Budget().start())
    got = {name: loops.longest(ts.prop(name), 12) for name in ("someone_eats_often", "hungry_eats", "thinker_gets_hungry")}
    assert got == {"someone_eats_often": 12, "hungry_eats": 12, "thinker_gets_hungry": 2}
    assert loops.stable == {"hungry_eats": True, "thinker_gets_hungry": True}
    v = bmc.check(ts, "thinker_gets_hungry", Budget(max_depth=DEPTH))
    assert isinstance(v, Violated) and (v.trace.depth, v.trace.loop) == (6, 3)


def _growth(monkeypatch: pytest.MonkeyPatch, ts: TransitionSystem, options: EncodingOptions, depth: int) -> list[int]:
    """Terms (distinct z3 AST nodes) asserted, in every solver, for each further depth of the lasso
    queries of ts's temporal properties (formulas built, no query asked but the side solver's)."""
    import z3

    from checker.smt.base import Unrolling
    from checker.smt.encode import Encoding

    added: list[z3.ExprRef] = []
    real = z3.Solver.add

    def recording(self: z3.Solver, *fs: z3.ExprRef) -> None:
        added.extend(fs)
        real(self, *fs)
    monkeypatch.setattr(z3.Solver, "add", recording)
    u = Unrolling(ts, Budget().start(), Encoding(ts, options), "bmc")
    seen: set[int] = set()
    sizes = []
    for k in range(depth + 1):
        for p in (p for p in ts.properties if p.temporal):
            u.lassos.shape(p, k)
        todo = list(added)
        added.clear()
        while todo:
            x = todo.pop()
            if x.get_id() not in seen:
                seen.add(x.get_id())
                todo.extend(x.children())
        sizes.append(len(seen))
    monkeypatch.undo()
    return [b - a for a, b in zip(sizes, sizes[1:], strict=False)]


def test_the_lasso_encoding_grows_linearly_with_the_depth(monkeypatch: pytest.MonkeyPatch) -> None:
    """NOTE(incremental-lasso), NOTE(loop-lengths): past the first depths, each depth adds the same
    number of terms, with or without refuted loop lengths (whose side solver is counted too). The
    same count sees the quadratic encoding's shape: what it adds grows by the same amount at
    every depth."""
    [ts] = load_spec(CHANDY, ("N=3",))
    for options in (EncodingOptions(), EncodingOptions(loop_lengths=False)):
        grows = _growth(monkeypatch, ts, options, 12)
        assert len(set(grows[4:])) == 1, (options, grows)
    grows = _growth(monkeypatch, ts, EncodingOptions(lasso="quadratic"), 12)
    steps = [b - a for a, b in zip(grows, grows[1:], strict=False)]
    assert len(set(steps[1:])) == 1 and steps[1] > 0, grows


HALTS = """
spec: halts
vars:
  x: {type: "0..3", init: 0}
machines:
  m:
    states: [run, stop]
    init: run
    TERMINAL
    fair: weak
    transitions:
      up: {from: run, to: run, guard: "x < 3", effect: {x: "x + 1"}}
      halt: {from: run, to: stop, guard: "x == 3"}
      spin: {from: run, to: run, guard: "x == 1", fair: none}
properties:
  zero_often:
    always_eventually: "x == 0"
  halts:
    eventually: "m.pc == stop"
  two_leads_to_zero:
    leads_to: {from: "x == 2", to: "x == 0"}
"""


@pytest.mark.parametrize("terminal", ["terminal: [stop]", ""])
def test_the_stutter_fact_never_hides_a_stutter_lasso(terminal: str) -> None:
    """NOTE(stutter-fact): the shared stutter query is satisfiable at depth 4 (stopped, nothing
    enabled), so it rules nothing out there: every property's shortest lasso is the oracle's,
    checked together with `deadlock`, which holds when `stop` is terminal although the stutter
    lassos are real (the fact is the stutter's own condition, not the deadlock property's). The
    spin at x == 1 is no lasso for `halts`: `up`, weakly fair, stays enabled on it."""
    [ts] = load_text(HALTS.replace("TERMINAL", terminal))
    names = [p.name for p in ts.properties]
    got = dict(zip(names, bmc.check_all(ts, names, Budget(max_depth=8)), strict=True))
    ref = explore(ts)
    for prop, depth in {"zero_often": 4, "halts": None, "two_leads_to_zero": 4}.items():
        assert shortest_lasso(ts, prop, 8) == depth
        v = got[prop]
        if depth is None:
            assert isinstance(v, HoldsUpTo) and v.depth == 8 and isinstance(ref.verdict(prop), Proved), (prop, v)
            continue
        assert isinstance(v, Violated) and v.trace.depth == depth, (prop, v)
        assert isinstance(ref.verdict(prop), Violated)
        validate(ts, v.trace, prop)
    dead = got["deadlock"]
    assert isinstance(dead, HoldsUpTo) if terminal else (isinstance(dead, Violated) and dead.trace.depth == 4), dead


# idle states: `c`, which no path reaches, and `stop`, reached unless IDLE; the lemma excludes
# `c`, and `stop` too where no path reaches it
IDLE_LEMMA = """
spec: idle
vars:
  x: {type: "0..2", init: 0}
machines:
  m:
    states: [a, b, c, stop]
    init: a
    fair: weak
    transitions:
      ab: {from: a, to: b, guard: "x < 2 or IDLE", effect: {x: "x + 1 if x < 2 else x"}}
      ba: {from: b, to: a}
      halt: {from: b, to: stop, guard: "x == 2 and not IDLE"}
lemmas:
  never_idle: {invariant: "NEVER"}
properties:
  often_a:
    always_eventually: "m.pc == a"
"""


@pytest.mark.parametrize("idle", ["true", "false"])
def test_the_stutter_fact_from_lemmas_that_exclude_idle_states(idle: str) -> None:
    """NOTE(stutter-fact): where the proved lemmas leave no in-domain state with nothing enabled
    (`c` is excluded, `stop` unreachable), the stutter is kept as a fact at every depth without a
    query; where a reachable idle state (`stop`, at depth 4) escapes them, it is still asked,
    and its stutter lasso is found at the oracle's depth."""
    from checker.smt.base import Unrolling
    from checker.smt.encode import Encoding

    never = "m.pc != c and m.pc != stop" if idle == "true" else "m.pc != c"
    [ts] = load_text(IDLE_LEMMA.replace("IDLE", idle).replace("NEVER", never))
    u = Unrolling(ts, Budget(max_depth=8).start(), Encoding(ts), "bmc", lemmas=ts.lemmas)
    p = ts.prop("often_a")
    got = None
    for depth in range(9):
        u.rule_out_stutter(depth)
        got = u.at(p, depth)
        if got is not None:
            break
    assert u.idle_free == (ts.lemmas, idle == "true")
    want = shortest_lasso(ts, "often_a", 8)
    assert want == (None if idle == "true" else 4)
    if want is None:
        assert got is None and isinstance(explore(ts).verdict("often_a"), Proved)
    else:
        assert isinstance(got, Violated) and got.trace.depth == want
        validate(ts, got.trace, "often_a")


@pytest.mark.slow
def test_mined_lemmas_refute_unreachable_loops_but_not_real_ones() -> None:
    """NOTE(loop-lemmas): on Chandy-Misra at N=5, unreachable states start fair loops on which
    philosopher 0 stays hungry (lengths from 3 on are not refuted); with the mined lemmas
    (proved inductive) in the loop state they are, to any length asked. The real lasso of
    `thinker_gets_hungry` (a loop of 3 steps) stays: its lengths stop at 2 with lemmas too."""
    from checker.smt.encode import Encoding
    from checker.smt.kind import mine_lemmas
    from checker.smt.loops import LoopLengths

    [ts] = load_spec(CHANDY, ("N=5",))
    enc = Encoding(ts)
    loops = LoopLengths(enc, ts.fairness(), Budget(max_depth=8).start())
    hungry, thinker = ts.prop("hungry_eats"), ts.prop("thinker_gets_hungry")
    assert (loops.longest(hungry, 8), loops.longest(thinker, 8)) == (2, 2)
    lemmas, why = mine_lemmas(ts, Budget().start(), enc, ())
    assert why is None and lemmas
    loops.assume(lemmas)
    assert (loops.longest(hungry, 8), loops.longest(thinker, 8)) == (8, 2)
