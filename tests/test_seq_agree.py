"""Differential tests of bounded sequences (NOTE(seqs) in model/seqs.py) on random specs
(tests/gen_seq.py), through the whole front end: the reference BFS, the numpy vector backend and
BMC agree on every safety verdict and shortest depth (reads outside a sequence, reported by
`range`, included), the symmetry-reduced BFS gives the same verdicts and depths, and every
counterexample replays on the concrete semantics. 10 specs in the normal run, 100 under
`pytest -m slow`."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from checker.core.budget import Budget
from checker.core.verdict import Verdict, Violated
from checker.explicit.search import explore
from checker.smt import bmc
from checker.traces.replay import validate
from model.load import load_text
from tests.gen_seq import seq_specs


def _shape(v: Verdict) -> tuple[str, int | None]:
    return type(v).__name__, v.trace.depth if isinstance(v, Violated) else None


@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(seq_specs())
def test_engines_agree_on_sequences(text: str) -> None:
    _agree(text)


@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(seq_specs())
def test_engines_agree_on_sequences_many(text: str) -> None:
    _agree(text)


def _agree(text: str) -> None:
    [ts] = load_text(text)
    props = [p.name for p in ts.properties]
    ref = explore(ts, props, symmetry=False)
    vec = explore(ts, props, symmetry=False, backend="vector")
    sym = explore(ts, props)
    if ref.complete:   # (a search stops early once every property is violated)
        assert vec.complete and (vec.states, vec.transitions) == (ref.states, ref.transitions)
    want = {v.prop: _shape(v) for v in ref.verdicts}
    assert {v.prop: _shape(v) for v in vec.verdicts} == want
    assert {v.prop: _shape(v) for v in sym.verdicts} == want
    for v in (*ref.verdicts, *vec.verdicts, *sym.verdicts):
        if isinstance(v, Violated):
            validate(ts, v.trace, v.prop)
    violated = [v for v in ref.verdicts if isinstance(v, Violated)]
    if not violated:
        return
    depth = max(v.trace.depth for v in violated)
    for b in bmc.check_all(ts, [v.prop for v in violated], Budget(max_depth=depth, seed=0)):
        assert _shape(b) == want[b.prop], b.prop
        assert isinstance(b, Violated)
        validate(ts, b.trace, b.prop)
