"""`--for-all` on the TDX suite (issue 16): every holding safety property of every variant is
proved for all V, P and K, deadlock included, but S2 where it is violated whenever P > K (docs/tdx.md
section 5e); nothing expected violated is proved; each proof agrees with the explicit engine at V = 1
and 2; and a lemma a proof needs, removed, leaves it unproved, with a counterexample to induction that
satisfies the other lemmas."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from checker.core.verdict import Proved, Unknown
from checker.run.runner import RunOptions, run_instance
from model.evaluate import compile_expr
from model.ir import TransitionSystem
from model.load import load_spec
from tests.checker.test_forall import FOR_ALL, without

TDX = Path(__file__).resolve().parents[2] / "specs" / "tdx" / "teardown.yaml"
VARIANTS = [ts.variant for ts in load_spec(TDX)]


@pytest.mark.slow
@pytest.mark.parametrize("variant", VARIANTS)
def test_tdx_holding_safety_proved_for_all_v(variant: str) -> None:
    ts = load_spec(TDX, (), variant)[0]
    safety = [p.name for p in ts.properties if not p.temporal]
    got = {v.prop: v for v in run_instance(ts, safety, FOR_ALL).verdicts}
    holding = {p for p in safety if ts.prop(p).expect in (None, "holds")}
    # S2 is violated at every size with P > K unless KVM_TDX_INIT_VCPU is atomic (its expectation there)
    s2 = load_spec(TDX, ("V=1", "P=3", "K=2"), variant)[0].prop("S2").expect == "violated"
    assert "deadlock" in holding
    assert {p for p, v in got.items() if isinstance(v, Proved)} == holding - ({"S2"} if s2 else set())
    assert all(v.for_all == ("V", "P", "K") and v.detail.startswith("for all V >= 1, P >= 2, K >= 1: ")
               for v in got.values() if isinstance(v, Proved))
    for n in (1, 2):   # the explicit engine's exact verdicts at the sizes that finish quickly
        small = load_spec(TDX, (f"V={n}",), variant)[0]
        exp = run_instance(small, sorted(holding), RunOptions("explicit")).verdicts
        assert all(isinstance(v, Proved) for v in exp), (n, [v.prop for v in exp if not isinstance(v, Proved)])


@pytest.mark.slow
@pytest.mark.parametrize(("lemma", "variant", "prop", "reason"), [
    ("hkid_online", "v6_16", "S8",
     "not proved for all sizes: S8 is not inductive relative to the lemmas: it fails after vm.mng_create()"),
    ("lists_agree", "v6_16", "S4_list",
     "the lemmas are not proved for all sizes: lemma loaded_online is not inductive: it fails after "
     "cpuhp.finish(c=c)"),
    ("assoc_belief", "v6_16_atomic_init", "S3",
     "the lemmas are not proved for all sizes: lemma leak_path is not inductive: it fails after td.vpflushdone()"),
    ("wb_loop_open", "v6_16", "deadlock", "not proved for all sizes: a state satisfying the lemmas is a deadlock"),
])
def test_tdx_lemma_removed_is_not_proved(tmp_path: Path, lemma: str, variant: str, prop: str, reason: str) -> None:
    ts = load_spec(without(TDX, tmp_path, lemma), (), variant)[0]
    v = run_instance(ts, [prop], FOR_ALL).verdicts[0]
    assert isinstance(v, Unknown) and v.cti_text
    assert v.reason == reason




def cti_state(cti: str) -> tuple[TransitionSystem, tuple[int, ...]]:
    """State 0 of a counterexample to induction as a state of the finite instance of the CTI's
    size (`a model with VCPU = {VCPU0}, LP = {LP0, LP1}, Pkg = {Pkg0}` is V=1 P=2 K=1; the cell
    `assoc[VCPU0] = LP1` is `assoc[0] = 1` there)."""
    head, _, *lines = cti.splitlines()
    sizes = dict(re.findall(r"(\w+) = \{([^}]*)\}", head))
    params = {"VCPU": "V", "LP": "P", "Pkg": "K"}
    ts = load_spec(TDX, tuple(f"{params[n]}={len(e.split(', '))}" for n, e in sizes.items()), "v6_16")[0]
    elem = re.compile(rf"\b(?:{'|'.join(sizes)})(\d+)\b")
    cells = {elem.sub(r"\1", k): elem.sub(r"\1", v) for k, v in (line.strip().split(" = ", 1) for line in lines)}
    assert len(cells) == len(ts.vars)
    return ts, tuple(next(v for v in sv.sort.values() if sv.sort.render(v) == cells[sv.name]) for sv in ts.vars)


@pytest.mark.slow
def test_tdx_deadlock_cti_satisfies_the_lemmas(tmp_path: Path) -> None:
    """Without wb_loop_open, deadlock's counterexample to induction is the write-back loop with
    every package visited, a deadlock that satisfies every other lemma at the CTI's size (the
    minimised model once dropped the lemmas and showed, e.g., an idle hotplug machine with a CPU
    going offline)."""
    ts = load_spec(without(TDX, tmp_path, "wb_loop_open"), (), "v6_16")[0]
    v = run_instance(ts, ["deadlock"], FOR_ALL).verdicts[0]
    assert isinstance(v, Unknown) and v.cti_text
    small, state = cti_state(v.cti_text)
    cell = {sv.name: sv.sort.render(x) for sv, x in zip(small.vars, state, strict=True)}
    assert cell["td.pc"] == "rel_wb" and all(x == "true" for n, x in cell.items() if n.startswith("wbdone["))
    held = {lem.name: bool(compile_expr(lem.pred)(state)) for lem in small.lemmas if lem.pred is not None}
    assert held == {lem.name: lem.name != "wb_loop_open" for lem in small.lemmas}


@pytest.mark.slow
def test_tdx_v6_16_l1_proved_for_all_sizes() -> None:
    """L1 (teardown terminates) of v6_16 for every V, P and K: the product's candidates filtered on
    its reachable states at V=1 P=2 K=1 (NOTE(forall-filter)), the survivors proved Houdini style
    with the failing queries answered in a small universe (NOTE(houdini-small)); about 3 minutes
    of CPU, every z3 query bounded by its work limit."""
    ts = load_spec(TDX, (), "v6_16")[0]
    v = run_instance(ts, ["L1"], FOR_ALL).verdicts[0]
    assert isinstance(v, Proved) and v.for_all == ("V", "P", "K")
    assert v.detail == (
        "for all V >= 1, P >= 2, K >= 1: liveness to safety, induction with 21 lemmas (vm_order, vm_keyconfig, "
        "vm_up_initialised, op_init_keys, khkid_life, lists_agree, refs_or_blocked, loaded_alive, "
        "design_paths, hotplug_cpu, vcpu_after_init, loaded_online, before_init, alive_fresh, alive_unblocked, "
        "release_keys, listed_keys, lists_empty_after_release, loops_reset, wb_loop_open, hkid_online) "
        "and 30 product lemmas")


@pytest.mark.slow
@pytest.mark.parametrize("variant", ["mainline", "normal_way", "v6_16_atomic_init", "f1_flush_flag", "f3_loud_leak",
                                     "mut_skip_migration_flush", "mut_f1_flag_at_create", "terminate_vm",
                                     "terminate_vm_atomic_init", "v19_atomic_init", "mut_v19_no_free_disassociate"])
def test_tdx_l1_proved_for_all_sizes(variant: str) -> None:
    """L1 for every V, P and K in the other variants where it holds (docs/tdx.md section 5e):
    3-4 minutes of CPU each, terminate_vm and terminate_vm_atomic_init 25-35 minutes (their
    offline loops need the rest candidates, NOTE(forall-rest-stages)), v19_atomic_init and
    mut_v19_no_free_disassociate about 20 (the retry and reload loops need the re-entry
    candidates of the third stage, NOTE(forall-reentry))."""
    ts = load_spec(TDX, (), variant)[0]
    v = run_instance(ts, ["L1"], FOR_ALL).verdicts[0]
    assert isinstance(v, Proved) and v.for_all == ("V", "P", "K")
    assert v.detail.startswith("for all V >= 1, P >= 2, K >= 1: liveness to safety, induction with ")


@pytest.mark.slow
@pytest.mark.parametrize("variant", ["v6_16_atomic_init", "f1_flush_flag", "mut_f1_flag_at_create",
                                     "terminate_vm_atomic_init", "v19_atomic_init", "mut_v19_no_free_disassociate"])
def test_tdx_l2_proved_for_all_sizes(variant: str) -> None:
    """L2 (the HKID is eventually freed) for every V, P and K where it holds: the loops with CPU
    offline in progress are excluded by the rest candidates (NOTE(forall-rest): while the offline
    rests on its CPU, no vCPU joins that CPU's list; an offline that left `hp_flushing` and came
    back took `finish`, and a CPU taken offline stays offline), v19's retry loop by the re-entry
    candidates (NOTE(forall-reentry): the retry edge after VPFLUSHDONE is dead, so the flush
    loop's marks only grow); about 15-20 minutes of CPU each. The lemma counts in the detail are
    read off z3's unsat cores (docs/tdx.md gives the CLI's)."""
    ts = load_spec(TDX, (), variant)[0]
    v = run_instance(ts, ["L2"], FOR_ALL).verdicts[0]
    assert isinstance(v, Proved) and v.for_all == ("V", "P", "K")
    assert v.detail.startswith("for all V >= 1, P >= 2, K >= 1: liveness to safety, induction with ")
    assert v.detail.endswith(" product lemmas")


@pytest.mark.slow
def test_tdx_violated_liveness_is_never_proved_for_all_sizes() -> None:
    """v19's L1 and L2 are violated (the retry loop spins, docs/tdx.md section 5b), so no candidate
    the liveness product keeps can prove them: each is `unknown`, never `proved` (minutes of CPU)."""
    ts = load_spec(TDX, (), "v19")[0]
    got = run_instance(ts, ["L1", "L2"], FOR_ALL).verdicts
    assert [type(v).__name__ for v in got] == ["Unknown", "Unknown"], got
    assert all(v.reason.startswith("liveness to safety: ") for v in got if isinstance(v, Unknown))
