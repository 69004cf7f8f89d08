"""TDX teardown liveness (specs/tdx/teardown.yaml, docs/tdx.md §5b): L1 and L2 per variant.

L1 (teardown terminates): once teardown has started, the teardown thread reaches `done` or
`leaked` (or waits in `wait_refs` while userspace still holds a reference).
L2 (HKID eventually freed): once the last reference is gone or teardown has started, KVM has
released the HKID and the module's TD is TD_TEARDOWN or later.

Only the explicit engine decides liveness. These tests pin the plain graph's lassos (symmetry off,
as `--no-symmetry` shows them); tests/checker/test_vector_livesym.py checks the symmetry quotient's
verdicts and lassos against them. Each violation is a
lasso (`trace.depth` steps, the loop starting at state `trace.loop`; loop == depth is a state
with nothing enabled, stuttering for ever), replayed and checked for shape and fairness by
checker.replay.validate. (V, P, K) = (1, 2, 1) is the smallest size; (1, 2, 2) gives the cleaner
stutter lassos (no CPU can go offline while the HKID is held), (2, 2, 2) is the spec's default
size that `seamcheck check specs/tdx/teardown.yaml` runs.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

from checker.core.verdict import Proved, Violated
from checker.explicit.search import explore
from checker.traces.replay import validate
from model.evaluate import compile_expr
from model.load import instantiate, parse_spec
from model.source import SourceFile

SPEC = Path(__file__).resolve().parent.parent / "specs" / "tdx" / "teardown.yaml"
LIVENESS = ("L1", "L2")

# (V, P, K) -> variant -> violated property -> (lasso depth, loop index); absent: holds
LASSOS: dict[tuple[int, int, int], dict[str, dict[str, tuple[int, int]]]] = {
    (1, 2, 1): {
        "v6_16": {"L2": (19, 19)},
        "v6_16_atomic_init": {},
        "v19": {"L1": (14, 12), "L2": (14, 12)},
        "v19_atomic_init": {},
        "normal_way": {"L2": (19, 19)},
        "terminate_vm": {"L2": (20, 20)},
        "terminate_vm_atomic_init": {},
        "mut_skip_migration_flush": {"L2": (22, 22)},
        "mut_v19_no_free_disassociate": {},
        "mainline": {"L2": (19, 19)},
        "f1_flush_flag": {},
        "f3_loud_leak": {"L2": (19, 19)},
        "mut_f1_flag_at_create": {},
    },
    (1, 2, 2): {
        "v6_16": {"L2": (18, 18)},
        "v6_16_atomic_init": {},
        "v19": {"L1": (15, 13), "L2": (15, 13)},
        "v19_atomic_init": {},
        "normal_way": {"L2": (18, 18)},
        "terminate_vm": {"L2": (19, 19)},
        "terminate_vm_atomic_init": {},
        "mut_skip_migration_flush": {"L2": (21, 21)},
        "mut_v19_no_free_disassociate": {},
        "mainline": {"L2": (18, 18)},
        "f1_flush_flag": {},
        "f3_loud_leak": {"L2": (18, 18)},
        "mut_f1_flag_at_create": {},
    },
    (2, 2, 2): {  # the default size: the spec's `expect:` entries describe this row
        "v6_16": {"L2": (22, 22)},
        "v6_16_atomic_init": {},
        "v19": {"L1": (18, 15), "L2": (18, 15)},
        "v19_atomic_init": {},
        "normal_way": {"L2": (22, 22)},
        "terminate_vm": {"L2": (23, 23)},
        "terminate_vm_atomic_init": {},
        "mut_skip_migration_flush": {"L2": (25, 25)},
        "mut_v19_no_free_disassociate": {},
        "mainline": {"L2": (22, 22)},
        "f1_flush_flag": {},
        "f3_loud_leak": {"L2": (22, 22)},
        "mut_f1_flag_at_create": {},
    },
}

# The adversary: transitions with no fairness (userspace's choices, the scheduler's preemption and
# migration, CPU offline, mm-exit timing). Every other transition is a kernel thread's own next
# step and is weakly or strongly fair. The spec has no `may_fail` outcomes.
ADVERSARIAL = {
    "vm.mng_create", "vm.finalize",
    "vcpu.create", "vcpu.init_ioctl", "vcpu.run_ioctl", "vcpu.migrate_nocall", "vcpu.migrate_flush", "vcpu.exit_run",
    "vcpu.close_fd",
    "cpuhp.begin",
    "td.close_vmfd", "td.mm_exit", "td.terminate", "td.reload_migrate_nocall", "td.reload_migrate_flush",
}
# strong: the step waits for an IPI to an online CPU (ipi_ok: that CPU's offline callback runs with
# IRQs off) or for cpus_read_lock (hp_cpu); both are released every time, so the step is enabled
# infinitely often and strong fairness is what the kernel guarantees.
STRONG = {"td.last_ref", "td.flush_nocall", "td.flush_call", "td.reload_nocall", "td.vcpu_free_keep",
          "td.vcpu_free_reclaim"}


@functools.cache
def _parsed(text: str | None):  # type: ignore[no-untyped-def]
    """Parsing the spec costs more than exploring it at V=1; parse each text once."""
    return parse_spec(SourceFile(str(SPEC), SPEC.read_text() if text is None else text))


@functools.cache
def _system(variant: str, size: tuple[int, int, int], text: str | None = None):  # type: ignore[no-untyped-def]
    over = tuple(f"{n}={x}" for n, x in zip("VPK", size, strict=True))
    (ts,) = instantiate(_parsed(text), over, variant)
    return ts


@functools.cache
def _verdicts(variant: str, size: tuple[int, int, int], text: str | None = None):  # type: ignore[no-untyped-def]
    ts = _system(variant, size, text)
    res = explore(ts, LIVENESS, symmetry=False)
    assert res.complete
    assert res.symmetry == ()
    return ts, {p: res.verdict(p) for p in LIVENESS}


def _lassos(variant: str, size: tuple[int, int, int], text: str | None = None) -> dict[str, tuple[int, int]]:
    ts, verdicts = _verdicts(variant, size, text)
    got = {}
    for prop, v in verdicts.items():
        if isinstance(v, Violated):
            validate(ts, v.trace, prop)    # replays, has the lasso shape, and its loop is fair
            assert v.trace.loop is not None
            got[prop] = (v.trace.depth, v.trace.loop)
        else:
            assert isinstance(v, Proved), v
    return got


def _value(ts, state, name: str) -> str:  # type: ignore[no-untyped-def]
    i = ts.slot(name)
    return ts.vars[i].sort.render(state[i])


def _result(ts, action: int, pre) -> str:  # type: ignore[no-untyped-def]
    act = ts.actions[action]
    assert act.result is not None
    return ts.statuses[compile_expr(act.result)(pre)]


@pytest.mark.parametrize("size", list(LASSOS), ids=lambda s: f"V{s[0]}P{s[1]}K{s[2]}")
@pytest.mark.parametrize("variant", list(LASSOS[(1, 2, 1)]))
def test_liveness_matrix(variant: str, size: tuple[int, int, int]) -> None:
    assert _lassos(variant, size) == LASSOS[size][variant]
    ts, verdicts = _verdicts(variant, size)
    for prop, v in verdicts.items():
        if isinstance(v, Violated):
            # the loop is the kernel's own steps (or a stutter): no adversarial step keeps it going,
            # so no fair scheduling of anything else gets the system out of it
            loop = v.trace.actions[v.trace.loop:]
            assert all(ts.actions[a].fair for a in loop), v.trace.labels(ts)[v.trace.loop:]
        if size == (2, 2, 2):
            want = ts.prop(prop).expect or "holds"
            assert (want == "violated") == isinstance(v, Violated), (variant, prop)


def test_v19_release_loop_spins_forever() -> None:
    """L1 in v19 (R6 + R4): VP.INIT associates v with LP0, the task migrates to LP1 in the
    one-store window before td_vcpu_created (no VP.FLUSH), the mm exits and .release's flush goes to
    LP1 (NOT_ASSOCIATED, ignored, vcpu->cpu = -1). From then on every round of
    `while (__tdx_mmu_release_hkid(kvm) == -EBUSY);` skips the flush (vcpu->cpu == -1) and
    VPFLUSHDONE returns TDX_FLUSHVP_NOT_DONE."""
    ts, verdicts = _verdicts("v19", (1, 2, 1))
    v = verdicts["L1"]
    assert isinstance(v, Violated) and (v.trace.depth, v.trace.loop) == (14, 12)
    t = v.trace
    labels = t.labels(ts)
    assert labels[3:] == ("vcpu[0].create(p=0)", "vcpu[0].init_ioctl(p=0)", "vcpu[0].vp_addcx()",
                          "vcpu[0].vp_init(c=0)", "vcpu[0].migrate_nocall(q=1)",
                          "vcpu[0].mark_init()", "vcpu[0].vp_wr(c=1)", "td.mm_exit()", "td.flush_call(w=0, c=1)",
                          "td.vpflushdone()", "td.flush_nocall(w=0)")
    assert _result(ts, t.actions[9], t.states[9]) == "TDX_VCPU_ASSOCIATED"        # VP.WR on LP1
    assert _result(ts, t.actions[11], t.states[11]) == "TDX_VCPU_NOT_ASSOCIATED"  # flush on LP1
    assert _result(ts, t.actions[12], t.states[12]) == "TDX_FLUSHVP_NOT_DONE"     # every round
    for s in t.states[t.loop:]:
        assert _value(ts, s, "assoc[0]") == "0"        # the module: still associated with LP0
        assert _value(ts, s, "kcpu[0]") == "none"      # KVM: flushed already
        assert _value(ts, s, "onlist[0]") == "none"    # and on no CPU's list
        assert _value(ts, s, "td.pc") in {"rel_flush", "rel_vpflushdone"}
        assert _value(ts, s, "khkid") == "true"
    # the same lasso is L2's: the HKID is never freed
    assert verdicts["L2"].trace == t


def test_v6_16_leak_stutters_at_leaked() -> None:
    """L2 in v6.16 (R6): the same INIT_VCPU migration, the last reference, the flush on LP1
    (NOT_ASSOCIATED, ignored), VPFLUSHDONE NOT_DONE -> goto out; tdx_vcpu_free and tdx_vm_destroy
    give up. The teardown ends in `leaked` with the HKID assigned and nothing left to run."""
    ts, verdicts = _verdicts("v6_16", (1, 2, 2))
    v = verdicts["L2"]
    assert isinstance(v, Violated) and (v.trace.depth, v.trace.loop) == (18, 18)
    t = v.trace
    labels = t.labels(ts)
    assert labels[4:] == ("vcpu[0].create(p=0)", "vcpu[0].init_ioctl(p=0)", "vcpu[0].vp_addcx()",
                          "vcpu[0].vp_init(c=0)", "vcpu[0].migrate_nocall(q=1)",
                          "vcpu[0].vp_wr(c=1)", "vcpu[0].mark_init()", "vcpu[0].close_fd()", "td.close_vmfd()",
                          "td.last_ref()", "td.flush_call(w=0, c=1)", "td.vpflushdone()", "td.vcpu_free_keep(w=0)",
                          "td.give_up()")
    assert _result(ts, t.actions[14], t.states[14]) == "TDX_VCPU_NOT_ASSOCIATED"
    assert _result(ts, t.actions[15], t.states[15]) == "TDX_FLUSHVP_NOT_DONE"
    last = t.states[-1]
    assert _value(ts, last, "td.pc") == "leaked"
    assert _value(ts, last, "khkid") == "true" and _value(ts, last, "life") == "TD_KEYS_CONFIGURED"
    assert _value(ts, last, "assoc[0]") == "0"
    assert not any(compile_expr(a.guard)(last) for a in ts.actions)   # stutters for ever


def test_fairness_declarations() -> None:
    """Every transition states its fairness; the adversary is exactly ADVERSARIAL; no outcome of a
    kernel step is adversarial (no may_fail)."""
    text = SPEC.read_text()
    machines = text[text.index("\nmachines:"):text.index("\nproperties:")]
    transitions = re.findall(r"\n      (\w+):\n((?:        .*\n|\s*#.*\n)*)", machines)
    assert transitions and all(re.search(r"^        fair: ", body, re.M) for _, body in transitions)
    for variant in ("v6_16", "v19", "terminate_vm"):
        ts = _system(variant, (1, 2, 1))
        kinds: dict[str, set[str | None]] = {}
        for a in ts.actions:
            assert a.label.outcome is None
            kinds.setdefault(a.label.qualified, set()).add(a.fair)
        assert all(len(k) == 1 for k in kinds.values())
        assert {q for q, k in kinds.items() if k == {None}} == ADVERSARIAL & set(kinds)
        assert {q for q, k in kinds.items() if k == {"strong"}} == STRONG & set(kinds)


def _with_fairness(sub: dict[str, str]) -> str:
    """The spec text with the fairness of the named transitions replaced."""
    text = SPEC.read_text()
    for name, fair in sub.items():
        text, n = re.subn(rf"(\n      {name}:\n(?:        .*\n)*?        fair: )\w+", rf"\g<1>{fair}", text, count=1)
        assert n == 1, name
    return text


def test_reload_put_fairness_is_what_lets_v19_destroy_finish() -> None:
    """The one fairness assumption the verdicts depend on. v19's kvm_unload_vcpu_mmus reloads each
    vCPU; between vcpu_load and vcpu_put the destroying thread may be preempted and migrated
    (reload_migrate_*, adversarial). Without weak fairness on its own next step (reload_put), the
    scheduler could migrate it between LP0 and LP1 for ever and L1 would fail in v19_atomic_init."""
    text = _with_fairness({"reload_put": "none"})
    got = _lassos("v19_atomic_init", (1, 2, 1), text)
    assert got == {"L1": (15, 13)}
    ts, verdicts = _verdicts("v19_atomic_init", (1, 2, 1), text)
    t = verdicts["L1"].trace
    assert {ts.actions[a].label.qualified for a in t.actions[t.loop:]} == {"td.reload_migrate_nocall"}
    assert _lassos("v19_atomic_init", (1, 2, 1)) == {}


IDLE = """  world:
    doc: "an adversary that may do nothing for ever (test only)"
    states: [lurking]
    init: lurking
    transitions:
      idle:
        from: lurking
        fair: none
"""   # a state named `w` would clash with the parameter `w` of def `loaded` (SC206)


def _idling(text: str) -> str:
    """Add an always-enabled step that changes nothing and has no fairness. Without it a
    behaviour stutters only where nothing is enabled (NOTE(liveness)), so a kernel step that is
    the only thing left to do is taken fair or not; with it only fairness makes it happen."""
    assert "\n  vm:\n" in text
    return text.replace("\n  vm:\n", "\n" + IDLE + "  vm:\n", 1)


def test_adversary_fairness_changes_no_verdict() -> None:
    """Making the adversary fair too (userspace, the scheduler, hotplug, mm exit) removes no
    violation: the lassos need no adversarial step to go on for ever. (It only makes the v19
    prefix longer, because userspace must then close its fds.)"""
    allfair = _with_fairness({q.split(".")[1]: "weak" for q in ADVERSARIAL})
    for variant, want in LASSOS[(1, 2, 1)].items():
        assert set(_lassos(variant, (1, 2, 1), allfair)) == set(want), variant


def test_fairness_carries_the_verdicts_against_an_idling_adversary() -> None:
    """With an adversary that may idle for ever, the spec's fairness gives the same verdicts (the
    lassos end idling instead of stuttering), and with no fairness at all every L1 and L2 fails:
    the kernel threads' fairness is what the `holds` verdicts rest on."""
    idle = _idling(SPEC.read_text())
    nofair = _idling(_with_fairness({q.split(".")[1]: "none" for q in _fair_transitions()}))
    for variant, want in LASSOS[(1, 2, 1)].items():
        assert set(_lassos(variant, (1, 2, 1), idle)) == set(want), variant
        assert set(_lassos(variant, (1, 2, 1), nofair)) == {"L1", "L2"}, variant
    # terminate_vm: KVM_TDX_TERMINATE_VM leaks the HKID and userspace keeps its fds for ever
    ts, verdicts = _verdicts("terminate_vm", (1, 2, 1), idle)
    t = verdicts["L2"].trace
    assert (t.depth, t.loop) == (14, 13)
    assert "td.terminate()" in t.labels(ts) and _value(ts, t.states[-1], "td.pc") == "wait_refs"


def _fair_transitions() -> set[str]:
    ts = _system("v19", (1, 2, 1))
    return {a.label.qualified for a in ts.actions if a.fair}
