"""Unit tests of the SMT back end (checker/smt) and the engines built on it, on hand-built IR
and on the example specs."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import pytest
import z3

from checker.core.budget import Budget
from checker.core.verdict import HoldsUpTo, Proved, Unknown, Violated, is_proved, kind_of
from checker.explicit.search import check as explicit_check
from checker.run.runner import ENGINE_CHOICES, check
from checker.smt import Z3_VERSION, EngineDisagreement, bmc, kind, pdr
from checker.smt.decode import validated
from checker.smt.encode import Z3_OPS, Encoding, EncodingOptions, Num, make_ops
from checker.smt.pdr import recheck
from checker.traces.replay import validate
from checker.traces.trace import Trace
from model import smart
from model.evaluate import EVAL_OPS
from model.ir import Action, ActionLabel, App, Const, Expr, Op, Property, StateVar, TransitionSystem, Var
from model.load import load_spec
from model.sorts import BOOL, EnumSort, IndexSort, IntSort, OptionSort, Sort

SPECS = Path(__file__).resolve().parents[2] / "specs" / "examples"
INT = EncodingOptions(ints="int")   # the unit tests below read Int values out of models
WORK = 50_000_000   # rlimit per z3 call: never reached here, and no clock decides a verdict


# ---- hand-built IR ------------------------------------------------------------------------------

def c(v: int, s: Sort | None = None) -> Const:
    return Const(v, s or IntSort(v, v))


def app(op: Op, *xs: Expr) -> App:
    return App(op, xs, BOOL if op in (Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE, Op.AND, Op.OR, Op.NOT)
               else IntSort(-100, 100))


def act(name: str, guard: Expr, *updates: tuple[int, Expr]) -> Action:
    return Action(ActionLabel("m", name, None, ()), guard, tuple(updates))


def system(vars_: list[tuple[str, Sort, tuple[int, ...]]], actions: list[Action], props: list[Property],
           lemmas: tuple[Property, ...] = ()) -> TransitionSystem:
    return TransitionSystem("t", "<t>", (("N", "1"),), "v", tuple(StateVar(n, s, n) for n, s, _ in vars_),
                            tuple(i for _, _, i in vars_), None, tuple(actions), tuple(props), lemmas=lemmas)


def deadlock(actions: list[Action]) -> Property:
    return Property("deadlock", "deadlock", pred=smart.Or(*(a.guard for a in actions)))


X = IntSort(0, 5)
x = Var(0, X)
y = Var(1, X)


def chain() -> TransitionSystem:
    """x: 0 -> 1 -> 2; 2 is bad and has no successor (the PySMT pitfall)."""
    acts = [act("inc", app(Op.LT, x, c(2)), (0, app(Op.ADD, x, c(1))))]
    props = [Property("not_two", "invariant", pred=app(Op.NE, x, c(2))), deadlock(acts),
             Property("no_step_from_one", "step", bad=((0, smart.And(acts[0].guard, app(Op.EQ, x, c(1)))),))]
    return system([("x", X, (0,))], acts, props)


def counting(bound: int = 3) -> TransitionSystem:
    """x and y count up together while x < 3; x == y is a lemma, y <= bound the property."""
    acts = [act("inc", app(Op.LT, x, c(3)), (0, app(Op.ADD, x, c(1))), (1, app(Op.ADD, y, c(1))))]
    props = [Property("x_le_3", "invariant", pred=app(Op.LE, x, c(3))),
             Property("y_le", "invariant", pred=app(Op.LE, y, c(bound)))]
    return system([("x", X, (0,)), ("y", X, (0,))], acts, props)


# ---- the ops table ------------------------------------------------------------------------------

def test_z3_ops_cover_the_same_ops_as_the_evaluator() -> None:
    assert set(Z3_OPS) == set(EVAL_OPS) == set(Op)
    assert set(make_ops(Num(8))) == set(Op)


@pytest.mark.parametrize("width", [None, 8])
def test_z3_ops_compute_what_the_evaluator_computes(width: int | None) -> None:
    n = Num(width)
    ops = make_ops(n)
    for op in Op:
        arity = 1 if op in (Op.NOT, Op.NEG) else 2
        for args in itertools.product(range(-4, 5), repeat=arity):
            if op in (Op.NOT, Op.AND, Op.OR, Op.IMPLIES) and any(a not in (0, 1) for a in args):
                continue
            zs = [z3.BoolVal(bool(a)) if op in (Op.NOT, Op.AND, Op.OR, Op.IMPLIES) else n.val(a) for a in args]
            got = z3.simplify(ops[op](*zs))
            want = EVAL_OPS[op](*args)
            val = z3.is_true(got) if z3.is_bool(got) else (got.as_signed_long() if width else got.as_long())
            assert val == want, (op, args, got)   # floor division, x // 0 == 0, x % 0 == 0


# ---- encoding and unrolling ---------------------------------------------------------------------

def test_constant_names_use_a_separator_impossible_in_identifiers() -> None:
    enc = Encoding(chain(), INT)
    assert str(enc.state("3").vars[0]) == "x@3"
    assert str(enc.action("3")) == "$act@3"


def test_transition_fixes_the_successor_and_frames_untouched_slots() -> None:
    ts = counting()
    enc = Encoding(ts, INT)
    s, t, a = enc.state("0"), enc.state("1"), enc.action("0")
    solver = z3.Solver(ctx=enc.ctx)
    solver.add(enc.trans(s, a, t), s.vars[0] == 1, s.vars[1] == 1)
    assert solver.check() == z3.sat
    m = solver.model()
    assert (m.eval(t.vars[0]).as_long(), m.eval(t.vars[1]).as_long(), m.eval(a).as_long()) == (2, 2, 0)
    solver.add(s.vars[0] == 3)   # guard false, the only action: no successor
    assert solver.check() == z3.unsat


def test_no_actions_means_no_successor() -> None:
    ts = system([("x", X, (0,))], [], [Property("p", "invariant", pred=c(True, BOOL))])
    enc = Encoding(ts, INT)
    solver = z3.Solver(ctx=enc.ctx)
    solver.add(enc.trans(enc.state("0"), enc.action("0"), enc.state("1")))
    assert solver.check() == z3.unsat


def test_init_values_and_domains() -> None:
    e = EnumSort("E", ("A", "B", "C"))
    ts = system([("e", e, (0, 2)), ("o", OptionSort(e), (-1,)), ("i", IndexSort("I", 2), (0, 1))], [],
                [Property("p", "invariant", pred=c(True, BOOL))])
    enc = Encoding(ts, INT)
    s = enc.state("0")
    solver = z3.Solver(ctx=enc.ctx)
    solver.add(enc.init(s), enc.domain(s))
    seen = set()
    while solver.check() == z3.sat:
        m = solver.model()
        st = tuple(m.eval(v).as_long() for v in s.vars)
        seen.add(st)
        solver.add(z3.Or(*(v != k for v, k in zip(s.vars, st, strict=True))))
    assert seen == {(0, -1, 0), (0, -1, 1), (2, -1, 0), (2, -1, 1)}


# ---- BMC ----------------------------------------------------------------------------------------

def _violated(v: object, ts: TransitionSystem, depth: int) -> Trace:
    assert isinstance(v, Violated), v
    validate(ts, v.trace, v.prop)       # replays step by step
    assert v.trace.depth == depth
    return v.trace


def test_bad_state_without_successor_is_found_at_exact_depth_two() -> None:
    ts = chain()
    tr = _violated(bmc.check(ts, "not_two", Budget(max_depth=5)), ts, 2)
    assert tr.states == ((0,), (1,), (2,)) and tr.actions == (0, 0)
    _violated(bmc.check(ts, "deadlock", Budget(max_depth=5)), ts, 2)


def test_step_property_trace_ends_with_the_violating_step() -> None:
    ts = chain()
    tr = _violated(bmc.check(ts, "no_step_from_one", Budget(max_depth=5)), ts, 2)
    assert tr.states[-2:] == ((1,), (2,))


def test_range_violation_shows_the_out_of_range_post_state() -> None:
    r = IntSort(0, 2)
    xr = Var(0, r)
    acts = [act("inc", c(True, BOOL), (0, app(Op.ADD, xr, c(1))))]
    bad = smart.And(acts[0].guard, app(Op.GT, app(Op.ADD, xr, c(1)), c(2)))
    ts = system([("x", r, (0,))], acts, [Property("range", "range", bad=((0, bad),)),
                                         Property("small", "invariant", pred=app(Op.LE, xr, c(2)))])
    tr = _violated(bmc.check(ts, "range", Budget(max_depth=6)), ts, 3)
    assert tr.states[-1] == (3,)
    # the out-of-range post-state is not a state of the system (NOTE(range-steps))
    assert isinstance(bmc.check(ts, "small", Budget(max_depth=6)), HoldsUpTo)
    # one shared unrolling: the invariant's and the lasso's queries at depth 3 must not assert
    # s_3's domain for good, s_3 being the range step's post-state (found by tests/gen_sym.py)
    live = Property("never_big", "eventually", pred=app(Op.GT, xr, c(5)))
    ts = replace(ts, properties=(*ts.properties, live))
    small, lasso, rng = bmc.check_all(ts, ["small", "never_big", "range"], Budget(max_depth=6))
    assert isinstance(small, HoldsUpTo) and isinstance(lasso, HoldsUpTo)
    assert _violated(rng, ts, 3).states[-1] == (3,)


@pytest.mark.parametrize(("spec", "variant", "prop"), [
    ("counter.yaml", None, "never_two"), ("peterson.yaml", "turn_first", "mutex"),
    ("peterson.yaml", "flag_only", "deadlock"), ("dining.yaml", "naive", "deadlock")])
def test_shortest_depth_is_the_explicit_one(spec: str, variant: str | None, prop: str) -> None:
    ts = load_spec(SPECS / spec, (), variant)[0]
    ref = explicit_check(ts, prop)
    assert isinstance(ref, Violated)
    for ints in ("int", "bv"):
        _violated(bmc.check(ts, prop, Budget(max_depth=10), options=EncodingOptions(ints=ints)), ts,
                  ref.trace.depth)


def test_holds_up_to_is_never_proved() -> None:
    ts = counting()
    v = bmc.check(ts, "y_le", Budget(max_depth=4))
    assert isinstance(v, HoldsUpTo) and v.depth == 4
    assert not is_proved(v) and kind_of(v) == "holds-up-to"
    assert v.provenance.z3_version == Z3_VERSION and v.provenance.params == (("N", "1"),)
    assert v.provenance.variant == "v" and dict(v.provenance.stats)["depth"] == 4


def test_resource_limit_gives_unknown_never_a_pass() -> None:
    ts = load_spec(SPECS / "dining.yaml", (), "ordered")[0]
    v = bmc.check(ts, "neighbours_never_eat_together", Budget(max_depth=20, rlimit=1))
    assert isinstance(v, Unknown) and v.reason


def test_same_budget_same_trace() -> None:
    ts = load_spec(SPECS / "peterson.yaml", (), "turn_first")[0]
    a, b = (bmc.check(ts, "mutex", Budget(max_depth=8, seed=3)) for _ in range(2))
    assert isinstance(a, Violated) and isinstance(b, Violated) and a.trace == b.trace


def test_a_trace_that_does_not_replay_is_an_internal_error() -> None:
    ts = chain()
    with pytest.raises(EngineDisagreement):
        validated(ts, Trace(((0,), (2,)), (0,)), ts.prop("not_two"), "bmc")


def test_liveness_is_left_to_the_explicit_engine() -> None:
    ts = chain()
    ts = replace(ts, properties=(*ts.properties, Property("live", "eventually", pred=app(Op.EQ, x, c(2)))))
    for engine in (kind.check, pdr.check):
        v = engine(ts, "live", Budget(max_depth=3))
        assert isinstance(v, Unknown) and "safety" in v.reason
    # BMC searches lassos (x stutters at 2, where nothing is enabled): bounded, never a proof
    v = bmc.check(ts, "live", Budget(max_depth=3))
    assert isinstance(v, HoldsUpTo) and v.provenance.engine == "bmc-lasso"


# ---- k-induction --------------------------------------------------------------------------------

def test_k_induction_proves_at_a_known_k() -> None:
    v = kind.check(counting(), "x_le_3", Budget(max_depth=5))
    assert isinstance(v, Proved) and v.detail == "k-induction, k=1"   # k=0 fails: x=4 is in 0..5


def test_k_induction_fails_with_a_cti_that_a_lemma_fixes() -> None:
    ts = counting()
    v = kind.check(ts, "y_le", Budget(max_depth=3), mine=False)
    assert isinstance(v, Unknown) and v.reason == "induction failed at k=3" and v.cti is not None
    cti = v.cti
    assert cti.depth == 3 and cti.states[-1][1] == 4          # y leaves 0..3 ...
    assert cti.states[0][0] != cti.states[0][1]               # ... from an unreachable x != y
    lemma = Property("same", "invariant", pred=app(Op.EQ, x, y))
    v = kind.check(replace(ts, lemmas=(lemma,)), "y_le", Budget(max_depth=3))
    assert isinstance(v, Proved) and v.detail == "k-induction, k=1"


def test_a_lemma_that_fails_is_named() -> None:
    bad = Property("wrong", "invariant", pred=app(Op.LE, y, c(1)))
    v = kind.check(replace(counting(), lemmas=(bad,)), "y_le", Budget(max_depth=3))
    assert isinstance(v, Unknown) and "lemma 'wrong'" in v.reason


def test_k_induction_reports_base_case_violations_with_a_shortest_trace() -> None:
    ts = counting(bound=2)
    _violated(kind.check(ts, "y_le", Budget(max_depth=5)), ts, 3)


# ---- PDR ----------------------------------------------------------------------------------------

def teardown() -> TransitionSystem:
    life = EnumSort("Life", ("ASSIGNED", "BLOCKED", "TEARDOWN"))
    assoc = OptionSort(IndexSort("LP", 2))
    lv, av = Var(0, life), Var(1, assoc)
    acts = [act("assoc", app(Op.EQ, lv, c(0, life)), (1, c(1, assoc))),
            act("flush", app(Op.NE, av, c(-1, assoc)), (1, c(-1, assoc))),
            act("block", smart.And(app(Op.EQ, lv, c(0, life)), app(Op.EQ, av, c(-1, assoc))), (0, c(1, life))),
            act("teardown", app(Op.EQ, lv, c(1, life)), (0, c(2, life)))]
    safe = Property("safe", "invariant", pred=App(Op.IMPLIES, (app(Op.EQ, lv, c(2, life)),
                                                                app(Op.EQ, av, c(-1, assoc))), BOOL))
    return system([("life", life, (0,)), ("assoc[0]", assoc, (-1,))], acts, [safe])


def test_pdr_proves_with_a_printed_invariant() -> None:
    ts = teardown()
    v = pdr.check(ts, "safe", Budget(rlimit=WORK))
    assert isinstance(v, Proved) and v.detail == "inductive invariant, re-checked" and v.invariant
    assert "assoc[0]" in v.invariant and "life" in v.invariant
    assert "none" in v.invariant and "@" not in v.invariant


def test_pdr_violation_comes_with_a_shortest_trace() -> None:
    ts = load_spec(SPECS / "peterson.yaml", (), "turn_first")[0]
    _violated(pdr.check(ts, "mutex", Budget(rlimit=WORK)), ts, explicit_check(ts, "mutex").trace.depth)  # type: ignore[union-attr]


def test_certificate_recheck_rejects_a_non_invariant() -> None:
    ts = counting(bound=3)
    enc = Encoding(ts, INT)
    out = recheck(enc, ts.prop("y_le"), app(Op.LE, y, c(3)), Budget())   # true, but not inductive
    assert out.result == "sat" and out.reason.startswith("consecution")
    good = smart.And(app(Op.LE, y, c(3)), app(Op.EQ, x, y))
    assert recheck(enc, ts.prop("y_le"), good, Budget()).result == "unsat"


# ---- the registry -------------------------------------------------------------------------------

def test_registry_and_auto(monkeypatch: pytest.MonkeyPatch) -> None:
    import checker.run.auto as engines

    assert set(ENGINE_CHOICES) >= {"explicit", "bmc", "kind", "pdr", "auto", "portfolio"}
    ts = counting()
    assert check(ts, "y_le", "auto", Budget(max_depth=4)).provenance.engine == "auto:explicit"
    monkeypatch.setattr(engines, "EXPLICIT_LIMIT", 1)   # explicit stops at once: auto goes symbolic
    v = check(ts, "x_le_3", "auto", Budget(max_depth=4))
    assert isinstance(v, Proved) and v.provenance.engine == "auto:kind"
    v = check(counting(bound=2), "y_le", "auto", Budget(max_depth=4))
    assert isinstance(v, Violated) and v.provenance.engine == "auto:bmc"
