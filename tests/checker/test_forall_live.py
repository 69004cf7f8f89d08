"""Liveness for every size (`check --engine kind --for-all` on a temporal property;
checker/smt/forall_l2s.py, checker/smt/forall_live.py): exact verdicts on small specs where
liveness holds for all N and where it fails at some N, weak against strong fairness, refusals
with their reason, and agreement with the explicit engine's liveness verdict at N = 1..4 (a
property proved for all N holds at each N; one violated at some N is never proved), also on
generated symmetric specs with fairness."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.core.verdict import Proved, Unknown, Verdict, Violated
from checker.run.runner import RunOptions, run_instance
from model.load import load_spec
from tests.gen_sym import symmetric_specs

SPECS = Path(__file__).resolve().parent.parent / "specs" / "forall"
LOCK = SPECS / "lock_live.yaml"
BLINK = SPECS / "blink.yaml"
SWEEP = SPECS / "sweep.yaml"
OFFLINE = SPECS / "offline.yaml"
RETRY = SPECS / "retry.yaml"


def temporal(path: Path, *params: str, variant: str | None = None, engine: str = "kind") -> dict[str, Verdict]:
    ts = load_spec(path, params, variant)[0]
    props = [p.name for p in ts.properties if p.temporal]
    opts = RunOptions("kind", for_all=True) if engine == "kind" else RunOptions("explicit")
    return {v.prop: v for v in run_instance(ts, props, opts).verdicts}


def kinds(got: dict[str, Verdict]) -> dict[str, str]:
    return {p: type(v).__name__ for p, v in got.items()}


def test_lock_progress_and_release_proved_for_all_n_under_weak_fairness() -> None:
    got = temporal(LOCK, variant="weak")
    assert kinds(got) == {"progress": "Proved", "released": "Proved", "served[x=0]": "Unknown",
                          "served[x=1]": "Unknown", "served[x=2]": "Unknown"}
    p = got["progress"]
    assert isinstance(p, Proved) and p.for_all == ("N",)
    assert p.detail == "for all N >= 1: liveness to safety, induction with 1 lemma (held) and 4 product lemmas"
    assert p.invariant == 'held: {invariant: "all((lock != a) or (p[a].pc == crit) for a in Proc)"}'
    assert got["released"].detail == ("for all N >= 1: liveness to safety, induction with 1 lemma (held) "  # type: ignore[union-attr]
                                      "and 3 product lemmas")
    s = got["served[x=1]"]
    assert isinstance(s, Unknown) and s.reason == ("liveness to safety: not proved for all sizes: l2s is not "
                                                   "inductive relative to the lemmas: it fails after p[self].req()")
    assert s.cti_text is not None and s.cti_text.startswith("a model with Proc = {")


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_lock_agrees_with_the_explicit_engine_at_each_size(n: int) -> None:
    """Proved for all N: holds at N = 1..4; `served` under weak fairness is violated from N = 2
    (another process takes the lock every time it is free) and never proved."""
    ref = temporal(LOCK, f"N={n}", variant="weak", engine="explicit")
    assert isinstance(ref["progress"], Proved) and isinstance(ref["released"], Proved)
    assert all(isinstance(v, Violated if n > 1 else Proved) for p, v in ref.items() if p.startswith("served"))


def test_lock_served_proved_for_all_n_under_strong_fairness() -> None:
    """Each wanting process gets the lock under strong fairness: its loops are excluded by the
    cross-element candidate (NOTE(forall-live-cross)): once the holder released, the waiter's
    `get` was enabled on the loop. Without that candidate it is not proved."""
    got = temporal(LOCK, variant="strong")
    assert kinds(got) == dict.fromkeys(["progress", "released", "served[x=0]", "served[x=1]", "served[x=2]"], "Proved")
    assert got["served[x=1]"].detail == ("for all N >= 1: liveness to safety, induction with 1 lemma (held) "  # type: ignore[union-attr]
                                         "and 7 product lemmas")
    for n in (1, 2, 3, 4):
        assert set(kinds(temporal(LOCK, f"N={n}", variant="strong", engine="explicit")).values()) == {"Proved"}


def test_sweep_needs_the_loop_and_cross_candidates(monkeypatch: pytest.MonkeyPatch) -> None:
    """sweep.yaml (TDX teardown's vCPU loop against a hotplug thread): proved for all N with strong
    fairness, violated at every N with weak fairness (never proved); with either new kind of
    candidate left out (NOTE(forall-live-loop), NOTE(forall-live-cross)) the strong one is not
    proved either, with the counterexample to induction after a hotplug step."""
    from checker.smt import forall_live
    got = temporal(SWEEP, variant="strong")["ends"]
    assert isinstance(got, Proved) and got.for_all == ("N",)
    assert got.detail == "for all N >= 1: liveness to safety, induction with 0 lemmas and 12 product lemmas"
    assert isinstance(temporal(SWEEP, variant="weak")["ends"], Unknown)
    for n in (1, 2, 3, 4):
        assert isinstance(temporal(SWEEP, f"N={n}", variant="strong", engine="explicit")["ends"], Proved)
        assert isinstance(temporal(SWEEP, f"N={n}", variant="weak", engine="explicit")["ends"], Violated)
    for left_out, step in (("_loop_lemmas", "hp.grab(w=w)"), ("_cross_lemmas", "hp.grab(w=w)")):
        with monkeypatch.context() as m:
            m.setattr(forall_live, left_out, lambda *a: [])
            v = temporal(SWEEP, variant="strong")["ends"]
        assert isinstance(v, Unknown) and v.cti_text, left_out
        assert v.reason == ("liveness to safety: not proved for all sizes: l2s is not inductive relative to the "
                            f"lemmas: it fails after {step}"), (left_out, v.reason)


def test_offline_needs_the_rest_candidates(monkeypatch: pytest.MonkeyPatch) -> None:
    """offline.yaml (TDX teardown against CPU offline): proved for all N, P with the walk weakly
    fair, never with it unfair (violated at every size); the explicit engine agrees at every size
    the spec allows. Each kind of NOTE(forall-rest) candidate is needed: with one left out the
    proof fails, with the counterexample to induction after a worker's load (the offline's CPU
    list seen to grow, or the offline gone and back). The second stage proves it, so the
    re-entry candidates of the third are never asked (NOTE(forall-reentry)); were they, they
    could stand in for two of the rest kinds (`~left_in` keeps the `online` marks that `~gone`
    keeps, `~round_by` names the group `~round` asks for), so they are left out here."""
    from checker.smt import forall_live
    got = temporal(OFFLINE, variant="fair")["closes"]
    assert isinstance(got, Proved) and got.for_all == ("N", "P")
    assert got.detail == ("for all N >= 1, P >= 2: liveness to safety, induction with 1 lemma (walking) and "
                          "15 product lemmas")
    assert isinstance(temporal(OFFLINE, variant="unfair")["closes"], Unknown)
    for n in (1, 2, 3):
        for p in (2, 3, 4):
            assert isinstance(temporal(OFFLINE, f"N={n}", f"P={p}", variant="fair", engine="explicit")["closes"], Proved)
            assert isinstance(temporal(OFFLINE, f"N={n}", f"P={p}", variant="unfair", engine="explicit")["closes"], Violated)
    for left_out, none in (("_rest_bit", True), ("_gone_lemmas", False), ("_members", False), ("_rounds", True),
                           ("_leavers", False)):
        with monkeypatch.context() as m:
            m.setattr(forall_live, "REENTRY", False)
            m.setattr(forall_live, left_out, (lambda *a: None) if none else (lambda *a: []))
            v = temporal(OFFLINE, variant="fair")["closes"]
        assert isinstance(v, Unknown) and v.cti_text, left_out
        assert v.reason == ("liveness to safety: not proved for all sizes: l2s is not inductive relative to the "
                            "lemmas: it fails after w[self].load(c=c)"), (left_out, v.reason)


def test_retry_needs_the_reentry_candidates(monkeypatch: pytest.MonkeyPatch) -> None:
    """retry.yaml (v19's tdx_mmu_release_hkid retry loop with a dead retry edge, then a two-step
    reload loop): proved for all N, never with workers dirtying themselves late (violated at every
    size); the explicit engine agrees. Without the candidates of NOTE(forall-reentry), or with
    `~grows_in`/`~left_in`, `~round_by` or `~rfired` left out, it is not proved, with the
    counterexample to induction after a worker's step (the sweeper seen back in `unloading`)."""
    from checker.smt import forall_live
    got = temporal(RETRY, variant="closed")["ends"]
    assert isinstance(got, Proved) and got.for_all == ("N",)
    assert got.detail == ("for all N >= 1: liveness to safety, induction with 4 lemmas (open, started, unloading, "
                          "cleaned) and 22 product lemmas")
    assert isinstance(temporal(RETRY, variant="late")["ends"], Unknown)
    for n in (1, 2, 3, 4):
        assert isinstance(temporal(RETRY, f"N={n}", variant="closed", engine="explicit")["ends"], Proved)
        assert isinstance(temporal(RETRY, f"N={n}", variant="late", engine="explicit")["ends"], Violated)
    for left_out in ("REENTRY", "_reentry_lemmas", "_rounds_by", "_movers"):
        with monkeypatch.context() as m:
            m.setattr(forall_live, left_out, False if left_out == "REENTRY" else (lambda *a: []))
            v = temporal(RETRY, variant="closed")["ends"]
        assert isinstance(v, Unknown) and v.cti_text, left_out
        assert v.reason == ("liveness to safety: not proved for all sizes: l2s is not inductive relative to the "
                            "lemmas: it fails after wk[self].rest()"), (left_out, v.reason)


def test_the_rest_stage_takes_the_first_stages_lemmas_as_proved(monkeypatch: pytest.MonkeyPatch) -> None:
    """NOTE(forall-rest-carry): offline.yaml's proof fails without the rest candidates and then
    succeeds with them; the second stage's Houdini takes every candidate the first kept as proved
    (never asked again), and the verdict is the one a second stage from scratch gives."""
    from checker.smt import forall_live
    calls: list[tuple[frozenset[str], frozenset[str]]] = []
    houdini = forall_live.houdini

    def spy(ps, fixed, budget, engine):   # type: ignore[no-untyped-def]
        got = houdini(ps, fixed, budget, engine)
        calls.append((frozenset(fixed), frozenset(got) if isinstance(got, set) else frozenset()))
        return got
    monkeypatch.setattr(forall_live, "houdini", spy)
    carried = temporal(OFFLINE, variant="fair")["closes"]
    assert len(calls) == 4   # two tiers, two stages
    first = calls[1][1]
    assert first - calls[0][0] and first <= calls[2][0] and first <= calls[3][0]
    calls.clear()
    attempt = forall_live._attempt
    monkeypatch.setattr(forall_live, "_attempt", lambda *a: attempt(*a[:-1], set()))   # type: ignore[call-arg]
    fresh = temporal(OFFLINE, variant="fair")["closes"]
    assert not calls[1][1] <= calls[2][0]
    assert isinstance(carried, Proved) and isinstance(fresh, Proved)


def test_blink_needs_strong_fairness() -> None:
    """`go` is enabled again and again but never for good: strong fairness proves both
    properties for all N, weak fairness proves neither (each is violated at every N)."""
    strong = temporal(BLINK, variant="strong")
    assert kinds(strong) == dict.fromkeys(["all_stop", "stops[x=0]", "stops[x=1]", "stops[x=2]"], "Proved")
    assert strong["stops[x=0]"].detail == ("for all N >= 1: liveness to safety, induction with 0 lemmas and "  # type: ignore[union-attr]
                                           "3 product lemmas")
    weak = temporal(BLINK, variant="weak")
    assert kinds(weak) == dict.fromkeys(["all_stop", "stops[x=0]", "stops[x=1]", "stops[x=2]"], "Unknown")
    for n in (1, 2, 3, 4):
        assert set(kinds(temporal(BLINK, f"N={n}", variant="strong", engine="explicit")).values()) == {"Proved"}
        assert set(kinds(temporal(BLINK, f"N={n}", variant="weak", engine="explicit")).values()) == {"Violated"}


def _edit(tmp: Path, path: Path, old: str, new: str) -> Path:
    text = path.read_text()
    assert old in text
    out = tmp / path.name
    out.write_text(text.replace(old, new, 1))
    return out


@pytest.mark.parametrize(("old", "new", "why"), [
    ("    fair: weak\n", "    fair: {weak: [up, down]}\n",
     "outside the parameterised liveness encoding: declared fairness groups (`fair: {weak: [...]}`, "
     "`fairness:`); fairness per transition is"),
    ("params:\n", "stutter: true\nparams:\n", "outside the parameterised liveness encoding: `stutter: true`"),
])
def test_outside_the_fragment_is_unknown_with_the_reason(tmp_path: Path, old: str, new: str, why: str) -> None:
    got = temporal(_edit(tmp_path, BLINK, old, new), variant="strong")
    assert all(isinstance(v, Unknown) and v.reason == why for v in got.values()), got


def test_a_temporal_property_outside_the_fragment_leaves_the_others(tmp_path: Path) -> None:
    """A temporal property that reads the size as a number is refused alone, with its place; the
    spec's other properties are still proved (the refusal is no proof of another system)."""
    f = _edit(tmp_path, BLINK, "properties:\n", 'properties:\n  counted:\n    eventually: "N > 0"\n')
    ts = load_spec(f, (), "strong")[0]
    got = {v.prop: v for v in run_instance(ts, [p.name for p in ts.properties], RunOptions("kind", for_all=True)).verdicts}
    c = got["counted"]
    assert isinstance(c, Unknown) and c.reason == (
        f"outside the parameterised fragment: {f}:28:18: 'N' read as a number: N is the size of symmetric set "
        "Proc, which the proof leaves unbounded")
    assert all(isinstance(got[p], Proved) for p in ("all_stop", "stops[x=0]", "deadlock", "range"))


# ---- generated specs -----------------------------------------------------------------------

LIVE = [
    '  ae: {always_eventually: "any(p[v].pc == s0 for v in P)"}',
    '  lt: {leads_to: {from: "any(p[v].pc == s1 for v in P)", to: "any(p[v].pc == s2 for v in P)"}}',
    '  each:\n    for: {x: P}\n    leads_to: {from: "p[x].pc == s1", to: "p[x].pc != s1"}',
    '  all2: {eventually: "all(p[v].pc == s2 for v in P)"}',
    '  settle: {eventually_always: "all(p[v].pc != s1 for v in P)"}',
]


@st.composite
def fair_specs(draw: st.DrawFn) -> str:
    """tests/gen_sym.py's symmetric specs with fairness per process (weak or strong) and a few
    temporal properties of every shape."""
    text = draw(symmetric_specs())
    kind = draw(st.sampled_from(["weak", "strong"]))
    text = text.replace("    instances: P\n", f"    instances: P\n    fair: {kind}\n", 1)
    extra = draw(st.lists(st.sampled_from(LIVE), unique=True, min_size=1, max_size=3))
    return text.replace("properties:\n", "properties:\n" + "".join(x + "\n" for x in extra), 1)


RLIMIT = 2_000_000    # z3 work per query: generated specs are bounded by work, never by time


def bounded(path: Path) -> dict[str, Verdict]:
    """Every temporal property for all N, each z3 query under RLIMIT."""
    from checker.core.budget import Budget
    from checker.smt import forall, forall_live
    from model.lower_param import lower_param_at
    ts = load_spec(path)[0]
    props = [p.name for p in ts.properties if p.temporal]
    param = lower_param_at(ts.path, ts.params, ts.variant)
    got = forall.check_all(ts, props, Budget(rlimit=RLIMIT), param=param, temporal=forall_live.check)
    return {v.prop: v for v in got}


def _never_proved_where_a_size_violates(tmp_path: Path, text: str) -> int:
    f = tmp_path / "gen.yaml"
    f.write_text(text)
    proved = [p for p, v in bounded(f).items() if isinstance(v, Proved)]
    for n in (1, 2, 3):
        got = temporal(f, f"N={n}", engine="explicit")
        # a family member proved for all N is the family's claim at each element: at a size
        # without that element (each[x=1] at N = 1) every member of the family is checked
        same = {p: [q for q in got if q == p or (p not in got and q.split("[")[0] == p.split("[")[0])] for p in proved}
        assert all(same.values()), (n, same)
        assert not [q for p in proved for q in same[p] if isinstance(got[q], Violated)], (n, text)
    return len(proved)


@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=fair_specs())
def test_generated_fair_specs_never_proved_where_a_size_violates(tmp_path: Path, text: str) -> None:
    _never_proved_where_a_size_violates(tmp_path, text)


@pytest.mark.slow
@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=fair_specs())
def test_generated_fair_specs_never_proved_where_a_size_violates_many(tmp_path: Path, text: str) -> None:
    _never_proved_where_a_size_violates(tmp_path, text)


def test_the_forall_bench_runs_each_configuration_to_the_same_verdict() -> None:
    """bench/forall_live.py (Houdini's speed-ups off and on, NOTE(forall-rest-carry),
    NOTE(houdini-one-limit), NOTE(houdini-cores)): every configuration proves offline.yaml's
    `closes`, each ratio against the first."""
    import json
    import subprocess
    import sys
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "bench/forall_live.py", "--only", "none,all,all-carry"], cwd=root,
                         capture_output=True, text=True, check=True).stdout.splitlines()
    rows = [json.loads(line) for line in out]
    assert [r["config"] for r in rows] == ["none", "all", "all-carry"]
    assert {r["verdict"] for r in rows} == {"Proved"} and rows[0]["ratio"] == 1.0
    assert all(r["detail"].startswith("for all N >= 1, P >= 2: liveness to safety") for r in rows)
