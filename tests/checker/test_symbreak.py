"""BMC's symmetry breaking: the automorphisms it uses (checker/symmetry/automorphism.py), the focus on one
witness per orbit (checker/symmetry/focus.py), and exact shortest depths on TDX with it on and off.
Random symmetric specs: tests/test_symbreak_agree.py."""

from __future__ import annotations

from collections import deque
from pathlib import Path

import pytest

from checker.core.budget import Budget
from checker.core.semantics import initial_states, successor
from checker.core.verdict import HoldsUpTo, Proved, Violated
from checker.explicit.search import explore
from checker.smt import bmc
from checker.smt.encode import EncodingOptions
from checker.symmetry.automorphism import automorphisms, image, key
from checker.symmetry.focus import disjuncts, focus
from model import smart
from model.evaluate import compile_expr
from model.ir import Action, ActionLabel, App, Const, MachineInfo, Op, Property, StateVar, TransitionSystem, Var
from model.load import load_spec
from model.sorts import BOOL, EnumSort, IndexSort, IntSort, OptionSort

ROOT = Path(__file__).resolve().parents[2]
TDX = ROOT / "specs" / "tdx" / "teardown.yaml"
LOCK = ROOT / "tests" / "specs" / "symmetric_lock.yaml"
OFF = EncodingOptions(symmetry=False)


def _tdx(variant: str, v: int, p: int, k: int = 2) -> TransitionSystem:
    [ts] = load_spec(TDX, (f"V={v}", f"P={p}", f"K={k}"), variant)
    return ts


def _reachable(ts: TransitionSystem, limit: int) -> list[tuple[int, ...]]:
    seen = dict.fromkeys(initial_states(ts))
    queue = deque(seen)
    steps = [(compile_expr(a.guard), [(s, compile_expr(e)) for s, e in a.updates]) for a in ts.actions]
    while queue and len(seen) < limit:
        s = queue.popleft()
        for guard, ups in steps:
            if guard(s):
                t = successor(s, ups)
                if t not in seen:
                    seen[t] = None
                    queue.append(t)
    return list(seen)


# ---- automorphisms ------------------------------------------------------------------------------

def test_tdx_permutations_are_automorphisms_of_the_reachable_states() -> None:
    """On concrete states: g(action) is enabled in g(s) iff action is in s, leads to g(t), and
    every state property has the same value in g(s)."""
    ts = _tdx("v19", 2, 2)
    autos = automorphisms(ts)   # V=P=K=2: the vCPU swap, the LP swap (cells of pkg_of move), the
    assert [dict(g.perms) for g in autos] == [      # package swap (values of pkg_of are renamed)
        {"LP": (1, 0), "Pkg": (0, 1), "VCPU": (0, 1)}, {"LP": (0, 1), "Pkg": (1, 0), "VCPU": (0, 1)},
        {"LP": (0, 1), "Pkg": (0, 1), "VCPU": (1, 0)}]
    guards = [compile_expr(a.guard) for a in ts.actions]
    ups = [[(s, compile_expr(e)) for s, e in a.updates] for a in ts.actions]
    preds = [compile_expr(p.pred) for p in ts.properties if p.pred is not None and not p.temporal]
    states = _reachable(ts, 1500)
    assert len(states) == 1500
    for g in autos:
        for s in states:
            gs = g.state(s)
            assert [p(s) for p in preds] == [p(gs) for p in preds]
            for i, j in enumerate(g.actions):
                assert bool(guards[i](s)) == bool(guards[j](gs))
                if guards[i](s):
                    assert successor(gs, ups[j]) == g.state(successor(s, ups[i]))


def test_every_permutation_of_three_vcpus_is_used() -> None:
    autos = automorphisms(_tdx("v19", 3, 2))
    moved = [dict(g.perms)["VCPU"] for g in autos if dict(g.perms)["VCPU"] != (0, 1, 2)]
    assert sorted(moved) == [(0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)]
    assert len(autos) == 5 + 1 + 1            # and the LP swap and the package swap
    assert all(sorted(g.actions) == list(range(len(g.actions))) for g in autos)


P2 = IndexSort("P", 2, symmetric=True)
PC = EnumSort("pc", ("a", "b"))


def _two(guard_of_1: Const) -> TransitionSystem:
    """Two instances of a machine over a symmetric set; instance 1's guard is given."""
    vars_ = tuple(StateVar(f"m[{i}].pc", PC, "m.pc", str(i), "m", P2, i) for i in range(2)) + (
        StateVar("owner", OptionSort(P2), "owner"),)
    acts = tuple(Action(ActionLabel("m", "go", i, ()), smart.And(smart.Eq(Var(i, PC), Const(0, PC)), g),
                        ((i, Const(1, PC)), (2, Const(i, P2))))
                 for i, g in enumerate((smart.TRUE, guard_of_1)))
    props = (Property("one", "invariant", pred=smart.Eq(Var(2, OptionSort(P2)), Const(-1, OptionSort(P2)))),)
    return TransitionSystem("two", "<t>", (), None, vars_, ((0,), (0,), (-1,)), None, acts, props,
                            (MachineInfo("m", 2, (0, 1)),))


def test_an_asymmetric_system_gets_no_symmetry_breaking() -> None:
    """The lowering is checked, not trusted: a system that only claims symmetry gets none."""
    assert len(automorphisms(_two(smart.TRUE))) == 1
    assert automorphisms(_two(smart.FALSE)) == ()
    ts = _two(smart.FALSE)
    for symmetry in (True, False):   # vCPU 1 cannot move: only instance 0 can violate `one`
        v = bmc.check(ts, "one", Budget(max_depth=3), options=EncodingOptions(symmetry=symmetry))
        assert isinstance(v, Violated) and v.trace.actions == (0,)


def test_image_renames_elements_and_moves_slots() -> None:
    ts = _two(smart.TRUE)
    [g] = automorphisms(ts)
    e = smart.And(smart.Eq(Var(0, PC), Const(1, PC)), smart.Eq(Var(2, OptionSort(P2)), Const(0, P2)))
    assert key(image(e, g)) == key(smart.And(smart.Eq(Var(1, PC), Const(1, PC)),
                                             smart.Eq(Var(2, OptionSort(P2)), Const(1, P2))))
    assert g.state((1, 0, 0)) == (0, 1, 1) and g.state((0, 0, -1)) == (0, 0, -1)


# ---- focus --------------------------------------------------------------------------------------

def test_focus_makes_vcpu_0_the_culprit() -> None:
    ts = _tdx("v19", 3, 3)
    autos = automorphisms(ts)
    swap12 = [dict(g.perms)["VCPU"] in ((0, 1, 2), (0, 2, 1)) for g in autos]   # and the LP, Pkg ones
    s1p = focus(ts.prop("S1p"), autos)
    [(i, bad)] = s1p.prop.bad        # vpflushdone with vCPU 0 associated, of nassoc != 0
    assert ts.actions[i].label.qualified == "td.vpflushdone"
    assert {ts.vars[x.slot].name for x in _vars(bad)} == {"td.pc", "assoc[0]"}
    # lex-leader: swap(1, 2) and every LP or package permutation fix that witness (always
    # applies), the other vCPU permutations do not
    assert list(s1p.fixed) == swap12
    s5 = focus(ts.prop("S5"), autos)
    assert len(ts.prop("S5").bad) == 90 and len(s5.prop.bad) == 8      # vCPU 0 on LP 0 (30 with VCPU alone)
    for i, _ in s5.prop.bad:
        lab = ts.actions[i].label
        assert lab.instance == 0 or [a.value for a in lab.args if a.sort.name == "VCPU"] == [0]
        assert [a.value for a in lab.args if a.sort.name == "LP"][:1] == [0]
    assert len(disjuncts(focus(ts.prop("S2"), autos).prop.pred, negated=True)) == 1   # of 9: (v, p)


def test_a_property_without_symmetric_witnesses_keeps_every_permutation() -> None:
    ts = _tdx("v19", 3, 3)
    autos = automorphisms(ts)
    for name in ("loud_leak", "deadlock"):     # (S6 names packages: symmetric since issue 16)
        f = focus(ts.prop(name), autos)
        assert f.prop == ts.prop(name) and f.fixed == (True,) * len(autos)


def _vars(e: object) -> list[Var]:
    if isinstance(e, Var):
        return [e]
    return [v for x in getattr(e, "args", ()) for v in _vars(x)]


X = IntSort(0, 3)


def test_disjuncts() -> None:
    a, b, c = (smart.Eq(Var(k, X), Const(1, X)) for k in range(3))
    count = App(Op.ADD, tuple(smart.Ite_(x, Const(1, X), Const(0, X), X) for x in (a, b, c)), X)
    assert disjuncts(smart.Not(smart.Eq(count, Const(0, X)))) == [a, b, c]      # count(...) != 0
    assert disjuncts(smart.Eq(count, Const(0, X)), negated=True) == [a, b, c]
    assert disjuncts(App(Op.IMPLIES, (a, smart.And(b, c)), BOOL), negated=True) == \
        [smart.And(a, smart.Not(b)), smart.And(a, smart.Not(c))]
    assert disjuncts(smart.And(a, smart.Or(b, c))) == [smart.And(a, b), smart.And(a, c)]
    assert disjuncts(smart.And(smart.Or(a, b), smart.Or(b, c))) == [smart.And(smart.Or(a, b), smart.Or(b, c))]


# ---- shortest depths, on and off ----------------------------------------------------------------

@pytest.mark.parametrize("n", [2, 3, 4])
def test_symmetric_lock_agrees_with_explicit(n: int) -> None:
    [ts] = load_spec(LOCK, (f"N={n}",))
    ref = explore(ts)
    names = [p.name for p in ts.properties]
    for options in (None, OFF):
        for v, r in zip(bmc.check_all(ts, names, Budget(max_depth=ref.diameter + 1), options=options),
                        ref.verdicts, strict=True):
            if isinstance(r, Violated):
                assert isinstance(v, Violated) and v.trace.depth == r.trace.depth, (v, r)
            else:
                assert isinstance(r, Proved) and isinstance(v, HoldsUpTo)


# (V, P, K) = (2, 2, 1): tests/test_tdx_matrix.py's lengths (explicit BFS)
@pytest.mark.parametrize(("variant", "expected"), [
    ("v19", {"no_stale_list": 16, "S1p": 15, "S4_flush": 11, "S2": 11}),
    ("mut_skip_migration_flush", {"S1p": 21, "S2": 15, "S3": 14}),
    ("mut_v19_no_free_disassociate", {"freed_off_list": 20}),
])
@pytest.mark.parametrize("symmetry", [True, False], ids=["on", "off"])
def test_tdx_shortest_depths(variant: str, expected: dict[str, int], symmetry: bool) -> None:
    ts = _tdx(variant, 2, 2, 1)
    vs = bmc.check_all(ts, list(expected), Budget(max_depth=25), options=EncodingOptions(symmetry=symmetry))
    assert {v.prop: v.trace.depth for v in vs if isinstance(v, Violated)} == expected


def test_tdx_s5_shortest_depth() -> None:
    """S5 (the deepest: vCPU 0 is the culprit, the other vCPU a bystander), symmetry on."""
    v = bmc.check(_tdx("v19", 2, 2, 1), "S5", Budget(max_depth=25))
    assert isinstance(v, Violated) and v.trace.depth == 22


def test_tdx_three_vcpus_shortest_depth() -> None:
    """tests/test_tdx_matrix.py::test_three_vcpus (explicit, symmetry-reduced): 19."""
    v = bmc.check(_tdx("v19_atomic_init", 3, 2, 1), "no_stale_list", Budget(max_depth=20))
    assert isinstance(v, Violated) and v.trace.depth == 19
