"""The lemma miner (checker/smt/mine.py, checker/smt/houdini.py): whatever it returns as proved holds
in every reachable state (the explicit engine is the judge), means what its text says, and a
run that does not finish returns nothing.

- generated specs with a symmetric set (tests/gen_sym.py) and generated IR (tests/gen_ir.py):
  every mined lemma holds in every reachable state, and so does its text, loaded as a lemma;
- a sample that is not the reachable states at all (random in-domain states, no initial state):
  the lemmas are still invariants (soundness comes from Houdini's checks, not from the sample);
- the text of every kind of candidate evaluates like its IR, state by state;
- timeouts and resource limits give no lemmas and close no target.
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import replace
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.core.budget import Budget
from checker.core.verdict import Proved
from checker.explicit.search import explore
from checker.smt import houdini as houdini_module
from checker.smt import kind
from checker.smt.houdini import houdini, strengthen
from checker.smt.mine import DEFAULT_SAMPLE, Candidate, Index, SampleSize, as_lemmas, candidates, refs, sample
from checker.traces.trace import State
from model.evaluate import compile_expr
from model.ir import Property, TransitionSystem
from model.load import load_text
from model.sorts import BoolSort
from tests.gen_ir import systems
from tests.gen_sym import symmetric_specs

EXAMPLES = int(os.environ.get("SEAMCHECK_MINE_EXAMPLES", "25"))   # per generator; more for a longer run
MAX_STATES = 3_000
BUDGET = Budget(rlimit=50_000_000, seed=0)   # per z3 call; never reached by these small systems (no clock)
TINY = SampleSize(bfs_states=2, walks=2, walk_depth=4)   # weak samples: more weakening, more CTIs
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _targets(ts: TransitionSystem) -> list[Property]:
    return [p for p in ts.properties if not p.temporal]


def _reachable(ts: TransitionSystem) -> list[State]:
    """Every reachable state (a breadth-first search to the end: the systems here are small)."""
    return sample(ts, SampleSize(bfs_states=10 * MAX_STATES, walks=0))


def _hold_everywhere(ts: TransitionSystem, lemmas: tuple[Property, ...]) -> None:
    """The explicit engine proves every lemma an invariant (or the search was too large)."""
    if not lemmas:
        return
    got = explore(replace(ts, properties=lemmas), None, Budget(max_states=MAX_STATES))
    if got.complete and got.states > 0:     # no initial state: nothing to hold in
        docs = {m.name: m.doc for m in lemmas}
        assert all(isinstance(v, Proved) for v in got.verdicts), \
            [(v.prop, docs[v.prop]) for v in got.verdicts if not isinstance(v, Proved)]


def _mined(ts: TransitionSystem, size: SampleSize, templates: bool) -> tuple[Property, ...]:
    got = strengthen(ts, _targets(ts), BUDGET.start(), templates=templates, size=size)
    assert got.reason is None, got.reason
    assert set(got.closed) <= {p.name for p in _targets(ts)}
    return as_lemmas(ts, got.lemmas)


def _with_lemmas(text: str, lemmas: tuple[Property, ...]) -> TransitionSystem:
    """The spec text with the lemmas' texts appended as its `lemmas:` (it has none of its own)."""
    [ts] = load_text(text + "lemmas:\n" + "".join(f"  {m.name}: {{invariant: {json.dumps(m.doc)}}}\n"
                                                 for m in lemmas))
    return ts


@SETTINGS
@given(symmetric_specs(), st.sampled_from([DEFAULT_SAMPLE, TINY]), st.booleans())
def test_mined_lemmas_and_their_texts_hold_in_every_reachable_state(text: str, size: SampleSize,
                                                                     templates: bool) -> None:
    [ts] = load_text(text)
    lemmas = _mined(ts, size, templates)
    _hold_everywhere(ts, lemmas)
    if not lemmas:
        return
    pasted = _with_lemmas(text, lemmas)
    _hold_everywhere(pasted, pasted.lemmas)
    states = _reachable(ts)
    for m, p in zip(lemmas, pasted.lemmas, strict=True):
        assert m.pred is not None and p.pred is not None
        mine, read = compile_expr(m.pred), compile_expr(p.pred)
        assert all(bool(mine(s)) == bool(read(s)) for s in states), m.doc


@SETTINGS
@given(systems(), st.sampled_from([DEFAULT_SAMPLE, TINY]), st.booleans())
def test_mined_lemmas_hold_in_every_reachable_state_of_generated_systems(ts: TransitionSystem, size: SampleSize,
                                                                          templates: bool) -> None:
    _hold_everywhere(ts, _mined(ts, size, templates))


def _random_states(ts: TransitionSystem, seed: int, n: int) -> list[State]:
    rng = random.Random(seed)
    domains = [(0, 1) if isinstance(v.sort, BoolSort) else tuple(v.sort.values()) for v in ts.vars]
    return [tuple(rng.choice(d) for d in domains) for _ in range(n)]


@SETTINGS
@given(systems(), st.integers(0, 2**16), st.integers(1, 8))
def test_houdini_is_sound_whatever_the_sample(ts: TransitionSystem, seed: int, n: int) -> None:
    """The sample only proposes: here it is random states, usually unreachable and often
    without an initial state, so candidates and the supports offered during consecution are
    often false initially. Houdini must weaken them away (NOTE(houdini))."""
    with mock.patch.object(houdini_module, "sample", lambda ts_, size: _random_states(ts_, seed, n)):
        lemmas = _mined(ts, DEFAULT_SAMPLE, templates=True)
    _hold_everywhere(ts, lemmas)


SYM = """spec: texts
params:
  N: {default: 3}
types:
  P: {index: N, symmetric: true}
  C: [RED, GREEN, BLUE]
  Q: {index: 2}
vars:
  flag: {type: "P -> bool", init: false}
  col: {type: "P -> C", init: RED}
  owner: {type: "P?", init: none}
  slot: {type: "Q -> P?", init: none}
  g: {type: "0..3", init: 0}
  b: {type: bool, init: false}
machines:
  p:
    instances: P
    states: [s0, s1, s2]
    init: s0
    transitions:
      take:
        from: s0
        to: s1
        guard: "owner == none"
        effect: {owner: "self", "flag[self]": "true", g: "min(g + 1, 3)"}
      paint:
        from: s1
        to: s2
        effect: {"col[self]": "GREEN", "slot[0]": "self", b: "not b"}
      drop:
        from: s2
        to: s0
        effect: {owner: "none", "flag[self]": "false", "col[self]": "BLUE", "slot[1]": "self"}
properties:
  one_owner: {invariant: "count(p[v].pc != s0 for v in P) <= 1"}
"""


def test_candidate_texts_mean_what_the_candidates_mean() -> None:
    """Every template, and candidates excluding arbitrary states (premises on `any(...)`
    components, negated ones included), read back from their text, agree with their IR on the
    reachable states and on random ones."""
    [ts] = load_text(SYM)
    states = _reachable(ts)
    index = Index(ts, states)
    others = _random_states(ts, 1, 60)
    cands: dict[Candidate, None] = dict.fromkeys([*candidates(ts, states), *index.unary()])
    for s in others[:20]:
        cands.update(dict.fromkeys(index.excluding(s, limit=12)))
    # every kind of exclusion: premises never seen together (`not (...)`), two premises
    every = [c for s in others[20:] for c in index.excluding(s)]
    cands.update(dict.fromkeys([c for c in every if not c.allowed] + random.Random(0).sample(every, 60)))
    picked = list(cands)
    assert any(r.test == "any" for c in picked for r, _ in c.premises)        # the cases of _negate
    assert any(r.test == "any" and not x for c in picked for r, x in c.premises)
    assert any(c.cross for c in picked) and any(not c.allowed for c in picked)
    assert any(len(c.premises) == 2 for c in picked)
    lemmas = as_lemmas(ts, picked)
    pasted = _with_lemmas(SYM, lemmas)
    for m, p in zip(lemmas, pasted.lemmas, strict=True):
        assert m.pred is not None and p.pred is not None
        mine, read = compile_expr(m.pred), compile_expr(p.pred)
        assert all(bool(mine(s)) == bool(read(s)) for s in [*states, *others]), m.doc


def test_refs_name_only_what_the_spec_may_name() -> None:
    """Elements of a symmetric set are never named (the spec could not load the text)."""
    [ts] = load_text(SYM)
    assert [(r.text, r.over) for r in refs(ts)] == [
        ("owner == {v}", "P"), ("owner == none", None), ("slot[0] == {v}", "P"), ("slot[0] == none", None),
        ("slot[1] == {v}", "P"), ("slot[1] == none", None), ("g", None), ("b", None),
        ("flag[{v}]", "P"), ("col[{v}]", "P"), ("p[{v}].pc", "P")]


def test_a_timeout_gives_no_lemmas_and_closes_nothing() -> None:
    [ts] = load_text(SYM)
    cands = candidates(ts, sample(ts))
    assert cands
    over = Budget(timeout_s=0).start()
    got = houdini(ts, cands, over)
    assert (got.lemmas, got.reason) == ((), "timeout after 0 s")
    got2 = strengthen(ts, _targets(ts), over)
    assert (got2.lemmas, got2.closed, got2.reason) == ((), (), "timeout after 0 s")
    # z3 giving up part-way (a resource limit) is no better
    got3 = strengthen(ts, _targets(ts), Budget(rlimit=1).start())
    assert got3.lemmas == () and got3.closed == () and got3.reason is not None


def test_closed_targets_are_0_inductive_with_the_mined_lemmas() -> None:
    [ts] = load_text(SYM)
    got = strengthen(ts, _targets(ts), BUDGET.start())
    assert got.reason is None and got.closed == ("one_owner", "deadlock", "range")
    with_lemmas = replace(ts, lemmas=as_lemmas(ts, got.lemmas))
    for name in got.closed:
        v = kind.check(with_lemmas, name, Budget(max_depth=0), mine=False)
        assert isinstance(v, Proved) and v.detail == "k-induction, k=0", v
