"""Lemmas in k-induction (checker/smt/kind.py): the spec's, proved together or one by one
(NOTE(joint-lemmas)), and mined ones (NOTE(mined-lemmas)).

- a property that holds but is not k-inductive at the bound is proved with mined lemmas and left
  unknown without them; the mined lemmas, pasted into the spec, prove it with no mining;
- a timeout, in the check or in the mining, gives Unknown, never Proved;
- mined lemmas are reused only for the very system (and encoding) they were mined and proved
  for, and a miner result that is not inductive is an internal error, never assumed;
- mutually inductive lemmas are proved together; a false one is still named.

The TDX spec's lemmas are tests/checker/test_tdx_lemmas.py's.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from checker.core.budget import Budget
from checker.core.verdict import Proved, Unknown, Violated
from checker.smt import EngineDisagreement, kind
from checker.smt import kind as smt_kind
from checker.smt.encode import Encoding, EncodingOptions
from checker.smt.houdini import Strengthening, strengthen
from checker.smt.mine import Candidate, refs
from model.ir import TransitionSystem
from model.load import load_text

# y <= 3 holds because y == x, which k-induction without lemmas never learns: from the
# unreachable x = 0, y = 1 the path to y = 4 is 3 steps of distinct states
PAIR = """spec: pair
vars:
  x: {type: "0..5", init: 0}
  y: {type: "0..5", init: 0}
machines:
  m:
    states: [run]
    init: run
    transitions:
      inc:
        guard: "x < 3"
        effect: {x: "x + 1", y: "y + 1"}
      reset:
        guard: "x == 3"
        effect: {x: 0, y: 0}
properties:
  y_le_3: {invariant: "y <= 3"}
  x_le_3: {invariant: "x <= 3"}
"""
PAIR_MINED = "\n".join([
    'mined_0: {invariant: "x not in {4, 5}"}',
    'mined_1: {invariant: "x == 0 => y == 0"}',
    'mined_2: {invariant: "y != 4"}',
    'mined_3: {invariant: "x == 1 => y == 1"}',
    'mined_4: {invariant: "y != 5"}',
    'mined_5: {invariant: "x == 2 => y == 2"}',
    'mined_6: {invariant: "y == 3 => x == 3"}',
])
DEPTH3 = Budget(max_depth=3, rlimit=50_000_000, seed=0)   # work, not time: the same verdicts under load

# `not a` and `not b` are inductive together (swap exchanges them) but neither alone: with b
# set, the counter n keeps up to 8 states distinct before a swap makes a true
SWAP = """spec: swap
vars:
  a: {type: bool, init: false}
  b: {type: bool, init: false}
  n: {type: "0..7", init: 0}
  r0: {type: bool, init: false}
  r1: {type: bool, init: false}
  r2: {type: bool, init: false}
machines:
  m:
    states: [run]
    init: run
    transitions:
      swap:
        effect: {a: "b", b: "a", r0: "false", r1: "r0", r2: "r1"}
      tick:
        guard: "n < 7"
        effect: {n: "n + 1", r0: "false", r1: "r0", r2: "r1"}
      wrap:
        guard: "n == 7"
        effect: {n: 0, r0: "false", r1: "r0", r2: "r1"}
properties:
  never_a: {invariant: "not a"}
"""
LA = '  la: {invariant: "not a"}\n'
LB = '  lb: {invariant: "not b"}\n'
NO_R2 = '  no_r2: {invariant: "not r2"}\n'     # 3-inductive alone (r0..r2 shift), not jointly at k <= 1
SWAP_STEP = '  swap_keeps: {step: "not post(a) and not post(b)", on: [m.swap]}\n'


def _spec(text: str, *lemmas: str) -> TransitionSystem:
    [ts] = load_text(text + ("lemmas:\n" + "".join(lemmas) if lemmas else ""))
    return ts


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    smt_kind._MINED.clear()


# ---- mined lemmas ---------------------------------------------------------------------------------

def test_mining_proves_what_plain_k_induction_cannot() -> None:
    ts = _spec(PAIR)
    plain = kind.check(ts, "y_le_3", DEPTH3, mine=False)
    assert isinstance(plain, Unknown) and plain.reason == "induction failed at k=3"
    assert plain.provenance.stats == (("k", 3),)
    assert plain.cti is not None and plain.cti.states[0] == (0, 1, 0)       # x != y: unreachable
    v = kind.check(ts, "y_le_3", DEPTH3)
    assert isinstance(v, Proved) and v.detail == "k-induction, k=0, 7 mined lemmas"
    assert v.provenance.stats == (("k", 0), ("lemmas", 0), ("mined", 7))
    assert v.invariant == PAIR_MINED


def test_pasted_mined_lemmas_prove_it_without_mining() -> None:
    v = kind.check(_spec(PAIR), "y_le_3", DEPTH3)
    assert isinstance(v, Proved) and v.invariant is not None
    pasted = _spec(PAIR, *(f"  {line}\n" for line in v.invariant.splitlines()))
    assert [m.name for m in pasted.lemmas] == [f"mined_{i}" for i in range(7)]
    again = kind.check(pasted, "y_le_3", DEPTH3, mine=False)
    assert isinstance(again, Proved) and again.detail == "k-induction, k=0"
    assert again.provenance.stats == (("k", 0), ("lemmas", 7))


def test_a_property_proved_without_lemmas_mines_none() -> None:
    v = kind.check(_spec(PAIR), "x_le_3", DEPTH3)
    assert isinstance(v, Proved) and v.detail == "k-induction, k=1" and v.invariant is None
    assert smt_kind._MINED == {}


def test_a_timeout_gives_unknown_never_proved(monkeypatch: pytest.MonkeyPatch) -> None:
    ts = _spec(PAIR)
    v = kind.check(ts, "y_le_3", Budget(max_depth=3, timeout_s=0))
    assert isinstance(v, Unknown) and v.reason == "timeout after 0 s"
    # the mining gets no time: no lemmas, the proof without them fails, and says why
    monkeypatch.setattr(smt_kind, "MINE_SHARE", 0.0)
    v = kind.check(ts, "y_le_3", Budget(max_depth=3, timeout_s=60, seed=0))   # 0 s of 60: always out
    assert isinstance(v, Unknown)
    assert v.reason == "induction failed at k=3 (lemma mining did not finish: timeout after 0.0 s)"
    assert v.provenance.stats == (("k", 3),)
    assert smt_kind._MINED == {}        # nothing cached: a later check with more time mines again


def test_mined_lemmas_are_reused_only_for_the_same_system(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[TransitionSystem] = []

    def counting(ts: TransitionSystem, *args: object, **kw: object) -> Strengthening:
        calls.append(ts)
        return strengthen(ts, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(smt_kind, "strengthen", counting)
    ts = _spec(PAIR)
    x_plain = replace(ts, properties=tuple(p for p in ts.properties if p.name != "x_le_3"))
    for t, options in [(ts, None), (ts, None), (ts, EncodingOptions(ints="int")), (_spec(PAIR), None),
                       (x_plain, None)]:
        v = kind.check(t, "y_le_3", DEPTH3, options=options)
        assert isinstance(v, Proved) and v.provenance.stats[-1] == ("mined", 7)
    # once per system object and encoding: an equal system loaded again is mined again
    assert len(calls) == 4 and calls[0] is calls[1] is ts and calls[2] is not ts and calls[3] is x_plain


def test_mined_lemmas_do_not_depend_on_which_property_is_checked_first() -> None:
    ts = _spec(PAIR + '  y_not_2: {invariant: "y != 2", expect: violated}\n')
    alone = kind.check(ts, "y_le_3", DEPTH3)
    smt_kind._MINED.clear()
    v = kind.check(ts, "y_not_2", DEPTH3)        # mines (not proved at k <= 1), then violated
    assert isinstance(v, Violated) and v.trace.depth == 2 and smt_kind._MINED
    after = kind.check(ts, "y_le_3", DEPTH3)
    assert isinstance(alone, Proved) and isinstance(after, Proved) and after.invariant == alone.invariant


def test_a_miner_result_that_is_not_inductive_is_never_assumed(monkeypatch: pytest.MonkeyPatch) -> None:
    ts = _spec(PAIR)
    y = next(r for r in refs(ts) if r.text == "y")
    # y == 0 excludes every counterexample to induction, and is false after one step
    bogus = Strengthening((Candidate(y, frozenset({0})),), ("y_le_3",), 1, 0.0)
    monkeypatch.setattr(smt_kind, "strengthen", lambda *a, **kw: bogus)
    with pytest.raises(EngineDisagreement, match="not inductive"):
        kind.check(ts, "y_le_3", DEPTH3)
    assert smt_kind._MINED == {}


# ---- the spec's lemmas, together -----------------------------------------------------------------

def test_mutually_inductive_lemmas_are_proved_together() -> None:
    v = kind.check(_spec(SWAP, LA, LB), "never_a", Budget(max_depth=5), mine=False)
    assert isinstance(v, Proved) and v.detail == "k-induction, k=0"
    assert v.provenance.stats == (("k", 0), ("lemmas", 2))
    # neither is provable alone
    for lemmas in [(LA,), (LB,)]:
        v = kind.check(_spec(SWAP, *lemmas), "never_a", Budget(max_depth=5), mine=False)
        assert isinstance(v, Unknown) and v.reason == f"lemma '{lemmas[0][2:4]}' not proved: induction failed at k=5"


def test_a_step_lemma_is_proved_together_with_invariants() -> None:
    v = kind.check(_spec(SWAP, SWAP_STEP, LA, LB), "never_a", Budget(max_depth=5), mine=False)
    assert isinstance(v, Proved) and v.provenance.stats == (("k", 0), ("lemmas", 3))
    v = kind.check(_spec(SWAP, SWAP_STEP), "never_a", Budget(max_depth=5), mine=False)
    assert isinstance(v, Unknown) and v.reason == "lemma 'swap_keeps' not proved: induction failed at k=5"


def test_lemmas_after_one_proved_alone_are_proved_together() -> None:
    # no_r2 needs k = 3 alone, so all three together fail at k <= 1; la and lb then are proved
    # together, assuming no_r2 (the case of mined lemmas pasted after the spec's)
    assert smt_kind._joint(_spec(SWAP, NO_R2).lemmas, (), Budget(), Encoding(_spec(SWAP)), 1).status == "failed"
    v = kind.check(_spec(SWAP, NO_R2, LA, LB), "never_a", Budget(max_depth=5), mine=False)
    assert isinstance(v, Proved) and v.provenance.stats == (("k", 0), ("lemmas", 3))


def test_a_false_lemma_is_still_named() -> None:
    false_first = '  small_n: {invariant: "n < 2"}\n'
    v = kind.check(_spec(SWAP, false_first, LA, LB), "never_a", Budget(max_depth=5), mine=False)
    assert isinstance(v, Unknown) and v.reason == "lemma 'small_n' is violated (a trace of depth 2)"
    assert v.provenance.stats == (("lemmas", 0),)
    # after lemmas proved together: named after the joint proof of it and the rest fails too
    v = kind.check(_spec(SWAP, LA, LB, false_first), "never_a", Budget(max_depth=5), mine=False)
    assert isinstance(v, Unknown) and v.reason == "lemma 'la' not proved: induction failed at k=5"


def test_the_joint_base_case_covers_every_state_and_step_of_the_window() -> None:
    """Inductive together at k = 1 but false at state 1, or on step 0: the base case must see it."""
    one_step = """spec: late
vars:
  a: {type: bool, init: false}
  b: {type: bool, init: true}
machines:
  m:
    states: [run]
    init: run
    transitions:
      go:
        effect: {a: "b", b: "false"}
properties:
  p: {invariant: "true"}
lemmas:
  not_a: {invariant: "not a"}
  go_keeps_a: {step: "not post(a)", on: [m.go]}
"""
    ts = _spec(one_step)
    enc = Encoding(ts)
    for lemma in ts.lemmas:
        assert smt_kind._joint((lemma,), (), Budget(), enc, 0).status == "failed"
        got = smt_kind._joint((lemma,), (), Budget(), enc, 1)
        assert got == smt_kind.Joint("failed", "a lemma is violated within depth 1")
    true_start = _spec(one_step.replace("b: {type: bool, init: true}", "b: {type: bool, init: false}"))
    assert smt_kind._joint(true_start.lemmas, (), Budget(), Encoding(true_start), 1).status == "proved"



def test_mining_is_charged_to_the_instance_not_to_a_share(monkeypatch: pytest.MonkeyPatch) -> None:
    """NOTE(timeout-share): a property's fair share (10 s of a 30 s instance, three properties)
    mines in MINE_SHARE of the instance's time left (24 s, not 8 s), and gets the mining time
    (15 s on a fake clock) back on its own deadline: its induction then runs and fails (no
    lemmas were mined) instead of finding its share spent."""
    import time

    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    asked: list[float | None] = []

    def fake(ts: TransitionSystem, targets: object, budget: Budget, **kw: object) -> Strengthening:
        asked.append(budget.remaining_s())
        now[0] += 15.0
        return Strengthening((), (), 0, 15.0)

    monkeypatch.setattr(smt_kind, "strengthen", fake)
    share = replace(DEPTH3, timeout_s=30).start().share(3)
    assert share.remaining_s() == 10.0
    v = kind.check(_spec(PAIR), "y_le_3", share)
    assert asked == [24.0]
    assert isinstance(v, Unknown) and v.reason == "induction failed at k=3", v
