"""The finite filter of the liveness product's candidates (checker/smt/forall_filter.py,
NOTE(forall-filter)): a candidate some reachable product state falsifies is dropped and one that
holds is kept; the states it enumerates are the finite instance's reachable states, each with its
monitor bits; and it never drops a candidate the SMT Houdini keeps, so the filtered Houdini keeps
exactly what the unfiltered one keeps and every verdict stays the same (fixed specs and generated
ones with weak and strong fairness)."""

from __future__ import annotations

from pathlib import Path

import pytest
import z3
from hypothesis import HealthCheck, given, settings

from checker.core.budget import Budget
from checker.smt import forall, forall_filter, forall_live
from checker.smt import forall_l2s as L2
from checker.smt.mine import SampleSize, sample
from checker.smt.solver import Outcome
from model.ir import Const, TransitionSystem, Var
from model.load import load_spec
from model.lower_param import ParamSystem, PProperty, lower_param_at
from model.smart import Eq, Implies, Not
from model.sorts import NONE_VALUE
from tests.checker.test_forall_live import BLINK, LOCK, OFFLINE, RLIMIT, SWEEP, fair_specs

TDX = Path(__file__).resolve().parents[2] / "specs" / "tdx" / "teardown.yaml"


def _product(path: Path, params: tuple[str, ...], variant: str | None, prop: str) -> tuple[TransitionSystem, ParamSystem, L2.Product]:
    ts = load_spec(path, params, variant)[0]
    ps = lower_param_at(ts.path, ts.params, ts.variant)
    assert isinstance(ps, ParamSystem)
    p = next(x for x in ps.properties if x.name == prop)
    return ts, ps, L2.product(ps, p, L2.groups(ps))


def test_a_falsified_candidate_is_dropped_and_a_true_one_kept() -> None:
    ts, ps, pr = _product(LOCK, ("N=2",), "weak", "progress")
    b = pr.builder
    lock = next(Var(i, v.sort) for i, v in enumerate(ps.vars) if v.name == "lock")
    never_saved = PProperty("never_saved", "invariant", pred=Not(b.saved))   # the save is a step
    free_lock = PProperty("free_lock", "invariant", pred=Eq(lock, Const(NONE_VALUE, lock.sort)))
    # true of every product (the monitor bits' meaning), and a true fact of this one
    true_ones = [c for c in forall_live.candidates(ts, pr, "progress", Budget())
                 if c.name in ("~fresh", "~unmoved", "~pinned", "~held")]
    assert len(true_ones) == 4
    assert forall_filter.drop(ts, pr, [never_saved, free_lock, *true_ones]) == {"never_saved", "free_lock"}
    # the false claim under a premise no reachable state meets is kept (a true implication)
    vacuous = PProperty("vacuous", "invariant", pred=Implies(Not(Eq(lock, lock)), Not(b.saved)))
    assert forall_filter.drop(ts, pr, [vacuous]) == set()
    assert forall_filter.drop(ts, pr, [never_saved], max_states=0) == set()   # no filter


def test_a_candidate_false_only_one_size_up_is_dropped_by_the_larger_sample() -> None:
    """NOTE(forall-filter-more): offline.yaml's "while the offline's pc equals the saved one, its
    CPU is the saved one" (`~stay[hp,hp_cpu]`) is true at the least sizes (P = 2: one CPU may go
    offline, never two) and false at P = 3 (an offline finished on one CPU, begun on another):
    only the sample one CPU larger drops it; its rest-bit form (`~rstay`) is true at every size
    and kept. Without the larger samples it stays for the SMT Houdini."""
    ts, ps, pr = _product(OFFLINE, ("N=1", "P=2"), "fair", "closes")
    cands = {c.name: c for c in forall_live.candidates(ts, pr, "closes", Budget())}
    pick = [cands["~stay[hp,hp_cpu]"], cands["~rstay[hp,hp_cpu]"]]
    assert [i.params for i in forall_filter.larger(ts, ps)] == [(("N", "2"), ("P", "2"), ("walk", "weak")),
                                                                 (("N", "1"), ("P", "3"), ("walk", "weak"))]
    assert forall_filter.drop(ts, pr, pick) == {"~stay[hp,hp_cpu]"}
    assert forall_filter.drop(ts, pr, pick, more_states=0) == set()


@pytest.mark.parametrize(("path", "params", "variant", "prop", "states"), [
    (LOCK, ("N=2",), "weak", "progress", 99),
    (SWEEP, ("N=2",), "strong", "ends", 165),
    (TDX, ("V=1", "P=2", "K=1"), "v6_16", "L1", 3_652),
])
def test_the_sample_is_the_reachable_product(path: Path, params: tuple[str, ...], variant: str, prop: str,
                                             states: int) -> None:
    """Every state the filter enumerates is a reachable state of the product at that size: its
    system part ranges over exactly the finite instance's reachable states (the explicit
    semantics of checker/core/semantics.py), and it holds the product's initial values until the
    save."""
    ts, ps, pr = _product(path, params, variant, prop)
    b = pr.builder
    flags = [(slot, f.init, f.sort) for slot, f in b.flags]
    got = forall_filter.explore(ts, pr.system, ps, b.shadow, flags, pr.family)
    assert got.complete and len(got.states) == states
    read = forall_filter.layout(ts, ps)
    want = {tuple(read(s)) for s in sample(ts, SampleSize(bfs_states=10**6, walks=0))}
    assert {s[:len(ps.vars)] for s in got.states} == want
    saved = b.names["saved"]
    assert all(s[b.names["moved"]] is False or s[saved] for s in got.states)


# ---- the filtered Houdini against the unfiltered one ------------------------------------------


def _kept(monkeypatch: pytest.MonkeyPatch, path: Path, variant: str | None, states: int, cores: bool = True,
          budget: Budget | None = None) -> tuple[list[tuple[set[str], list[set[str]]]], dict[str, str]]:
    """Per temporal property proved: the candidates the filter dropped and the set each Houdini
    tier kept; and the verdicts."""
    runs: list[tuple[set[str], list[set[str]]]] = []
    houdini, drop = forall_live.houdini, forall_filter.drop

    def record(*a: object, **k: object) -> object:
        got = houdini(*a, **k)   # type: ignore[arg-type]
        if isinstance(got, set):
            runs[-1][1].append(set(got))
        return got

    def seen(*a: object, **k: object) -> set[str]:
        got = drop(*a, **k)   # type: ignore[arg-type]
        runs.append((set(got), []))
        return got
    with monkeypatch.context() as m:
        m.setattr(forall_live, "houdini", record)
        m.setattr(forall_filter, "drop", seen)
        m.setattr(forall_live, "FILTER_STATES", states)
        m.setattr(forall_live, "HOUDINI_CORES", cores)
        got = _verdicts(path, variant, budget)
    return runs, got


def _verdicts(path: Path, variant: str | None, budget: Budget | None = None) -> dict[str, str]:
    ts = load_spec(path, (), variant)[0]
    props = [p.name for p in ts.properties if p.temporal]
    param = lower_param_at(ts.path, ts.params, ts.variant)
    got = forall.check_all(ts, props, budget or Budget(rlimit=RLIMIT), param=param, temporal=forall_live.check)
    return {v.prop: f"{type(v).__name__}: {getattr(v, 'detail', '') or getattr(v, 'reason', '')}" for v in got}


def _same_proofs(monkeypatch: pytest.MonkeyPatch, path: Path, variant: str | None) -> int:
    """How many candidates the filter dropped, having checked that it changed nothing else."""
    plain, before = _kept(monkeypatch, path, variant, 0)
    filtered, after = _kept(monkeypatch, path, variant, forall_filter.MAX_STATES)
    assert before == after
    assert [tiers for _, tiers in filtered] == [tiers for _, tiers in plain]
    assert not any(dropped for dropped, _ in plain)
    for (dropped, _), (_, tiers) in zip(filtered, plain, strict=True):
        assert not dropped & set().union(*tiers)   # NOTE(forall-filter): never a candidate Houdini keeps
    return sum(len(dropped) for dropped, _ in filtered)


@pytest.mark.parametrize(("path", "variant"), [
    (SWEEP, "strong"),
    *(pytest.param(p, v, marks=pytest.mark.slow) for p, v in ((LOCK, "weak"), (LOCK, "strong"), (BLINK, "strong"),
                                                                (BLINK, "weak"))),
])
def test_filtered_houdini_keeps_what_the_unfiltered_one_keeps(monkeypatch: pytest.MonkeyPatch, path: Path,
                                                              variant: str) -> None:
    assert _same_proofs(monkeypatch, path, variant) > 0   # the filter drops something on each


@pytest.mark.slow
@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=fair_specs())
def test_filtered_houdini_on_generated_fair_specs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str) -> None:
    """Filtered or not, with unsat cores or not (NOTE(houdini-cores)), with one work limit or two
    (NOTE(houdini-one-limit)): the same candidates kept."""
    f = tmp_path / "gen.yaml"
    f.write_text(text)
    _same_proofs(monkeypatch, f, None)
    _same_with_cores(monkeypatch, f, None)
    _same_with_one_limit(monkeypatch, f, None)


def _same_with_cores(monkeypatch: pytest.MonkeyPatch, path: Path, variant: str | None) -> None:
    """NOTE(houdini-cores): Houdini keeps the same candidates in every tier, and every verdict is
    the same, whether a query unsat under candidates still kept is asked again or not."""
    asked, before = _kept(monkeypatch, path, variant, forall_filter.MAX_STATES, cores=False)
    cached, after = _kept(monkeypatch, path, variant, forall_filter.MAX_STATES, cores=True)
    assert before == after
    assert cached == asked


@pytest.mark.parametrize(("path", "variant"), [
    (SWEEP, "strong"), (OFFLINE, "fair"),
    *(pytest.param(p, v, marks=pytest.mark.slow) for p, v in ((LOCK, "weak"), (LOCK, "strong"), (BLINK, "strong"))),
])
def test_houdini_keeps_the_same_with_unsat_cores(monkeypatch: pytest.MonkeyPatch, path: Path, variant: str) -> None:
    _same_with_cores(monkeypatch, path, variant)


def _same_with_one_limit(monkeypatch: pytest.MonkeyPatch, path: Path, variant: str | None) -> int:
    """NOTE(houdini-one-limit): with small limits (so that many first attempts have no answer),
    Houdini keeps the same candidates in every tier, and every verdict is the same, whether a
    quantified query is asked at the small limit and then once more at the larger one, or once
    at the larger one. Returns how many first attempts had no answer in the two-attempt run."""
    small, large = 5_000, 400_000
    monkeypatch.setattr(forall_live, "HOUDINI_RLIMIT", small)
    monkeypatch.setattr(forall_live, "HOUDINI_QUANTIFIED_RLIMIT", large)
    check, undecided = forall_live.solver_check, [0]

    def counted(s: z3.Solver, budget: Budget, *a: z3.BoolRef) -> Outcome:
        out = check(s, budget, *a)
        undecided[0] += budget.rlimit == small and out.result == "unknown"
        return out
    with monkeypatch.context() as m:
        m.setattr(forall_live, "solver_check", counted)
        m.setattr(forall_live, "HOUDINI_ONE_LIMIT", False)
        two = _kept(monkeypatch, path, variant, forall_filter.MAX_STATES, budget=Budget())
    one = _kept(monkeypatch, path, variant, forall_filter.MAX_STATES, budget=Budget())
    assert one == two
    return undecided[0]


@pytest.mark.parametrize(("path", "variant"), [
    (SWEEP, "strong"), (OFFLINE, "fair"),
    *(pytest.param(p, v, marks=pytest.mark.slow) for p, v in ((LOCK, "weak"), (LOCK, "strong"), (BLINK, "strong"))),
])
def test_houdini_keeps_the_same_with_one_limit(monkeypatch: pytest.MonkeyPatch, path: Path, variant: str) -> None:
    assert _same_with_one_limit(monkeypatch, path, variant) > 0   # the first attempts do run out
