"""Paths from the initial states, asked depth by depth: the base of BMC and of k-induction.

`Unrolling` is shared by bmc.py (every property of an instance on one path) and kind.py (its
base case). It proves no lemma itself: BMC hands it k-induction's `prove_lemmas`
(NOTE(bmc-lemmas)), so kind.py never imports bmc.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import z3

from checker.core.budget import Budget, Progress
from checker.core.verdict import Provenance, Unknown, Violated
from checker.smt import decode
from checker.smt.encode import Encoding, StateVars, disj
from checker.smt.lasso import Lassos
from checker.smt.lasso_quadratic import QuadraticLassos
from checker.smt.loops import LoopLengths
from checker.smt.prefix import Prefix, frontier_formula, joined
from checker.smt.solver import check as solver_check
from checker.smt.solver import new_solver, settle, work
from checker.smt.symbreak import SymmetricPath
from checker.smt.unroll import Path, provenance
from checker.symmetry.automorphism import automorphisms
from checker.traces.trace import Trace
from model.ir import Property, TransitionSystem

# proves the spec's lemmas in an encoding: (the proved ones, why the rest failed or None)
LemmaProver = Callable[[TransitionSystem, Budget, Encoding, str], tuple[tuple[Property, ...], str | None]]
# mines lemmas, proved in the encoding, assuming the given proved ones (NOTE(bmc-mining)):
# (the mined lemmas, or none and why)
LemmaMiner = Callable[[TransitionSystem, Budget, Encoding, tuple[Property, ...]], tuple[tuple[Property, ...], str | None]]

LASSO = "-lasso"    # engine-name suffix of temporal verdicts: bounded lasso search, never a proof
LEMMA_DEPTH = 6     # from this depth on, the spec's lemmas (once proved) are asserted (NOTE(bmc-lemmas))
LEMMA_SHARE = 0.2   # of the time left: what proving them may take (10 s when untimed, unless
                    # bounded by work: rlimit per query, and k <= 2, bound it without a clock)

# NOTE(bmc-lemmas): a proved lemma holds in every reachable state, so asserting it in every
# state of the unrolling removes only paths through unreachable states: every verdict, and the
# depth of every shortest counterexample, stay the same (each trace is replayed on the concrete
# semantics anyway). It helps the SAT solver refute the deep depths before a long
# counterexample (TDX at V=3 P=3: S5 at depth 23, 5.5-6.8 s -> 4.2-4.9 s CPU; docs/encoding.md).
# For the same reason a refuted query is kept as a fact (`Not(f)` in `at`): no path from the
# initial states violates that property at that depth, so no query loses a path by it. The lemmas are proved (k-induction, checker/smt/kind.py) only once the
# search reaches LEMMA_DEPTH, so shallow counterexamples never pay for it; a lemma that cannot
# be proved in LEMMA_SHARE of the time left is simply not used.

# NOTE(stutter-fact): every lasso query of depth k has a stutter case, "s_k reachable in k steps
# and nothing enabled there" (NOTE(lasso) in lasso.py), the same condition for every temporal
# property (and the `deadlock` property's query when no machine has terminal states). BMC asks
# it once per depth, before the lasso queries of that depth (`rule_out_stutter`, from
# bmc.check_all), and when it is refuted keeps its negation as a fact, as it keeps every refuted
# query (NOTE(bmc-lemmas)): the solver's own assertions imply the fact, so no later answer
# changes, and the stutter case of each lasso query is then ruled out by propagation instead
# of being refuted again per property. When the stutter query is satisfiable (a reachable
# deadlock) or not answered, nothing is kept and each lasso query decides its stutter as before.
# Once proved lemmas are asserted, one query on a single state asks whether they leave any
# in-domain state with nothing enabled (`_idle_free`); when they leave none, no reachable state
# is idle (every reachable state satisfies them), so the fact is kept at every depth without a
# query (Chandy-Misra N=5 with its 164 mined lemmas: 4 ms once, where the stutter queries to
# depth 30 took 1-1.5 s of CPU). A reachable idle state (a terminal one) is never excluded by a
# lemma, so it is always asked for (tests/checker/test_lasso.py, IDLE_LEMMA).

# NOTE(stopped-solver): z3's incremental solver is not to be trusted to refute anything after
# one of its checks was stopped by a limit (rlimit or timeout): on generated systems
# (tests/test_engines_agree.py, `_hunt_agrees`) a check stopped at a small work limit was
# followed, on the same solver, by `unsat` for a depth where a fresh solver and the explicit
# search find a violation. A model is still checked (every trace is replayed), so a violation
# found later is real; only an `unsat` is in question. So after a stop an Unrolling either
# renews its solver (`renew`, the default: bmc.check_all, where a property stopped at its share
# of the time leaves the others to go on, NOTE(bmc-timeout)): the next query, of any property,
# runs on a fresh path from init with the proved lemmas asserted again (they were proved on
# solvers of their own); what the stopped solver had learnt, and the refuted queries kept as
# facts, are dropped, which costs time, never a verdict. Or it distrusts it (bmc.hunt, whose
# queries stop at small work limits by design, where renewing after each would throw away the
# work the passes build on): an `unsat` after a stop is reported as UNTRUSTED, not as a depth
# searched, and the property's verdict is bounded by the depth refuted before the stop. The
# loop-length side solver renews itself after a stop in the same way (NOTE(loop-lengths) in
# loops.py), and a stopped stutter query (NOTE(stutter-fact)) renews the path too. Tested with
# every z3 call stopped at 1-8,192 units and more on generated systems
# (tests/checker/test_bmc_stops.py).
UNTRUSTED = "not refuted: z3 answered on a solver whose earlier query was stopped by a limit"

MINE_AFTER_WORK = 10_000_000   # z3 resource units (rlimit count) of BMC's solver, ~1.5 s of CPU
MINE_EARLY_WORK = 1_250_000    # ... once a temporal property's loop lengths were given up (NOTE(mine-early))
MINE_TEMPORAL_WORK = 1_250_000  # ... on a spec with temporal properties (NOTE(mine-early))
MINE_SHARE = 0.25              # of the instance's time left: what BMC's mining may use
MINE_CAP_S = 120.0             # ... when untimed (unless bounded by work alone: rlimit, no clock);
                               # MINE_ROUNDS bounds it first: a cut run (NOTE(mining-cut)) takes 12-15 s
                               # of CPU on mcs_bug, which 30 s and 60 s of wall clock stopped at load 5-7
MINE_ROUNDS = 300              # Houdini rounds before BMC's mining is cut (NOTE(mining-cut) in houdini.py)

# NOTE(bmc-mining): a spec with no lemmas of its own gets mined ones (k-induction's miner,
# NOTE(mined-lemmas) in kind.py: Houdini's lemmas, proved inductive in this encoding before use)
# once BMC's solver has done MINE_AFTER_WORK units of work. They are proved invariants, so
# asserting them keeps every verdict and shortest depth (NOTE(bmc-lemmas)). Why: on mutual-
# exclusion protocols written without lemmas, the unsat queries of a holding property grow about
# 1.5-2x per depth (the filter lock N=3: depth 24 after 28 s of CPU, 30 out of reach in 100 s);
# with the mined lemmas every depth is refuted by short reasoning (depth 30 in about 10 s of
# CPU, mining included; bench/README.md). Why the trigger: mining costs a few seconds, so BMC
# pays it only once it has spent about as much (a ski-rental rule: never more than about twice
# the better of the two choices), and cheap runs (every shipped example, shallow
# counterexamples) never mine. The work is z3's deterministic resource count, not time, so the
# same spec and budget give the same lemmas, and the same traces, under any load. A spec with
# lemmas of its own keeps only those (its author's choice; the TDX spec's 34 already make BMC
# fast, NOTE(bmc-lemmas)). Mining that does not finish in MINE_SHARE of the instance's time
# left gives no lemmas, and BMC goes on without them; one that reaches MINE_ROUNDS rounds of
# Houdini (a bound on work: the locks it helps need 154-168, NOTE(mining-rounds) in houdini.py)
# is cut (NOTE(mining-cut)): it ends as plain Houdini and gives the proved lemmas left (the MCS
# lock with a stale link, bench/specs/mcs_bug.yaml: 64 lemmas after 592 rounds, where unbounded
# it never finished; its deadlock's depths 15-21 then cost about a quarter less, bench/README.md).

# NOTE(mine-early): where the side solver gave up a temporal property's loop length (a fair
# violating loop of that length starts in some state, NOTE(loop-lengths) in loops.py), BMC mines
# after MINE_EARLY_WORK units instead: if those loops are unreachable, only proved lemmas refute
# them for every depth (NOTE(loop-lemmas)); without them each depth query must, at a cost that
# grows with the depth (Chandy-Misra N=5 `hungry_eats`: 2-4 s of CPU per depth from 15 on), and
# the lasso queries before MINE_AFTER_WORK are what that costs (3 s to depth 13). Still a bound
# on work, so the same lemmas come under any load, and shallow lassos (every shipped example)
# are found before it. Where the loop is real, mining is spent for nothing; the lasso is found
# at its depth all the same (a lemma only removes unreachable paths, NOTE(bmc-lemmas)).
# On a spec with temporal properties, a temporal or `deadlock` query mines after
# MINE_TEMPORAL_WORK too, loop lengths given up or not: their stutter and deadlock queries
# (NOTE(stutter-fact)) grow with the depth until lemmas come, and the side solver's proofs need
# them (NOTE(loop-lemmas), NOTE(no-fair-loop) in monotone.py). Chandy-Misra N=5, CPU to depth
# 30: `someone_eats_often` 6.1 s mining at 10M units (state 20), 4.4 s at 1.25M (state 8), 3.8 s
# at 0; `deadlock` 5.5, 3.2 and 3.0 s (bench/README.md). Not 0: shallow lassos (every shipped
# example) stay unmined. An invariant query keeps MINE_AFTER_WORK: mining at 1.25M made
# `neighbours_never_eat_together` cost 4.7 s instead of 0.7 s.


class Unrolling:
    """Paths from the initial states (or, with a prefix, from BFS level j: NOTE(explicit-prefix));
    at(p, depth) asks for a violation of p at exactly that depth.

    For each property, depths must be asked in increasing order (a shortest counterexample
    first); different properties may interleave freely.
    """

    def __init__(self, ts: TransitionSystem, budget: Budget, enc: Encoding, engine: str,
                 lemmas: tuple[Property, ...] | None = None, prove: LemmaProver | None = None,
                 mine: LemmaMiner | None = None, prefix: Prefix | None = None):
        self.ts, self.budget, self.engine, self.enc = ts, budget, engine, enc
        self.autos = automorphisms(enc.ts) if enc.options.symmetry else ()
        self.loops = LoopLengths(enc, enc.ts.fairness(), budget) if enc.options.loop_lengths else None
        # NOTE(explicit-prefix): safety queries only, from BFS level prefix.depth instead of init
        self.prefix = prefix
        self.offset = prefix.depth if prefix is not None else 0
        self._front = {s: i for i, s in enumerate(prefix.frontier)} if prefix is not None else {}
        self._start: z3.ExprRef | None = None
        self._fresh_path()
        self.t0 = time.monotonic()
        self.clean_to: dict[str, int] = {}   # per property: every depth <= this is violation-free
        self.answered: set[str] = set()      # properties with a query answered unsat (not just no position)
        self.queries = 0
        # lemmas proved by the caller (k-induction's base case) hold at once; None: BMC proves
        # the spec's when it gets deep (NOTE(bmc-lemmas))
        self.prove = prove
        self.lemmas_due = lemmas is None and prove is not None and bool(ts.lemmas)
        if lemmas:
            self._assume(lemmas)
        self.mine = mine       # NOTE(bmc-mining): for a BMC run on a spec with no lemmas
        self.mine_due = mine is not None and lemmas is None and not ts.lemmas
        self.mined = 0
        self.temporal = any(q.temporal for q in ts.properties)   # NOTE(mine-early)
        self.settle = False    # NOTE(settle) in solver.py
        self.renew = True      # after a stop: a fresh solver (else: distrust this one; NOTE(stopped-solver))
        self.stale = False     # a query on this solver was stopped; renewed before the next query
        self.renewed = 0
        self.stopped_once = False   # a query on this solver was stopped (NOTE(stopped-solver))
        self.stutter_asked: set[int] = set()   # depths whose stutter query was asked (NOTE(stutter-fact))
        self.idle_free: tuple[tuple[Property, ...], bool] = ((), False)   # (lemmas, they exclude idle states)
        self.stutter_s = 0.0

    def _fresh_path(self) -> None:
        """The path from init (and the lasso constraints on it) in a fresh solver."""
        start = None if self.prefix is None else self._frontier
        self.path = SymmetricPath(self.enc, self.budget, self.autos, start) if self.autos \
            else Path(self.enc, self.budget, "", from_init=True, start=start)
        self.lassos = QuadraticLassos(self.path) if self.enc.options.lasso == "quadratic" \
            else Lassos(self.path, self.loops)

    def _frontier(self, x: StateVars) -> z3.ExprRef:
        """NOTE(explicit-prefix): s_0 is a state of BFS level j (built once; every renewed path
        names its first state alike, so the formula serves them all)."""
        assert self.prefix is not None
        if self._start is None:
            self._start = frontier_formula(self.enc, x, self.prefix.frontier)
        return self._start

    def _stopped(self) -> None:
        """NOTE(stopped-solver): a query on the path's solver was stopped by a limit."""
        if self.renew:
            self.stale = True
        else:
            self.stopped_once = True

    def _renew(self) -> None:
        """NOTE(stopped-solver): the next query gets a fresh solver, with the proved lemmas."""
        invariants = self.path.invariants
        self._fresh_path()
        if invariants:
            self.path.assume(invariants)
        self.stale = False
        self.renewed += 1
        self.stutter_asked.clear()

    def _assume(self, lemmas: tuple[Property, ...]) -> None:
        """Proved invariants: on the path from init (NOTE(bmc-lemmas)) and in the side solver's
        loop state (NOTE(loop-lemmas) in loops.py)."""
        self.path.assume(lemmas)
        if self.loops is not None:
            self.loops.assume(lemmas)

    def _strengthen(self) -> None:
        self.lemmas_due = False
        left = self.budget.remaining_s()
        if left is None and self.budget.rlimit is not None:   # no clock: the same lemmas under any load
            deadline = None
        else:
            deadline = time.monotonic() + (10.0 if left is None else LEMMA_SHARE * left)
        share = replace(self.budget, deadline=deadline, max_depth=min(self.budget.max_depth, 2))
        assert self.prove is not None
        proved, failed = self.prove(self.ts, share, self.path.enc, self.engine)
        if failed is None:
            self._assume(proved)

    def _mine(self) -> None:
        """NOTE(bmc-mining): mined lemmas, asserted from now on and on what is unrolled."""
        self.mine_due = False
        b = self.budget
        end = b.outer if b.outer is not None else b.deadline   # the instance's (NOTE(timeout-share))
        if end is None and b.rlimit is not None:   # no clock: the same lemmas under any load
            deadline = None
        else:
            deadline = time.monotonic() + (MINE_CAP_S if end is None else MINE_SHARE * (end - time.monotonic()))
        share = replace(b, deadline=deadline, timeout_s=None, outer=None, whole_s=None)
        assert self.mine is not None
        mined, _why = self.mine(self.ts, share, self.path.enc, self.path.invariants)
        if mined:
            self._assume((*self.path.invariants, *mined))
            self.mined = len(mined)

    def _mine_after(self, p: Property) -> int:
        """NOTE(mine-early): the work after which BMC mines, before a query of p."""
        if self.loops is not None and self.loops.given_up:
            return MINE_EARLY_WORK
        if self.loops is not None and self.temporal and (p.temporal or p.kind == "deadlock"):
            return MINE_TEMPORAL_WORK
        return MINE_AFTER_WORK

    def at(self, p: Property, depth: int) -> Violated | Unknown | None:
        if self.stale:
            self._renew()
        if self.lemmas_due and depth >= LEMMA_DEPTH:
            self._strengthen()
        if self.mine_due and work(self.path.solver) >= self._mine_after(p):
            self._mine()
        side_s = self._side_s()
        if self.loops is not None:
            self.loops.budget = self.budget
        assert not (p.temporal and self.prefix), "NOTE(explicit-prefix): lassos start in init"
        f = self.lassos.shape(p, depth) if p.temporal else self.path.query(p, depth - self.offset)
        side_s = self._side_s() - side_s
        if f is None:
            self.clean_to[p.name] = depth
            return None
        s = self.path.solver
        lit = z3.Bool(f"$q{self.queries}@{depth}", s.ctx)   # names only for humans (NOTE(names))
        self.queries += 1
        s.add(z3.Implies(lit, f))
        if self.settle:   # NOTE(settle) in solver.py: bmc.hunt's small work limits
            settle(s, self.budget, lit)
        out = solver_check(s, self.budget, lit)
        self.budget.on_progress(Progress(self.engine, depth=depth, elapsed_s=time.monotonic() - self.t0,
                                         query_s=out.elapsed_s + side_s))
        if out.result == "unknown":
            self._stopped()
            return Unknown(p.name, self._prov(p, depth), out.reason,
                           depth_reached=max(self.clean_to.get(p.name, 0), 0))
        if out.result == "unsat" and self.stopped_once:   # NOTE(stopped-solver): not trusted
            return Unknown(p.name, self._prov(p, depth), UNTRUSTED,
                           depth_reached=max(self.clean_to.get(p.name, 0), 0))
        if out.result == "unsat":
            s.add(z3.Not(lit), z3.Not(f))   # retire the query; what it proved holds on every path
            self.clean_to[p.name] = depth
            self.answered.add(p.name)
            return None
        return Violated(p.name, self._prov(p, depth), self._trace(s.model(), p, depth))

    def rule_out_stutter(self, depth: int) -> None:
        """NOTE(stutter-fact): ask once whether a reachable state with nothing enabled ends a path
        of this depth; refuted, that is kept as a fact for every lasso query of the depth."""
        if self.stale:
            self._renew()
        f = self.lassos.deadlocked(depth) if isinstance(self.lassos, Lassos) else None
        if f is None or depth in self.stutter_asked:
            return
        self.stutter_asked.add(depth)
        s = self.path.solver
        if self._idle_free():   # the lemmas refute it at every depth: kept without a query
            s.add(z3.Not(f))
            return
        lit = z3.Bool(f"$dead@{depth}", s.ctx)
        s.add(z3.Implies(lit, f))
        out = solver_check(s, self.budget, lit)
        self.stutter_s += out.elapsed_s
        if out.result == "unsat":
            s.add(z3.Not(lit), z3.Not(f))
        elif out.result == "unknown":
            self._stopped()

    def _idle_free(self) -> bool:
        """NOTE(stutter-fact): no in-domain state that satisfies the proved lemmas has nothing
        enabled (one query on one state, once per set of lemmas; not answered reads as no)."""
        inv = self.path.invariants
        if not inv:
            return False
        if self.idle_free[0] is not inv:
            x, enc = self.enc.state("$idle"), self.enc
            s = new_solver(self.budget, enc.ctx, enc.logic)
            s.add(enc.domain(x), *enc.hold(inv, x), z3.Not(disj(enc.ctx, enc.guards(x))))
            self.idle_free = (inv, solver_check(s, self.budget).result == "unsat")
        return self.idle_free[1]

    def _side_s(self) -> float:
        """Time in the loop-length and stutter queries so far (NOTE(loop-lengths) in loops.py,
        NOTE(stutter-fact))."""
        return self.stutter_s + (self.loops.query_s if self.loops is not None else 0.0)

    def _trace(self, m: z3.ModelRef, p: Property, depth: int) -> Trace:
        tr = decode.trace(m, self.path.states, self.path.acts, depth - self.offset)
        if self.prefix is not None:
            tr = joined(self.prefix, self._front, tr)
        if p.temporal:
            tr = replace(tr, loop=self.lassos.loop_index(m, depth))
        return decode.validated(self.ts, tr, p, self.engine)

    def _prov(self, p: Property, depth: int) -> Provenance:
        return provenance(self.ts, engine_name(self.engine, p), self.t0, depth=depth,
                          max_depth=self.budget.max_depth, **self.used())

    def used(self) -> dict[str, int]:
        """The provenance stats: the lemmas asserted (how many, how many mined), and the depth of
        the explicit prefix (NOTE(explicit-prefix))."""
        used = {"lemmas": len(self.path.invariants)} if self.path.invariants else {}
        if self.prefix is not None:
            used["prefix"] = self.prefix.depth
        return {**used, "mined": self.mined} if self.mined else used


def engine_name(engine: str, p: Property) -> str:
    return engine + LASSO if p.temporal else engine


class BaseCase:
    """The Unrolling for one property (k-induction's base case)."""

    def __init__(self, ts: TransitionSystem, p: Property, budget: Budget, enc: Encoding, engine: str,
                 lemmas: tuple[Property, ...] = ()):
        self.p = p
        self.unrolling = Unrolling(ts, budget, enc, engine, lemmas)

    def at(self, depth: int) -> Violated | Unknown | None:
        return self.unrolling.at(self.p, depth)
