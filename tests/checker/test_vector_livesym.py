"""Liveness on the symmetry quotient (checker/explicit/vector_livesym.py, NOTE(live-quotient))
against the plain graph's search (the same vector backend with symmetry off, itself checked
against the one-state reference in test_vector_liveness.py): the same verdicts, and every lasso a
concrete one that replays with a fair loop (checker/traces/replay.py validate) and has the plain
lasso's prefix length (the loop index: the shortest way into a fair cycle, which symmetry keeps).

The cases built to break it: a cycle that closes only after a permutation (tests/specs/
live_rotate.yaml, where judging the quotient's self-loop in one frame gets weak fairness wrong),
fairness on one element only and a property naming one element (both must fall back to the plain
graph and say why), and generated symmetric specs with weak and strong fairness."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.core.budget import Budget
from checker.core.verdict import Proved, Violated, kind_of
from checker.explicit.search import explore
from checker.explicit.vector_livesym import LiveSym, live_symmetry
from checker.symmetry.canon import symmetric_sets
from checker.traces.replay import validate
from cli import main
from model.ir import TransitionSystem
from model.load import load_spec, load_text
from tests.gen_sym import symmetric_specs, two_set_specs
from tests.test_tdx_liveness import LASSOS, _system

ROOT = Path(__file__).resolve().parents[2]
ROTATE = ROOT / "tests" / "specs" / "live_rotate.yaml"


def _agree(ts: TransitionSystem, reduced: bool = True, budget: Budget | None = None) -> list[str]:
    """The quotient's search and the plain one on ts's temporal properties: the same verdicts,
    the same prefix lengths, every quotient lasso replayed. reduced: whether the quotient must
    be used (else the fallback, with a reason). Returns the verdict kinds."""
    live = [p.name for p in ts.properties if p.temporal]
    plain = explore(ts, live, budget, backend="vector", symmetry=False)
    got = explore(ts, live, budget, backend="vector", symmetry=True)
    assert got.complete == plain.complete
    sets = tuple(s.name for s in symmetric_sets(ts))
    if reduced:
        assert (got.symmetry, got.symmetry_why) == (sets, "")
        assert got.states <= plain.states
    else:
        assert got.symmetry == () and got.symmetry_why
        assert (got.states, got.transitions) == (plain.states, plain.transitions)
    kinds = []
    for v, r in zip(got.verdicts, plain.verdicts, strict=True):
        assert kind_of(v) == kind_of(r), v.prop
        if isinstance(v, Violated):
            assert isinstance(r, Violated)
            validate(ts, v.trace, v.prop)
            assert v.trace.loop == r.trace.loop
        kinds.append(kind_of(v))
    return kinds


# --- TDX teardown: every variant at the sizes test_tdx_liveness.py pins -----------------------


@pytest.mark.parametrize("size", list(LASSOS), ids=lambda s: f"V{s[0]}P{s[1]}K{s[2]}")
@pytest.mark.parametrize("variant", list(LASSOS[(1, 2, 1)]))
def test_tdx_quotient_lassos(variant: str, size: tuple[int, int, int]) -> None:
    """The quotient's L1/L2 lassos have the plain graph's depth and loop index, and replay."""
    ts = _system(variant, size)
    res = explore(ts, ["L1", "L2"])
    assert res.complete and res.symmetry == tuple(s.name for s in symmetric_sets(ts))
    got = {}
    for v in res.verdicts:
        if isinstance(v, Violated):
            validate(ts, v.trace, v.prop)
            got[v.prop] = (v.trace.depth, v.trace.loop)
        else:
            assert isinstance(v, Proved), v
    assert got == LASSOS[size][variant]


def test_tdx_default_size_against_plain() -> None:
    """v19 at the default size: fewer states, the plain search's verdicts."""
    (ts,) = load_spec(ROOT / "specs" / "tdx" / "teardown.yaml", (), "v19")
    assert _agree(ts) == ["violated", "violated"]


@pytest.mark.parametrize("depth", [14, 17, 18])
def test_tdx_cut_at_depth_against_plain(depth: int) -> None:
    """Cut at a depth bound (the last level's states never in a cycle): v19's lasso (depth 18,
    loop index 15) is found from bound 18 on, by both searches."""
    (ts,) = load_spec(ROOT / "specs" / "tdx" / "teardown.yaml", (), "v19")
    kinds = _agree(ts, budget=Budget(explicit_depth=depth))
    assert kinds == (["holds-up-to"] * 2 if depth < 18 else ["violated"] * 2)


# --- a cycle that closes only after a permutation -------------------------------------------


@pytest.mark.parametrize("n", [2, 3])
def test_rotation_closes_after_permutation(n: int) -> None:
    for ts in load_spec(ROTATE, (f"N={n}",)):
        want = "violated" if ts.variant == "weak" else "proved"
        assert _agree(ts) == [want, want]
        res = explore(ts, ["started"])
        assert res.states == 3 and res.symmetry == ("P",)   # none, turn held, a process in s1
        v = res.verdicts[0]
        if isinstance(v, Violated):
            # the quotient's one state with a self-loop, lifted: the turn visits two processes
            loop = [ts.actions[a].label for a in v.trace.actions[v.trace.loop:]]
            assert [a.transition for a in loop] == ["pass", "pass"]
            assert len({a.instance for a in loop}) == 2


# --- where the quotient is not exact: the plain graph, and the reason ----------------------


def test_fairness_on_one_element_falls_back() -> None:
    """Strong fairness for p[0].go only: the family is not symmetric, so the plain graph is
    searched (a lasso passing the turn between the others avoids p[0])."""
    for n in (2, 3):
        (ts,) = load_spec(ROTATE, (f"N={n}",), "strong")
        one = replace(ts, actions=tuple(replace(a, fair=None) if a.label.transition == "go" and a.label.instance
                                        else a for a in ts.actions))
        why = live_symmetry(one, [one.prop("started")])
        assert why == "fairness group p[0].go has no image under a permutation"
        assert _agree(one, reduced=False) == (["violated", "violated"] if n == 3 else ["proved", "proved"])
        assert explore(one, ["started"], backend="vector").symmetry_why == why


def test_property_naming_one_element_falls_back() -> None:
    """mcs_lock's `no_starvation` family (a member per CPU c) names an element."""
    (ts,) = load_spec(ROOT / "specs" / "kernel" / "mcs_lock.yaml", (), "no_wait_for_next")
    members = [p for p in ts.properties if p.temporal and p.names_symmetric]
    assert members
    why = live_symmetry(ts, members[:1])
    assert why == f"{members[0].name} names an element of a symmetric set"
    assert explore(ts, [members[0].name], backend="vector").symmetry_why == why


def test_group_too_large_is_reported_in_json() -> None:
    """8 interchangeable processes: 40320 permutations are not listed; the run says so."""
    out = CliRunner().invoke(main, ["check", str(ROTATE), "-p", "N=8", "--variant", "weak", "--json"])
    assert out.exit_code == 0, out.output
    phases = json.loads(out.output)["results"][0]["facts"]["phases"]
    assert [(p["name"], p["symmetry"], p.get("symmetry_off")) for p in phases] == [
        ("explicit (safety)", ["P"], None),
        ("explicit (liveness)", [], "the symmetry group has 40320 members (over 5040)")]


def test_group_tables() -> None:
    """mult, inv, act and grp agree with applying the permutations to states and labels."""
    (ts,) = load_spec(ROOT / "specs" / "tdx" / "teardown.yaml", (), "v19")
    sym = live_symmetry(ts, [ts.prop("L1")])
    assert isinstance(sym, LiveSym) and len(sym.perms) == 8
    v = explore(ts, ["L1"]).verdicts[0]
    assert isinstance(v, Violated)
    for i in range(len(sym.perms)):
        assert sym.mult[i, sym.inv[i]] == 0
        for j in range(len(sym.perms)):
            assert all(sym.state(sym.state(s, j), i) == sym.state(s, int(sym.mult[i, j])) for s in v.trace.states)
    fair = ts.fairness()
    for i in range(len(sym.perms)):
        for f, c in enumerate(fair):
            assert fair[sym.grp[i, f]].actions == tuple(sorted(int(sym.act[i, a]) for a in c.actions))


# --- generated symmetric specs, made fair and given temporal properties -------------------------

LIVE_PROPS = [
    '  lv_ae: {always_eventually: "any(p[v].pc == s1 for v in P)"}',
    '  lv_ev: {eventually: "any(p[v].pc == s2 for v in P)"}',
    '  lv_lt: {leads_to: {from: "any(p[v].pc == s1 for v in P)", to: "all(p[v].pc != s1 for v in P)"}}',
    '  lv_rest: {always_eventually: "all(p[v].pc == s0 for v in P)"}',
]


def _made_fair(text: str, data: st.DataObject) -> str:
    """Every transition of `p` gets a fairness kind drawn; two temporal properties are added."""
    out = []
    lines = text.split("\n")
    for k, line in enumerate(lines):
        out.append(line)
        if re.fullmatch(r" {8}to: \w+", line) and re.fullmatch(r" {6}t\d+:", lines[k - 2]):
            out.append(f"        fair: {data.draw(st.sampled_from(['weak', 'weak', 'strong', 'none']))}")
    props = data.draw(st.lists(st.sampled_from(LIVE_PROPS), unique=True, min_size=1, max_size=2))
    return "\n".join(out).rstrip("\n") + "\n" + "\n".join(props) + "\n"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=symmetric_specs(), data=st.data())
def test_generated_specs_agree(text: str, data: st.DataObject) -> None:
    for ts in load_text(_made_fair(text, data)):
        _agree(ts)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=two_set_specs(), data=st.data())
def test_generated_two_set_specs_agree(text: str, data: st.DataObject) -> None:
    """Two symmetric sets and a pointer between them (the full-group canonical form)."""
    for ts in load_text(_made_fair(text, data)):
        _agree(ts)
