"""Liveness proofs by SMT (checker/smt/l2s.py, checker/smt/live.py) against the explicit fair-SCC
search (checker/explicit/liveness.py): the liveness-to-safety product checked exhaustively must
say what the explicit liveness search says of the system, and its counterexamples must turn into
lassos that replay; k-induction on the product must never prove what explicit refutes nor refute
what it proves, on the examples (where it decides exactly) and on generated systems with weak and
strong fairness, per machine instance and per transition, and steps out of range. The SMT checks
are bounded by z3's rlimit, never by time."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from checker.core.budget import Budget
from checker.core.verdict import Proved, Unknown, Verdict, Violated
from checker.explicit.search import explore
from checker.run.runner import RunOptions, run_instance
from checker.smt import live
from checker.smt.l2s import PROP, product
from checker.smt.live import progress_facts
from checker.traces.replay import validate
from model.ir import TransitionSystem
from model.load import load_spec
from tests.gen_ir import live_systems

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "specs" / "examples"
FAIR_SPECS = [ROOT / "tests" / "specs" / n for n in ("rangefair.yaml", "rangelive.yaml")]
MAX_STATES = 3_000
RLIMIT = 2_000_000          # z3 work per solver call: the same verdicts on an idle or a loaded machine


def _instances() -> list[TransitionSystem]:
    out: list[TransitionSystem] = []
    for v in ("unfair", "weak", "strong"):
        out += load_spec(EXAMPLES / "spinlock.yaml", variant=v)
    for v in ("fair", "unfair", "quitter"):
        out += load_spec(EXAMPLES / "retry.yaml", variant=v)
    for path in FAIR_SPECS:
        out += load_spec(path)
    return out


def _temporal(ts: TransitionSystem) -> list[str]:
    return [p.name for p in ts.properties if p.temporal]


def _product_agrees(ts: TransitionSystem, prop: str, ref: Verdict) -> None:
    """The product's invariant, searched exhaustively, has the system's verdict; its
    counterexample is a lasso of the system that replays."""
    pr = product(ts, prop, progress_facts(ts, Budget(rlimit=RLIMIT), prop))
    # its lemmas (NOTE(l2s-lemmas), NOTE(l2s-progress)) hold in every reachable product state
    r = explore(replace(pr, properties=(*pr.properties, *pr.lemmas)), None, Budget(max_states=20 * MAX_STATES))
    assert r.complete and all(isinstance(r.verdict(lem.name), Proved) for lem in pr.lemmas), prop
    got = r.verdict(PROP)
    assert type(got) is type(ref), (prop, got, ref)
    if isinstance(got, Violated):
        validate(ts, live.lasso(ts, got.trace), prop)


def test_product_matches_explicit_liveness_on_the_fair_specs() -> None:
    n = 0
    for ts in _instances():
        ref = explore(ts)
        for prop in _temporal(ts):
            _product_agrees(ts, prop, ref.verdict(prop))
            n += 1
    assert n == 20


# exact verdicts of k-induction on the product, the same as the explicit engine's
KIND_CASES = [("spinlock.yaml", "unfair", "no_starvation", "violated"),
              ("spinlock.yaml", "weak", "no_starvation", "violated"),
              pytest.param("spinlock.yaml", "strong", "no_starvation", "proved", marks=pytest.mark.slow),
              ("retry.yaml", "fair", "terminates", "proved"),
              ("retry.yaml", "fair", "keeps_finishing", "proved"),
              ("retry.yaml", "unfair", "terminates", "violated"),
              ("retry.yaml", "quitter", "keeps_finishing", "violated")]


@pytest.mark.parametrize(("spec", "variant", "prop", "want"), KIND_CASES)
def test_kind_decides_the_examples_exactly(spec: str, variant: str, prop: str, want: str) -> None:
    [ts] = load_spec(EXAMPLES / spec, variant=variant)
    ref = explore(ts).verdict(prop)
    v = live.check(ts, prop, Budget(rlimit=RLIMIT))
    assert type(v) is type(ref)
    if want == "proved":
        assert isinstance(v, Proved) and v.detail.startswith("liveness-to-safety with k-induction, k=")
    else:
        assert isinstance(v, Violated) and isinstance(ref, Violated)
        validate(ts, v.trace, prop)
        assert v.trace.loop is not None


def test_engine_kind_on_a_temporal_property_goes_through_the_run_module() -> None:
    [ts] = load_spec(EXAMPLES / "retry.yaml", variant="fair")
    [v] = run_instance(ts, ["terminates"], RunOptions(engine="kind")).verdicts
    assert isinstance(v, Proved) and v.provenance.engine == "kind"
    assert v.detail == "liveness-to-safety with k-induction, k=5"     # no mined lemmas needed
    [ts] = load_spec(EXAMPLES / "retry.yaml", variant="unfair")
    [v] = run_instance(ts, ["terminates"], RunOptions(engine="kind")).verdicts
    # the releaser retries twice (tries 0 -> 1 -> 0) and is back where the loop started
    assert isinstance(v, Violated) and (v.trace.actions, v.trace.loop) == ((0, 0), 0)


def _reference(ts: TransitionSystem) -> dict[str, Verdict] | None:
    r = explore(ts, _temporal(ts), Budget(max_states=MAX_STATES))
    if not r.complete:
        return None
    # explicit decides every property of a complete search, but for a system without an
    # initial state (NOTE(no-initial-state): the run module rejects it before any engine)
    return {p: v for p in _temporal(ts) if not isinstance(v := r.verdict(p), Unknown)}


@settings(max_examples=50, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(live_systems())
def test_product_agrees_on_generated_systems(ts: TransitionSystem) -> None:
    ref = _reference(ts)
    for prop, want in (ref or {}).items():
        _product_agrees(ts, prop, want)


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(live_systems(range_errors=True))
def test_product_agrees_on_generated_systems_with_range_errors(ts: TransitionSystem) -> None:
    ref = _reference(ts)
    for prop, want in (ref or {}).items():
        _product_agrees(ts, prop, want)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(live_systems(groups=True))
def test_product_agrees_on_fair_groups_stutter_and_eventually_always(ts: TransitionSystem) -> None:
    """Declared groups "a or b", `stutter: true` and <>[] (which live_systems draws for every
    system) read through ts.fairness() and may_stop, as the explicit search reads them."""
    ref = _reference(ts)
    for prop, want in (ref or {}).items():
        _product_agrees(ts, prop, want)


@pytest.mark.slow
def test_kind_never_contradicts_explicit_on_generated_systems() -> None:
    """Exact agreement where both decide; and k-induction decides most of them both ways."""
    seen: list[str] = []

    @settings(max_examples=40, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(live_systems(groups=True))
    def agree(ts: TransitionSystem) -> None:
        for prop, want in (_reference(ts) or {}).items():
            v = live.check(ts, prop, Budget(rlimit=RLIMIT, max_depth=8))
            if isinstance(v, Proved):
                assert isinstance(want, Proved), (prop, v, want)
            elif isinstance(v, Violated):
                assert isinstance(want, Violated), (prop, v, want)
                validate(ts, v.trace, prop)
            seen.append(type(v).__name__)
    agree()
    assert seen.count("Proved") >= 10 and seen.count("Violated") >= 10, sorted(seen)


@pytest.mark.slow
def test_tdx_l1_is_proved_at_the_default_size() -> None:
    # v6_16 at V=2, P=2: k-inductive at k=3 with the progress lemmas, no mining
    # (docs/encoding.md, "Liveness proofs")
    [ts] = load_spec(ROOT / "specs" / "tdx" / "teardown.yaml", variant="v6_16")
    v = live.check(ts, "L1", Budget(rlimit=20_000_000))
    assert isinstance(v, Proved) and v.detail == "liveness-to-safety with k-induction, k=3"
