"""k-induction with simple-path constraints and lemmas.

For k = 0, 1, ...: the step case asks for a path of positions 0..k (NOTE(positions) in unroll.py)
from ANY in-domain state, not bad at 0..k-1, bad at k, with pairwise distinct states and every
lemma holding in every state. Unsat, with the base case clean at positions 0..k-1, proves the
property. Otherwise the base case is asked for a violation at position k (a shortest one, as the
earlier positions are clean). The spec's lemmas are proved first: together where they rely on
one another (NOTE(joint-lemmas)), else one by one, each assuming only the ones before it;
either way the reasoning is never circular.

NOTE(joint-lemmas): lemmas taken together are one claim: every invariant lemma holds in every
reachable state and every step lemma on every step from one. `_joint` proves it by k-induction
for some k <= max_k. Base: on paths from an initial state, no lemma fails in states 0..k or on
steps 0..k-1. Step: no path s_0 -> ... -> s_k+1, with s_0..s_k in the domain, pairwise distinct
and satisfying every lemma, and every step lemma holding on steps 0..k-1, has a lemma failing on
step k or in s_k+1 (when in the domain: other post-states are not states, NOTE(range-steps) in
checker/explicit/search.py). Sound: were a lemma false, take a shortest path from an initial state to a
failure, in its last state s_L or on its last step s_L-1 -> s_L. Nothing fails before (a prefix
would be a shorter witness), and s_0..s_L-1 are pairwise distinct (cutting out a loop gives a
shorter one). If L <= k the base case has it; else its last k+1 steps are a path the step case
excludes. The induction is over the length of paths, so lemmas assuming one another is not
circular; lemmas proved already (`assumed`) hold on every such path and are asserted on all of
it. `prove_lemmas` tries all the spec's lemmas together first; when that fails (or times out)
it proves them one by one, and at the first one not proved alone at k <= JOINT_K it tries that
one and all after it together, the earlier ones assumed; failing that too, it names that lemma.

NOTE(mined-lemmas): a property that is not proved by k = PLAIN_K without them gets lemmas mined
for it (checker/smt/houdini.py: templates filled in from sampled states, Houdini, and candidates
that exclude counterexamples to induction). They are inductive relative to the spec's lemmas by
Houdini's fixpoint, and are proved so again here, in this check's encoding, by `_joint` at k = 0
(the spec's lemmas assumed) before any of them is assumed: a failure there is an internal error
(EngineDisagreement); a timeout there, or a mining run that does not finish, gives no lemmas.
k-induction then assumes them in every state like the spec's own and starts again from k = 0.
The proof says how many it used and gives them (Proved.invariant, as `lemmas:` entries: pasted
after the spec's own lemmas, `prove_lemmas` proves them together, and nothing is mined). Mined
lemmas are cached for the last system mined for, keyed by the system object (kept alive in the
entry, so that its id cannot be another system's), the encoding options and the spec's lemmas.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, replace

import z3

from checker.core.budget import INTERRUPTED, Budget, Progress
from checker.core.verdict import Proved, Unknown, Verdict, Violated
from checker.core.words import plural
from checker.smt import EngineDisagreement, decode
from checker.smt.base import BaseCase
from checker.smt.encode import Encoding, EncodingOptions, StateVars, disj, is_step_kind
from checker.smt.guard import guard
from checker.smt.houdini import strengthen
from checker.smt.mine import as_lemmas
from checker.smt.solver import check as solver_check
from checker.smt.unroll import Path, depth_of, provenance, unsupported
from checker.traces.trace import Trace
from model.ir import Property, TransitionSystem

PLAIN_K = 1          # k-induction without mined lemmas first: what is 0- or 1-inductive stays so
JOINT_K = 1          # the spec's lemmas are first proved together, by k-induction up to this k
MINE_SHARE = 0.8     # of the time left: what lemma mining may use (the proof after it needs some)
# mined lemmas of the last system mined for (NOTE(mined-lemmas)): (id of the system, encoding
# options, names of the spec's lemmas) -> (the system itself, kept alive with its id, lemmas)
_MINED: dict[tuple[int, EncodingOptions, tuple[str, ...]], tuple[TransitionSystem, tuple[Property, ...]]] = {}


class StepCase(Path):
    def __init__(self, enc: Encoding, budget: Budget, p: Property, lemmas: tuple[Property, ...]):
        super().__init__(enc, budget, "k", from_init=False)
        self.p = p
        # every state and step on a real counterexample is reachable, so every lemma holds there
        self.assume(lemmas)

    def on_state(self, j: int, s: StateVars) -> None:
        # simple path: a shortest counterexample never revisits a state. Only settled states
        # count: the post-state of a step property's bad step may revisit an earlier one.
        self.distinct(j, s)


def _induct(ts: TransitionSystem, p: Property, budget: Budget, lemmas: tuple[Property, ...],
            enc: Encoding, engine: str, mined: tuple[Property, ...] = (), t0: float | None = None) -> Verdict:
    t0 = time.monotonic() if t0 is None else t0
    base = BaseCase(ts, p, budget, enc, engine, (*lemmas, *mined))   # proved: they may hold in it
    step = StepCase(enc, budget, p, (*lemmas, *mined))
    cti: Trace | None = None
    for k in range(budget.max_depth + 1):
        lit = z3.Bool(f"$step@{k}", enc.ctx)
        step.solver.add(z3.Implies(lit, step.bad(p, k)))
        out = solver_check(step.solver, budget, lit)
        budget.on_progress(Progress(engine, depth=k, elapsed_s=time.monotonic() - t0, query_s=out.elapsed_s))
        if out.result == "unknown":
            return Unknown(p.name, provenance(ts, engine, t0, k=k, **_mined_stat(mined)), out.reason,
                           depth_reached=max(k - 1, 0))
        if out.result == "unsat":
            return _proved(ts, p, engine, t0, k, len(lemmas), mined)
        cti = decode.trace(step.solver.model(), step.states, step.acts, depth_of(p, k))
        got = base.at(depth_of(p, k))
        if got is not None:
            return got
        step.solver.add(z3.Not(lit), z3.Not(step.bad(p, k)))
    return Unknown(p.name, provenance(ts, engine, t0, k=budget.max_depth, **_mined_stat(mined)),
                   f"induction failed at k={budget.max_depth}", depth_reached=budget.max_depth, cti=cti)


def _mined_stat(mined: tuple[Property, ...]) -> dict[str, int]:
    return {"mined": len(mined)} if mined else {}


def _proved(ts: TransitionSystem, p: Property, engine: str, t0: float, k: int, lemmas: int,
            mined: tuple[Property, ...]) -> Proved:
    prov = provenance(ts, engine, t0, k=k, lemmas=lemmas, **_mined_stat(mined))
    if not mined:
        return Proved(p.name, prov, f"k-induction, k={k}")
    return Proved(p.name, prov, f"k-induction, k={k}, {plural(len(mined), 'mined lemma')}",
                  invariant=lemma_entries(mined))


def lemma_entries(lemmas: tuple[Property, ...]) -> str:
    """Lemmas as `lemmas:` entries of a spec, one a line (`name: {invariant: "..."}`): pasted
    under the spec's `lemmas:`, indented, after its own, they are proved like them
    (NOTE(mined-lemmas)). One entry each, not one conjunction: a few hundred lemmas would exceed
    the front end's limits on one expression (length and nesting)."""
    return "\n".join(f"{m.name}: {{invariant: {json.dumps(m.doc)}}}" for m in lemmas)


class _Window(Path):
    """The step case of NOTE(joint-lemmas): s_0 -> s_1 -> ... from any in-domain state, settled
    states pairwise distinct; `assumed` (proved) hold in every settled state and on every step,
    `claimed` in every settled state and on every step but the last."""

    def __init__(self, enc: Encoding, budget: Budget, claimed: tuple[Property, ...],
                 assumed: tuple[Property, ...]):
        super().__init__(enc, budget, "j", from_init=False)
        self.claimed = claimed
        self.assume(assumed)

    def on_state(self, j: int, s: StateVars) -> None:
        self.distinct(j, s)
        for lem in self.claimed:
            if not is_step_kind(lem):
                self.solver.add(z3.Not(self.enc.bad(lem, s, None)))

    def on_step(self, t: int) -> None:
        for lem in self.claimed if t > 0 else ():     # step t - 1 is no longer the last one
            if is_step_kind(lem):
                self.solver.add(z3.Not(self.enc.bad(lem, self.states[t - 1], self.acts[t - 1])))

    def fails_after(self, k: int) -> z3.BoolRef:
        """Some claimed lemma fails on step k or in state k + 1 (in the domain)."""
        while len(self.acts) < k + 1:
            self.extend()
        ctx, s, a, t = self.enc.ctx, self.states[k], self.acts[k], self.states[k + 1]
        in_t = disj(ctx, [self.enc.bad(lem, t, None) for lem in self.claimed if not is_step_kind(lem)])
        on_k = [self.enc.bad(lem, s, a) for lem in self.claimed if is_step_kind(lem)]
        return disj(ctx, [z3.And(self.enc.domain(t), in_t), *on_k])


def _fails_from_init(enc: Encoding, budget: Budget, claimed: tuple[Property, ...], k: int) -> z3.Solver:
    """A solver asserting that some claimed lemma fails on a path from an initial state, in
    states 0..k or on steps 0..k-1 (the base case of NOTE(joint-lemmas))."""
    path = Path(enc, budget, "ji", from_init=True)
    fails = [path.violation(lem, j) for lem in claimed for j in range(k + 1)
             if not is_step_kind(lem) or j < k]
    path.solver.add(disj(enc.ctx, fails))
    return path.solver


@dataclass(frozen=True)
class Joint:
    """The outcome of a joint proof: proved, failed (not inductive together at k <= max_k, or a
    lemma fails in a reachable state) or unknown (no answer: a timeout); `reason` unless proved."""

    status: str
    reason: str = ""


def _joint(claimed: tuple[Property, ...], assumed: tuple[Property, ...], budget: Budget,
           enc: Encoding, max_k: int) -> Joint:
    """`claimed` proved together by k-induction at some k <= max_k, assuming `assumed` (proved
    already) everywhere (NOTE(joint-lemmas))."""
    window = _Window(enc, budget, claimed, assumed)
    for k in range(max_k + 1):
        lit = z3.Bool(f"$joint@{k}", enc.ctx)
        window.solver.add(z3.Implies(lit, window.fails_after(k)))
        out = solver_check(window.solver, budget, lit)
        if out.result == "unknown":
            return Joint("unknown", out.reason)
        if out.result == "unsat":
            base = solver_check(_fails_from_init(enc, budget, claimed, k), budget)
            if base.result == "unsat":
                return Joint("proved")
            if base.result == "unknown":
                return Joint("unknown", base.reason)
            return Joint("failed", f"a lemma is violated within depth {k}")
        window.solver.add(z3.Not(lit))
    return Joint("failed", f"not inductive together at k <= {max_k}")


def prove_lemmas(ts: TransitionSystem, budget: Budget, enc: Encoding,
                 engine: str) -> tuple[tuple[Property, ...], str | None]:
    """The lemmas, all proved; or those proved before the first that could not be, and why.

    All together first (NOTE(joint-lemmas)); else one by one, each assuming the ones before it.
    Where one is not proved alone on paths as short as the joint proof's, it and all after it
    are tried together, the ones before assumed (so lemmas mined by an earlier run and pasted
    after the spec's are proved). A lemma failing all of these is named, with why it failed."""
    small = min(JOINT_K, budget.max_depth)
    if _together(ts, ts.lemmas, (), budget, enc, engine, small):
        return ts.lemmas, None
    # alone at positions up to k + 1: the paths of the joint proof at k (NOTE(positions))
    alone = min(JOINT_K + 1, budget.max_depth)
    proved: tuple[Property, ...] = ()
    for i, lem in enumerate(ts.lemmas):
        if (no := unsupported(ts, lem, engine, time.monotonic())) is not None:
            return proved, f"lemma '{lem.name}': {no.reason}"
        v = _induct(ts, lem, replace(budget, max_depth=alone), proved, enc, engine)
        if _induction_failed(v):
            if i > 0 and _together(ts, ts.lemmas[i:], proved, budget, enc, engine, small):
                return ts.lemmas, None
            if budget.max_depth > alone:
                v = _induct(ts, lem, budget, proved, enc, engine)
        if isinstance(v, Violated):
            return proved, f"lemma '{lem.name}' is violated (a trace of depth {v.trace.depth})"
        if isinstance(v, Unknown):
            return proved, f"lemma '{lem.name}' not proved: {v.reason}"
        if not isinstance(v, Proved):
            return proved, f"lemma '{lem.name}' not proved"
        proved = (*proved, lem)
    return proved, None


def _together(ts: TransitionSystem, claimed: tuple[Property, ...], assumed: tuple[Property, ...],
              budget: Budget, enc: Encoding, engine: str, max_k: int) -> bool:
    """Whether the joint proof (NOTE(joint-lemmas)) of several lemmas succeeds."""
    if len(claimed) < 2 or any(unsupported(ts, lem, engine, time.monotonic()) for lem in claimed):
        return False     # one lemma alone: the sequential proof is the same, and names it
    return _joint(claimed, assumed, budget, enc, max_k).status == "proved"


def _induction_failed(v: Verdict) -> bool:
    """Unknown because no k up to the bound was inductive (not a timeout)."""
    return isinstance(v, Unknown) and v.reason.startswith("induction failed")


@guard("kind")
def check(ts: TransitionSystem, prop: str, budget: Budget | None = None, *,
          engine: str = "kind", options: EncodingOptions | None = None, mine: bool = True) -> Verdict:
    """k-induction; with `mine`, a property not proved by k = PLAIN_K gets mined lemmas
    (NOTE(mined-lemmas))."""
    budget = (budget or Budget()).start()
    t0 = time.monotonic()
    if (no := unsupported(ts, ts.prop(prop), engine, t0)) is not None:
        return no
    enc = Encoding(ts, options)
    lemmas, failed = prove_lemmas(ts, budget, enc, engine)
    if failed is not None:
        return Unknown(prop, provenance(ts, engine, t0, lemmas=len(lemmas)), failed)
    p = ts.prop(prop)
    if not mine or budget.max_depth <= PLAIN_K:
        return _induct(ts, p, budget, lemmas, enc, engine, t0=t0)
    first = _induct(ts, p, replace(budget, max_depth=PLAIN_K), lemmas, enc, engine, t0=t0)
    if not _induction_failed(first):
        return first
    began = time.monotonic()
    mined, why = _mined(ts, budget, lemmas, enc)
    v = _induct(ts, p, _mining_refunded(budget, time.monotonic() - began), lemmas, enc, engine, mined, t0=t0)
    # a Ctrl-C stops mining and induction alike: the run-wide reason says all (NOTE(interrupt))
    if isinstance(v, Unknown) and why is not None and v.reason != INTERRUPTED:
        return replace(v, reason=f"{v.reason} ({why})")
    return v


def _mining_refunded(budget: Budget, spent: float) -> Budget:
    """A fair share's deadline moved on by the time mining took, within the instance's: mining
    serves every property, so it is charged to the instance (NOTE(timeout-share) in
    checker/core/budget.py)."""
    if budget.outer is None or budget.deadline is None:
        return budget
    return replace(budget, deadline=min(budget.outer, budget.deadline + spent))


def mine_lemmas(ts: TransitionSystem, budget: Budget, enc: Encoding,
                assumed: tuple[Property, ...], max_rounds: int | None = None) -> tuple[tuple[Property, ...], str | None]:
    """NOTE(mined-lemmas) for BMC (NOTE(bmc-mining) in base.py): the lemmas mined and proved
    in enc assuming `assumed`, or none and why; shared with k-induction through the cache.
    max_rounds bounds the mining run's work (NOTE(mining-rounds) in houdini.py)."""
    return _mined(ts, budget, assumed, enc, max_rounds)


def _mined(ts: TransitionSystem, budget: Budget, lemmas: tuple[Property, ...],
           enc: Encoding, max_rounds: int | None = None) -> tuple[tuple[Property, ...], str | None]:
    """NOTE(mined-lemmas): Houdini's lemmas for the system's safety properties, mined in a share
    of the time left and proved again in `enc`; none, and why, when either did not finish."""
    key = (id(ts), enc.options, tuple(lem.name for lem in lemmas))
    cached = _MINED.get(key)
    if cached is not None and cached[0] is ts:
        return cached[1], None
    # a fair share mines, and proves what it mined, in the instance's time left
    # (NOTE(timeout-share) in checker/core/budget.py)
    if budget.outer is not None:
        budget = replace(budget, deadline=budget.outer, timeout_s=budget.whole_s, whole_s=None, outer=None)
    left = budget.remaining_s()
    share = budget if left is None else replace(budget, timeout_s=round(MINE_SHARE * left, 1),
                                                deadline=time.monotonic() + MINE_SHARE * left)
    # the targets are every safety property not expected to be violated, p or not (lemmas for
    # one often close another), in the spec's order: the lemmas, and so every verdict, do not
    # depend on which property is checked first
    targets = [q for q in ts.properties if not q.temporal and q.expect != "violated"]
    # a bounded run that stops is not cached: an unbounded one (k-induction's) may finish
    got = strengthen(ts, targets, share, assumed=lemmas, max_rounds=max_rounds)
    if got.reason is not None:
        return (), f"lemma mining did not finish: {got.reason}"
    out = as_lemmas(ts, got.lemmas)
    if out:
        again = _joint(out, lemmas, budget, enc, 0)
        if again.status == "unknown":
            return (), f"mined lemmas not proved: {again.reason}"
        if again.status == "failed":
            raise EngineDisagreement(f"houdini's lemmas for {ts.name} are not inductive: {again.reason}")
    _MINED.clear()   # one system at a time: a CLI run or a test checks one instance after another
    if not got.cut:   # cut at its bound (NOTE(mining-cut)): an unbounded run may find more
        _MINED[key] = (ts, out)
    return out, None
