"""Houdini: the strongest inductive weakening of a set of candidate invariants, and lemma mining.

NOTE(houdini): candidates (checker/smt/mine.py, NOTE(mining)) are weakened, never trusted:
  1. initiation: while some initial state falsifies a candidate, allow the values it has there;
  2. consecution: while some step from a state satisfying every candidate (and every `assumed`
     invariant: the spec's lemmas, already proved) reaches a state falsifying one, allow the
     values the falsified candidates see in that post-state.
A candidate that ends up allowing every value is dropped. Weakening (rather than dropping, as
classic Houdini does) keeps what still holds of a candidate, and terminates because each round
widens at least one finite set. At the fixpoint the conjunction holds initially and is closed
under the transition relation: every candidate left is an invariant, and the final unsat
initiation and consecution queries are its proof. Candidates offered during consecution (the
supports of NOTE(cti-mining)) have not been through initiation: `fix` repeats both until
consecution offers nothing new, so every candidate left has passed both (the sample is never
trusted for this). Each candidate version gets two literals, `$hp` (it holds in the pre-state,
assumed while current) and `$hq` (it holds in the post-state), so a round adds only the new
versions and one disjunction. A model that the concrete evaluator reads differently (no
candidate weakened) is an internal error (EngineDisagreement), not a loop.

NOTE(cti-mining): templates alone rarely make a property inductive. `strengthen` then asks for a
counterexample to induction (a state satisfying every lemma from which the property goes bad
at once: unreachable, if the property holds) and adds the candidates with one or two premises
that exclude it and no sampled state (mine.Index), or, failing those, the state's cube
generalised against the sample (NOTE(cube-mining) in mine.py). When consecution would weaken such a
candidate, the pre-state that breaks it is excluded the same way first (up to SUPPORT_LEVELS
deep): the supporting lemmas of an IC3-style proof, found by the sample instead of by
generalising with the solver. Supports go deep (30 levels, 5,000 per run): the filter, MCS and
ticket locks of bench/specs/ need chains of them (at 3 levels and 400 they were not proved).

NOTE(mining-rounds): a caller may bound a run by its rounds (initiation and consecution queries),
a count of work, not time, so a bounded run ends the same way under any load. BMC does
(NOTE(bmc-mining) in base.py): the locks mining helps finish in 154 (filter N=3) and 168 (MCS
N=3) rounds; on the MCS lock with a stale link (bench/specs/mcs_bug.yaml, 45,138 states, its
sample never the whole reachable set) each counterexample to induction calls for supports that
call for more, and 1,240 rounds (70 s of CPU) did not finish. A run that reaches its bound is
cut (NOTE(mining-cut)); one that runs out of time returns no lemmas.

NOTE(mining-cut): at its bound on rounds a run stops strengthening and ends as plain Houdini:
no candidate is offered any more (no supports, no CTI candidates), a broken mined candidate is
dropped, a broken template weakened, until initiation and consecution are both unsat. That is
the same fixpoint as NOTE(houdini), so what is left is inductive (and proved again in the
caller's encoding before use, NOTE(mined-lemmas) in kind.py); it only closes fewer targets. It
needs no bound of its own: each of its rounds drops a candidate or widens a template's finite
set, so it ends within the pool's size plus the templates' values (MCS with a stale link, BMC's
targets: 292 more rounds after 300, 64 lemmas, closing `range` only). Why not return nothing,
as before: the lemmas still make BMC's deep refutations cheaper (NOTE(bmc-mining) in base.py).
A cut run is not cached (an unbounded run, k-induction's, may close what it did not).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import z3

from checker.core.budget import Budget
from checker.smt import EngineDisagreement, decode
from checker.smt.encode import Encoding, EncodingOptions, StateVars, conj, disj, is_step_kind
from checker.smt.mine import DEFAULT_SAMPLE, Candidate, Index, SampleSize, candidates, sample, symmetric_sizes
from checker.smt.solver import check as solver_check
from checker.smt.solver import new_solver
from checker.traces.trace import State
from model.ir import Property, TransitionSystem

SUPPORT_LEVELS = 30  # candidates made to exclude a CTI are level 1, their supports 2, ...
CTI_ROUNDS = 30      # rounds of excluding counterexamples to induction before giving up
MAX_SUPPORTS = 5_000  # per run: past this, a broken mined candidate is dropped at once
WEAKEN_MINED = False
PER_CTI = 3          # candidates offered to exclude one state: the most general ones


@dataclass(frozen=True)
class HoudiniResult:
    """lemmas: the candidates left, all of them invariants (`reason` is None); or none, with
    `reason` saying why the fixpoint was not reached (a timeout): nothing unproved is returned."""

    lemmas: tuple[Candidate, ...]
    rounds: int
    weakened: int
    elapsed_s: float
    reason: str | None = None


@dataclass
class _Pool:
    """The candidates of one run: current versions, the level of each (0: template), and
    everything ever tried (a weakened candidate is never offered again)."""

    current: list[Candidate] = field(default_factory=list)
    level: dict[Candidate, int] = field(default_factory=dict)
    tried: set[Candidate] = field(default_factory=set)
    supports: int = 0     # candidates offered as supports so far (capped: MAX_SUPPORTS)

    def offer(self, cs: list[Candidate], level: int, limit: int | None = None) -> int:
        fresh = [c for c in dict.fromkeys(cs) if c not in self.tried][:limit]
        self.tried.update(fresh)
        self.current += fresh
        self.level.update(dict.fromkeys(fresh, level))
        return len(fresh)


class _Run:
    """Three incremental solvers over one encoding: consecution (x0 -> x1), initiation (an
    initial state xi) and counterexamples to induction (xc). Each candidate version is encoded
    once per solver, behind a literal, so a round only adds what is new."""

    def __init__(self, ts: TransitionSystem, budget: Budget, options: EncodingOptions | None,
                 assumed: tuple[Property, ...] = (), index: Index | None = None, max_rounds: int | None = None):
        self.enc = enc = Encoding(ts, options)
        self.max_rounds = max_rounds   # NOTE(mining-rounds): a bound on work, not on time
        self.budget, self.index = budget, index
        self.sizes = symmetric_sizes(ts)
        self.assumed = tuple(p for p in assumed if not is_step_kind(p))
        self.x0, self.x1, self.xi, self.xc = (enc.state(t) for t in ("h0", "h1", "hi", "hc"))
        self.ac = enc.action("hc")
        self.solver = self._solver(enc.domain(self.x0), enc.domain(self.x1), self._assumed(self.x0),
                                   enc.trans(self.x0, enc.action("h0"), self.x1))
        self.init_solver = self._solver(enc.init(self.xi), enc.domain(self.xi))
        self.cti_solver = self._solver(enc.domain(self.xc), self._assumed(self.xc))
        self.lits: dict[Candidate, tuple[z3.BoolRef, ...]] = {}
        self.bad_lits: dict[str, z3.BoolRef] = {}
        self.rounds = self.weakened = 0

    def _solver(self, *fs: z3.BoolRef) -> z3.Solver:
        s = new_solver(self.budget, self.enc.ctx, self.enc.logic)
        s.add(*fs)
        return s

    def _assumed(self, x: StateVars) -> z3.BoolRef:
        return conj(self.enc.ctx, [z3.Not(self.enc.bad(p, x, None)) for p in self.assumed])

    def lit(self, c: Candidate) -> tuple[z3.BoolRef, ...]:
        """(holds in x0: assumed, fails in x1, fails in xi, holds in xc: assumed)."""
        if c not in self.lits:
            n, e, ctx = len(self.lits), c.ir(self.sizes), self.enc.ctx
            hp, hq, hi, hc = (z3.Bool(f"${t}{n}", ctx) for t in ("hp", "hq", "hi", "hc"))
            self.solver.add(z3.Implies(hp, self.enc.pred(e, self.x0)), hq == self.enc.pred(e, self.x1))
            self.init_solver.add(hi == self.enc.pred(e, self.xi))
            self.cti_solver.add(z3.Implies(hc, self.enc.pred(e, self.xc)))
            self.lits[c] = (hp, z3.Not(hq), z3.Not(hi), hc)
        return self.lits[c]

    def weaken(self, pool: _Pool, s: State) -> None:
        """Weaken (or drop) every current candidate that s falsifies; the solver said s
        falsifies one, so none doing so means the evaluator and the encoding disagree."""
        out: list[Candidate] = []
        changed = 0
        for c in pool.current:
            if c.holds(s, self.sizes):
                out.append(c)
                continue
            changed += 1
            self.weakened += 1
            # a mined candidate was made to exclude particular states: weakened, it seldom
            # excludes anything useful, and widening it value by value costs a round each
            if (WEAKEN_MINED or pool.level.get(c, 0) == 0) and (w := c.weakened(s, self.sizes)) is not None:
                pool.level.setdefault(w, pool.level.get(c, 0))
                out.append(w)
        if not changed:
            raise EngineDisagreement(f"houdini: no candidate is false in the solver's state {s}")
        pool.current = out

    def _some_false(self, s: z3.Solver, which: int, pool: _Pool) -> z3.BoolRef:
        """A fresh literal implying that some current candidate fails (its literal `which`)."""
        self.rounds += 1
        g = z3.Bool(f"$hg{self.rounds}", self.enc.ctx)
        s.add(z3.Implies(g, disj(self.enc.ctx, [self.lit(c)[which] for c in pool.current])))
        return g

    def over_rounds(self) -> str | None:
        """Why the run must stop: its bound on rounds (NOTE(mining-rounds)) is reached."""
        if self.max_rounds is not None and self.rounds >= self.max_rounds:
            return f"stopped after {self.rounds} rounds (its bound on work)"
        return None

    def initiation(self, pool: _Pool) -> str | None:
        while pool.current:
            if (stop := self.over_rounds()) is not None:
                return stop
            out = solver_check(self.init_solver, self.budget, self._some_false(self.init_solver, 2, pool))
            if out.result != "sat":
                return None if out.result == "unsat" else out.reason
            self.weaken(pool, decode.state(self.init_solver.model(), self.xi))
        return None

    def consecution(self, pool: _Pool) -> str | None:
        while pool.current:
            if (stop := self.over_rounds()) is not None:
                return stop
            g = self._some_false(self.solver, 1, pool)
            out = solver_check(self.solver, self.budget, g, *(self.lit(c)[0] for c in pool.current))
            if out.result != "sat":
                return None if out.result == "unsat" else out.reason
            m = self.solver.model()
            post = decode.state(m, self.x1)
            if not self._support(pool, decode.state(m, self.x0), post):
                self.weaken(pool, post)
        return None

    def _support(self, pool: _Pool, pre: State, post: State) -> bool:
        """NOTE(cti-mining): exclude `pre` when it breaks a mined (level >= 1) candidate."""
        if self.index is None:
            return False
        broken = [c for c in pool.current if not c.holds(post, self.sizes)
                  and 1 <= pool.level.get(c, 0) < SUPPORT_LEVELS]
        if not broken or pool.supports >= MAX_SUPPORTS:
            return False
        got = pool.offer(self.excluding(pre, pool), min(pool.level[c] for c in broken) + 1, PER_CTI)
        pool.supports += got
        return got > 0

    def excluding(self, s: State, pool: _Pool) -> list[Candidate]:
        return self.index.excluding(s, pool.tried, PER_CTI) if self.index is not None else []

    def fix(self, pool: _Pool) -> str | None:
        """Weaken to the fixpoint of NOTE(houdini): None when every current candidate holds
        initially and their conjunction is closed under steps (with `assumed`), else why not."""
        while True:
            tried = len(pool.tried)
            reason = self.initiation(pool)
            if reason is None:
                reason = self.consecution(pool)
            # supports offered by consecution have not been through initiation yet
            if reason is not None or len(pool.tried) == tried:
                return reason

    def cti(self, p: Property, pool: _Pool) -> tuple[State | None, str | None]:
        """A state satisfying every current candidate and assumed lemma from which p goes bad at
        once (None: there is none, p is 0-inductive relative to them)."""
        if p.name not in self.bad_lits:
            g = z3.Bool(f"$hb{len(self.bad_lits)}", self.enc.ctx)
            step = is_step_kind(p)
            bad = self.enc.bad(p, self.xc, self.ac if step else None)
            self.cti_solver.add(z3.Implies(g, z3.And(bad, self.enc.action_range(self.ac)) if step else bad))
            self.bad_lits[p.name] = g
        out = solver_check(self.cti_solver, self.budget, self.bad_lits[p.name],
                           *(self.lit(c)[3] for c in pool.current))
        if out.result == "sat":
            return decode.state(self.cti_solver.model(), self.xc), None
        return None, None if out.result == "unsat" else out.reason


def houdini(ts: TransitionSystem, cands: list[Candidate], budget: Budget | None = None,
            options: EncodingOptions | None = None, assumed: tuple[Property, ...] = ()) -> HoudiniResult:
    """The strongest inductive weakening of `cands` (NOTE(houdini)), relative to `assumed`
    (invariants proved already)."""
    budget = (budget or Budget()).start()
    t0 = time.monotonic()
    run = _Run(ts, budget, options, assumed)
    pool = _Pool()
    pool.offer(cands, 0)
    reason = run.fix(pool)
    found = tuple(pool.current) if reason is None else ()
    return HoudiniResult(found, run.rounds, run.weakened, time.monotonic() - t0, reason)


@dataclass(frozen=True)
class Strengthening:
    """Mined lemmas (inductive, relative to `assumed`), and the targets they make 0-inductive
    relative to `assumed` (`closed`); or, with `reason` (the run stopped early: a timeout), no
    lemmas and nothing closed."""

    lemmas: tuple[Candidate, ...]
    closed: tuple[str, ...]
    rounds: int
    elapsed_s: float
    reason: str | None = None
    cut: bool = False    # the run reached its bound on rounds and ended as plain Houdini (NOTE(mining-cut))


def strengthen(ts: TransitionSystem, targets: Sequence[Property], budget: Budget,
               assumed: tuple[Property, ...] = (), templates: bool = False,
               size: SampleSize = DEFAULT_SAMPLE, max_rounds: int | None = None) -> Strengthening:
    """Lemmas for `targets` (NOTE(houdini), NOTE(cti-mining)): templates filled in from a sample
    (all pairs, or with templates=False only one-component ones), then candidates excluding
    counterexamples to induction; at most max_rounds initiation and consecution queries
    (NOTE(mining-rounds)), else no lemmas and why."""
    t0 = time.monotonic()
    states = sample(ts, size)
    index = Index(ts, states)
    run = _Run(ts, budget, None, assumed, index, max_rounds)
    pool = _Pool()
    pool.offer(candidates(ts, states) if templates else index.unary(), 0)
    reason = run.fix(pool)
    open_ = list(targets)
    for _ in range(CTI_ROUNDS):
        if reason is not None or not open_:
            break
        offered, still = 0, []
        for p in open_:
            cti, reason = run.cti(p, pool)
            if reason is not None:
                break
            if cti is not None:
                still.append(p)
                offered += pool.offer(run.excluding(cti, pool), 1, PER_CTI)
        open_ = still
        if reason is not None or not offered:
            break
        reason = run.fix(pool)   # every offer is followed by a fixpoint: the pool stays proved
    reason, cut = _cut(run, pool, reason)
    # weakening in later rounds may reopen a target closed earlier: ask again with the final pool
    closed: list[str] = []
    for p in targets if reason is None else ():
        cti, reason = run.cti(p, pool)
        if reason is not None:
            break
        if cti is None:
            closed.append(p.name)
    if reason is not None:   # no answer somewhere (a timeout): nothing is returned
        return Strengthening((), (), run.rounds, time.monotonic() - t0, reason)
    return Strengthening(tuple(pool.current), tuple(closed), run.rounds, time.monotonic() - t0, cut=cut)


def _cut(run: _Run, pool: _Pool, reason: str | None) -> tuple[str | None, bool]:
    """NOTE(mining-cut): a run stopped at its bound on rounds ends as plain Houdini does: (None,
    True) at the fixpoint, else (why not, True); any other reason is returned as it is."""
    if reason is None or reason != run.over_rounds():
        return reason, False
    run.index, run.max_rounds = None, None   # no supports (_support), no CTI offers; bounded by the pool
    return run.fix(pool), True
