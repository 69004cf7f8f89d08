"""Every z3 call of the SMT engines is bounded by the budget, and whatever z3 answers or raises
ends as a verdict (NOTE(z3-calls), NOTE(interrupt-z3) in checker/smt/solver.py).

One test per class of failure: a Spacer answer the certificate translator cannot express; a z3
error in a solver check, a Spacer query or deeper in an engine; quantifier elimination and
simplify that would run for minutes; a tiny rlimit on a hard instance (deterministic: no clock);
a small timeout on the river puzzle (tests/specs/river.yaml: 2^N states, but a proof of `range`
that Spacer takes minutes to find at N=8); and Ctrl-C during a z3 call. Times are asserted only
as generous upper bounds (60 s), for checks whose budget is 1-2 s.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import z3

from checker.core.budget import INTERRUPTED, Budget
from checker.core.verdict import Proved, Unknown, Verdict
from checker.smt import bmc, kind, pdr, solver
from checker.smt import pdr as smt_pdr
from checker.smt.certificate import Untranslatable, translate
from checker.smt.encode import Encoding, EncodingOptions, StateVars
from checker.smt.solver import apply_tactic, simplify
from model.ir import TransitionSystem
from model.load import load_spec, load_text

ROOT = Path(__file__).resolve().parents[2]
RIVER = ROOT / "tests" / "specs" / "river.yaml"
PROMPT_S = 60.0       # "ended promptly": for budgets of 1-2 s, and Ctrl-C after 1 s
ENGINES: dict[str, Callable[..., Verdict]] = {"bmc": bmc.check, "kind": kind.check, "pdr": pdr.check}


def river(n: int = 8, tally: bool = False) -> TransitionSystem:
    """The puzzle with n people. With `tally`, `across` is the count on the far bank before the
    trip (a lagging tally): `range` then holds for a trivial reason, but Spacer's answer is a
    quantified unfolding whose elimination runs for minutes (old PDR did it eagerly: > 300 s)."""
    if not tally:
        return load_spec(RIVER, (f"N={n}",))[0]
    text = RIVER.read_text()
    for old in ('"across - 1 if far[p] else across + 1"', '"across - 2 if far[p] else across + 2"'):
        assert old in text
        text = text.replace(old, '"count(far[r] for r in Person)"')
    return load_text(text, "river_tally.yaml", (f"N={n}",))[0]


def timed(f: Callable[[], Verdict]) -> tuple[Verdict, float]:
    t0 = time.monotonic()
    v = f()
    return v, time.monotonic() - t0


# ---- Spacer answers the translator cannot express ---------------------------------------------

def test_translate_raises_untranslatable_never_a_z3_error() -> None:
    ts = river(2)
    enc = Encoding(ts, EncodingOptions(ints="int"))
    x = enc.state("pre")
    k, q = z3.Int("k", enc.ctx), z3.Function("q", z3.IntSort(enc.ctx), z3.BoolSort(enc.ctx))
    across = x.vars[-1]
    cases = {
        "a quantifier": z3.And(across >= 0, z3.Exists([k], z3.And(k > across, k < 3))),
        "a bound variable": z3.ForAll([k], k > across).body(),
        "unknown constant": k > 0,
        "z3 operator q": q(across),
        "z3 operator to_real": z3.IsInt(z3.ToReal(across)),
        "unknown constant 1/2": z3.ToReal(across) > z3.RealVal("1/2", enc.ctx),
    }
    for what, f in cases.items():
        with pytest.raises(Untranslatable, match=what):
            translate(f, x, ts)
    deep = across >= 0
    for _ in range(300):
        deep = z3.Not(deep)
    with pytest.raises(Untranslatable, match="nested more than"):
        translate(deep, x, ts)


def test_an_untranslatable_spacer_answer_gives_unknown_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    """Spacer's lemmas and answer both quantified (as qe may leave them): Unknown, with why."""
    def quantified(fp: z3.Fixedpoint, inv: z3.FuncDeclRef, x: StateVars,
                   budget: Budget) -> Iterator[tuple[str, z3.ExprRef | None, str]]:
        k, across = z3.Int("k", fp.ctx), x.vars[-1]
        f = z3.Exists([k], z3.And(k * k == across + 7, k > 1))
        yield "lemmas", f, ""
        yield "answer", f, ""

    monkeypatch.setattr(smt_pdr, "_candidates", quantified)
    v = pdr.check(river(2), "range", Budget(rlimit=10_000_000))
    assert isinstance(v, Unknown)
    assert v.reason.startswith("no re-checked certificate (lemmas: not translatable: a quantifier: Exists(k")
    assert "; answer: not translatable: a quantifier" in v.reason


def test_a_z3_error_in_the_translator_gives_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    """The crash of issue 14: `Z3 application expected` raised while translating."""
    def fails(*_: object) -> None:
        raise z3.Z3Exception("Z3 application expected")

    monkeypatch.setattr("checker.smt.certificate.to_ir", fails)
    v = pdr.check(river(2), "range", Budget(rlimit=10_000_000))
    assert isinstance(v, Unknown) and "not translatable: z3: Z3 application expected" in v.reason


# ---- z3 errors anywhere -------------------------------------------------------------------------

@pytest.mark.parametrize("engine", ["bmc", "kind"])
def test_a_z3_error_in_a_solver_check_gives_unknown(engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(self: z3.Solver, *_: object) -> None:
        raise z3.Z3Exception(b"boom")

    monkeypatch.setattr(z3.Solver, "check", boom)
    v = ENGINES[engine](river(2), "range", Budget(max_depth=3))
    assert isinstance(v, Unknown) and v.reason == "z3 error: boom", v


def test_a_z3_error_in_a_spacer_query_gives_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(self: z3.Fixedpoint, *_: object) -> None:
        raise z3.Z3Exception(b"no theory for that")

    monkeypatch.setattr(z3.Fixedpoint, "query", boom)
    v = pdr.check(river(2), "range", Budget())
    assert isinstance(v, Unknown) and v.reason == "Spacer rejected the encoding (no theory for that)"


@pytest.mark.parametrize(("engine", "where"), [("bmc", "checker.smt.encode.Encoding.trans"),
                                              ("kind", "checker.smt.encode.Encoding.trans"),
                                              ("pdr", "checker.smt.pdr.recheck")])
def test_a_z3_error_escaping_an_engine_is_caught_at_its_entry(engine: str, where: str,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The last line of defence (checker/smt/guard.py): an error nothing else turned into an
    outcome still ends as Unknown (never exit 4 in the CLI)."""
    def boom(*_: object, **__: object) -> None:
        raise z3.Z3Exception("sort mismatch")

    monkeypatch.setattr(where, boom)
    v = ENGINES[engine](river(2), "range", Budget(max_depth=3))
    assert isinstance(v, Unknown) and v.reason == "z3 error: sort mismatch", v
    assert v.provenance.engine == engine


# ---- quantifier elimination and simplify --------------------------------------------------------

def _spacer_answer(ts: TransitionSystem) -> z3.ExprRef:
    enc = Encoding(ts, EncodingOptions(ints="int"))
    fp, inv, x, err = smt_pdr._horn(enc, ts.prop("range"), Budget())
    assert fp.query(err) == z3.unsat
    answer = smt_pdr._interpretation(fp.get_answer(), inv, x)
    assert smt_pdr._has_quantifier(answer)
    return answer


def test_quantifier_elimination_is_bounded_by_the_budget_and_a_cap() -> None:
    answer = _spacer_answer(river(8, tally=True))
    got, took = timed(lambda: apply_tactic("qe", answer, Budget(timeout_s=1).start(), 600.0))  # type: ignore[arg-type,return-value]
    assert got == (None, "qe: timeout after 1 s") and took < PROMPT_S
    # tactics take no rlimit: a budget bounded by work alone gives them the cap
    got, took = timed(lambda: apply_tactic("qe", answer, Budget(rlimit=1000).start(), 1.0))  # type: ignore[arg-type,return-value]
    assert got == (None, "qe: no result in 1.0 s (its cap: tactics take no rlimit)") and took < PROMPT_S


def test_simplify_gives_its_input_back_when_z3_gives_up(monkeypatch: pytest.MonkeyPatch) -> None:
    answer = _spacer_answer(river(3, tally=True))
    f = z3.And(answer, z3.BoolVal(True, answer.ctx))
    assert simplify(f, Budget(), 1.0).eq(z3.simplify(f))

    def canceled(*_: object, **__: object) -> None:
        raise z3.Z3Exception(b"canceled")

    monkeypatch.setattr(z3, "simplify", canceled)
    assert simplify(f, Budget(timeout_s=1).start(), 1.0).eq(f)


def test_pdr_needing_a_hard_elimination_ends_within_its_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the lemmas are no certificate, the answer's quantifiers are eliminated under the
    budget (old PDR ran qe unbounded, and eagerly: over 300 s on this instance)."""
    monkeypatch.setattr(z3.Fixedpoint, "get_cover_delta", lambda fp, lvl, inv: z3.BoolVal(False, fp.ctx))
    v, took = timed(lambda: pdr.check(river(8, tally=True), "range", Budget(timeout_s=2)))
    assert isinstance(v, Unknown) and took < PROMPT_S
    assert v.reason == ("no re-checked certificate (lemmas: not inductive (initiation: sat); "
                        "answer: qe: timeout after 2 s)")


def test_pdr_proves_the_lagging_tally_by_its_lemmas_without_elimination() -> None:
    v, took = timed(lambda: pdr.check(river(8, tally=True), "range", Budget(timeout_s=20)))
    assert isinstance(v, Proved) and v.invariant == "true" and took < PROMPT_S


# ---- limits: rlimit (deterministic) and timeouts ------------------------------------------------

@pytest.mark.parametrize("engine", ["bmc", "kind", "pdr"])
def test_a_tiny_rlimit_gives_unknown_naming_it(engine: str) -> None:
    v = ENGINES[engine](river(8), "range", Budget(max_depth=40, rlimit=1))
    assert isinstance(v, Unknown) and v.reason == "resource limit (rlimit 1)", v


def _summary(v: Verdict) -> tuple[object, ...]:
    """A verdict without its timings."""
    if isinstance(v, Unknown):
        return "unknown", v.reason, v.depth_reached
    return type(v).__name__, getattr(v, "depth", None)


@pytest.mark.parametrize("engine", ["bmc", "kind", "pdr"])
def test_an_rlimit_stops_a_hard_instance_at_the_same_point_every_time(engine: str) -> None:
    """No clock: the same verdict, reason and depth on an idle and a loaded machine."""
    budget = Budget(max_depth=40, rlimit=300_000)
    a, b = (_summary(ENGINES[engine](river(8), "range", budget)) for _ in range(2))
    assert a == b and a[0] in ("unknown", "HoldsUpTo"), a
    if a[0] == "unknown":
        assert "resource limit (rlimit 300000)" in str(a[1]), a


def test_pdr_on_the_river_puzzle_ends_unknown_within_its_timeout() -> None:
    v, took = timed(lambda: pdr.check(river(8), "range", Budget(timeout_s=2)))
    assert isinstance(v, Unknown) and v.reason == "timeout after 2 s" and took < PROMPT_S


def test_the_river_puzzle_has_2_to_the_n_states() -> None:
    from checker.explicit.search import explore

    r = explore(river(6))
    assert r.complete and r.states == 64
    assert all(isinstance(v, Proved) for v in r.verdicts)


# ---- Ctrl-C ---------------------------------------------------------------------------------------

def _sigint_after(seconds: float) -> threading.Timer:
    t = threading.Timer(seconds, os.kill, (os.getpid(), signal.SIGINT))
    t.start()
    return t


@pytest.mark.skipif(not callable(signal.getsignal(signal.SIGINT)), reason="SIGINT is not handled by Python here")
@pytest.mark.parametrize("engine", ["bmc", "kind", "pdr"])
def test_ctrl_c_during_a_z3_call_ends_the_check_promptly(engine: str) -> None:
    """Each engine spends minutes in single z3 calls here (untimed): a Ctrl-C after 1 s cancels
    the call, the check ends Unknown, and the next check with the same budget ends at once."""
    ts, budget = river(8), Budget(max_depth=60)
    timer = _sigint_after(1.0)
    try:
        v, took = timed(lambda: ENGINES[engine](ts, "range", budget))
    except KeyboardInterrupt:   # the signal missed the engine: fail this test, not the session
        pytest.fail("KeyboardInterrupt escaped the engine")
    finally:
        timer.cancel()
    assert isinstance(v, Unknown) and v.reason == INTERRUPTED and took < PROMPT_S, v
    again, took = timed(lambda: ENGINES[engine](ts, "counted", budget))
    assert isinstance(again, Unknown) and again.reason == INTERRUPTED and took < 5.0


class _Finalised:
    """Calls the SIGINT handler from its `__del__`, as a signal landing in a z3 object's finaliser does."""

    def __init__(self, stop: object, raised: list[BaseException]) -> None:
        self.stop, self.raised = stop, raised

    def __del__(self) -> None:
        try:
            solver._on_sigint(self.stop, signal.SIGINT, sys._getframe())   # type: ignore[arg-type]
        except KeyboardInterrupt as e:   # Python would print it as unraisable and drop it
            self.raised.append(e)


def test_a_ctrl_c_inside_a_finaliser_is_deferred_not_lost() -> None:
    """Between z3 calls a Ctrl-C raises at once; inside a finaliser it would be dropped, so it is
    deferred: the budget reads interrupted and the next z3 call's end raises it."""
    budget, raised = Budget(), list[BaseException]()
    with pytest.raises(KeyboardInterrupt):
        solver._on_sigint(budget.stop, signal.SIGINT, sys._getframe())
    budget = Budget()
    f = _Finalised(budget.stop, raised)
    del f
    assert raised == [] and budget.stop.interrupted and budget.stop.deferred and budget.expired()
    with pytest.raises(KeyboardInterrupt):
        with solver.cancellable(budget, z3.Context()):
            pass
    assert not budget.stop.deferred


DRIVER = """
import sys
import checker.smt.solver as solver
import cli

query = solver.query
def announced(*args, **kw):
    print("-- spacer query starts", flush=True)
    return query(*args, **kw)
solver.query = announced
import checker.smt.pdr as pdr
pdr.query = announced
cli.main(["check", sys.argv[1], "-p", "N=8", "--engine", "pdr", "--property", "range"])
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_in_the_cli_gives_unknown_and_exit_3() -> None:
    """seamcheck check --engine pdr on the river puzzle, Ctrl-C while Spacer runs: it returns
    within seconds with the verdict unknown (interrupted) and the inconclusive exit code."""
    p = subprocess.Popen([sys.executable, "-c", DRIVER, str(RIVER)], cwd=ROOT, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        assert p.stdout is not None
        first = p.stdout.readline()
        assert "spacer query starts" in first, (first, p.stderr.read() if p.stderr else "")
        time.sleep(1.0)
        t0 = time.monotonic()
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=PROMPT_S)
        took = time.monotonic() - t0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert p.returncode == 3, (out, err)
    assert "unknown (pdr: interrupted (SIGINT))" in out and "Traceback" not in err and took < PROMPT_S


THREE_PROPERTIES = """
spec: three
vars:
  x: {type: "0..2", init: 0}
machines:
  m:
    states: [s]
    init: s
    transitions:
      inc: {from: s, guard: "x < 2", effect: {x: "x + 1"}}
check_deadlock: false
properties:
  a: {invariant: "x <= 2"}
  b: {invariant: "x >= 0"}
  c: {invariant: "x != 3"}
"""


@pytest.mark.parametrize("engine", ["kind", "pdr"])
def test_timeout_is_per_instance_each_property_a_fair_share(engine: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """NOTE(timeout-share): --timeout 30 over three properties is 30 s for the instance. On a
    fake clock the first property takes 4 s of its 10 s share; the second would take 20 s and is
    stopped at its share of what is left, 26 / 2 = 13 s; the last gets the remaining 13 s. The
    instance ends at 30 s, not 90 s."""
    from checker.core.verdict import Provenance
    from checker.run import engines
    from checker.smt import kind as kind_mod
    from checker.smt import pdr as pdr_mod

    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    cost = {"a": 4.0, "b": 20.0, "c": 1.0}
    got: list[tuple[str, float | None, float | None]] = []

    def fake(ts: TransitionSystem, prop: str, budget: Budget | None = None, **kw: object) -> Verdict:
        assert budget is not None
        left = budget.start().remaining_s()
        got.append((prop, left, budget.timeout_s))
        now[0] += min(cost[prop], left or 0.0)
        return Unknown(prop, Provenance(engine, (), None), "stopped")

    monkeypatch.setattr(kind_mod if engine == "kind" else pdr_mod, "check", fake)
    [ts] = load_text(THREE_PROPERTIES)
    engines.smt(ts, ["a", "b", "c"], Budget(timeout_s=30), engine)
    assert got == [("a", 10.0, 10.0), ("b", 13.0, 13.0), ("c", 13.0, 30)]
    assert now[0] == 1000.0 + 4 + 13 + 1
