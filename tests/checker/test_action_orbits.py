"""Coverage under symmetry reduction is read per orbit of actions (NOTE(action-orbits)): a
reduced search must name exactly the transitions the full search finds never enabled."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from checker.run.runner import RunOptions, run_instance
from model.ir import TransitionSystem
from model.load import load_spec, load_text
from tests.gen_sym import symmetric_specs

ROOT = Path(__file__).resolve().parent.parent.parent


def _never(ts: TransitionSystem, symmetry: bool) -> tuple[str, ...] | None:
    safety = tuple(p.name for p in ts.properties if not p.temporal)
    got = run_instance(ts, safety, replace(RunOptions(), symmetry=symmetry, max_states=20_000))
    phases = got.facts.phases
    if not phases or not all(p.complete for p in phases):
        return None
    return got.facts.never_enabled


@pytest.mark.parametrize(("spec", "variant", "dead"), [
    ("tests/specs/families.yaml", None, ()),              # reduced: p[0].rel() and p[1].rel() before
    ("specs/kernel/mcs_lock.yaml", "mcs", ()),
    ("specs/kernel/mcs_lock.yaml", "no_wait_for_next",
     ("cpu[0].next_linked()", "cpu[1].next_linked()", "cpu[2].next_linked()")),
    ("specs/kernel/seqlock.yaml", "seqlock", ()),
])
def test_reduced_and_full_search_name_the_same_dead_transitions(spec: str, variant: str | None,
                                                                dead: tuple[str, ...]) -> None:
    [ts] = load_spec(ROOT / spec, (), variant)
    full, reduced = _never(ts, False), _never(ts, True)
    assert full == reduced == dead


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(symmetric_specs())
def test_generated_symmetric_specs(text: str) -> None:
    [ts] = load_text(text)
    full = _never(ts, False)
    if full is not None:
        assert _never(ts, True) == full, text
