"""Bounded model checking: one incremental solver, depth by depth, so the first counterexample
found is a shortest one (the same depth as BFS). Never proves anything: HoldsUpTo at the bound.

One unrolling serves every property of an instance (`check_all`): each query is guarded by its
own activation literal, so the path, the transition relation and the lasso constraints are
encoded once and the solver's learnt clauses carry over between properties as well as depths.
With an explicit prefix (the run module's default), the safety properties' first depths are
decided by a capped BFS and their deeper queries share a second unrolling, from its last level
(NOTE(explicit-prefix) in prefix.py); the lasso queries keep the one from init.
Each query may run for its property's fair share of the time left, the safety properties'
shares pooled (NOTE(bmc-timeout)); a
property that runs out after searching some depths holds up to the deepest one (HoldsUpTo with
`stopped`).
Temporal properties get lasso counterexamples (NOTE(lasso) in lasso.py); only the explicit
engine proves them.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from functools import partial

from checker.core.budget import INTERRUPTED, Budget
from checker.core.verdict import HoldsUpTo, Unknown, Verdict, Violated
from checker.smt.base import MINE_ROUNDS, UNTRUSTED, Unrolling, engine_name
from checker.smt.encode import Encoding, EncodingOptions
from checker.smt.guard import guard_all
from checker.smt.kind import mine_lemmas, prove_lemmas
from checker.smt.prefix import Prefix, PrefixSearch
from checker.smt.solver import is_limit
from checker.smt.unroll import provenance, unsupported
from model.ir import Property, TransitionSystem


@guard_all("bmc")
def check_all(ts: TransitionSystem, props: Sequence[str], budget: Budget | None = None, *,
              engine: str = "bmc", options: EncodingOptions | None = None,
              prefix: PrefixSearch | None = None) -> list[Verdict]:
    """BMC of several properties on one shared unrolling, depth-major: each property's first
    violation is a shortest one. One verdict per name, in order. The budget is the instance's,
    each query limited to its property's fair share of what is left, the safety properties'
    shares pooled (NOTE(bmc-timeout)). prefix: the explicit search that decides the safety
    properties' first depths, whose deeper queries then start in its last BFS level
    (NOTE(explicit-prefix) in prefix.py); None: every query from init. A
    Ctrl-C keeps the verdicts found so far; the others are Unknown (NOTE(interrupt-z3) in
    solver.py)."""
    budget = (budget or Budget()).start()
    t0 = time.monotonic()
    out: dict[str, Verdict] = {}
    for name in props:
        if (no := unsupported(ts, ts.prop(name), engine, t0, lasso=True)) is not None:
            out[name] = no
    pending = [ts.prop(n) for n in dict.fromkeys(props) if n not in out]
    if not pending:
        return [out[n] for n in props]
    us = _Unrollings(ts, budget, Encoding(ts, options), engine)
    if prefix is not None:
        out.update(us.explicit_prefix(prefix, pending, t0))
        pending = [p for p in pending if p.name not in out]
    try:
        for depth in range(budget.max_depth + 1):
            if not pending:
                break
            if any(p.temporal for p in pending):   # NOTE(stutter-fact) in base.py
                init = us.of_init()
                init.budget = budget.share(len(pending))
                init.rule_out_stutter(depth)
            for p in pending:
                u = us.asking(p, depth)
                if u is None:   # decided by the explicit prefix
                    continue
                u.budget = _query_budget(budget, [q for q in pending if q.name not in out], p)
                got = u.at(p, depth)
                if got is not None:
                    out[p.name] = _bounded(u, got)
            pending = [p for p in pending if p.name not in out]
    except KeyboardInterrupt:
        budget.stop.interrupted = True
        for p in pending:
            if p.name not in out:
                out[p.name] = Unknown(p.name, provenance(ts, engine_name(engine, p), t0), INTERRUPTED,
                                      depth_reached=max(us.clean_to(p), 0))
        pending = []
    for p in pending:
        prov = provenance(ts, engine_name(engine, p), t0, depth=budget.max_depth, max_depth=budget.max_depth,
                          **us.used(p))
        out[p.name] = HoldsUpTo(p.name, prov, budget.max_depth)
    return [out[n] for n in props]


class _Unrollings:
    """BMC's paths, each made when first asked for: from init (every property), or, with an
    explicit prefix, from its frontier (the safety properties; NOTE(explicit-prefix))."""

    def __init__(self, ts: TransitionSystem, budget: Budget, enc: Encoding, engine: str):
        self.ts, self.budget, self.enc, self.engine = ts, budget, enc, engine
        self.prefix: Prefix | None = None
        self.clean: list[str] = []   # the safety properties the explicit search found no violation of
        self._init: Unrolling | None = None
        self._front: Unrolling | None = None

    def _new(self, prefix: Prefix | None = None) -> Unrolling:
        return Unrolling(self.ts, self.budget, self.enc, self.engine, prove=prove_lemmas,
                         mine=partial(mine_lemmas, max_rounds=MINE_ROUNDS), prefix=prefix)

    def of_init(self) -> Unrolling:
        if self._init is None:
            self._init = self._new()
        return self._init

    def of(self, p: Property) -> Unrolling:
        if self.prefix is None or p.temporal:
            return self.of_init()
        if self._front is None:
            self._front = u = self._new(self.prefix)
            for name in self.clean:   # every depth <= j refuted by the search
                u.clean_to[name] = self.prefix.depth
                u.answered.add(name)
        return self._front

    def _made(self, p: Property) -> Unrolling | None:
        return self._init if self.prefix is None or p.temporal else self._front

    def clean_to(self, p: Property) -> int:
        """Every depth <= this is violation-free (0 when nothing was refuted yet)."""
        if (u := self._made(p)) is not None:
            return u.clean_to.get(p.name, 0)
        return self.prefix.depth if self.prefix is not None and p.name in self.clean else 0

    def used(self, p: Property) -> dict[str, int]:
        """p's provenance stats (Unrolling.used), with no path made just for them."""
        if (u := self._made(p)) is not None:
            return u.used()
        return {"prefix": self.prefix.depth} if self.prefix is not None and not p.temporal else {}

    def asking(self, p: Property, depth: int) -> Unrolling | None:
        """The unrolling that asks p at this depth; None when the explicit search decided it (a
        depth <= j, or any depth when no state is j steps deep)."""
        pre = self.prefix
        if pre is not None and not p.temporal and (depth <= pre.depth or not pre.frontier):
            return None
        return self.of(p)

    def explicit_prefix(self, search: PrefixSearch, pending: Sequence[Property], t0: float) -> dict[str, Verdict]:
        """NOTE(explicit-prefix): the safety properties' first depths, decided by the explicit
        search; the violations it found (shortest ones)."""
        safety = [p.name for p in pending if not p.temporal]
        pre = search(self.ts, safety, self.budget) if safety else None
        if pre is None:
            return {}
        self.prefix = pre
        found = dict(pre.found)
        self.clean = [n for n in safety if n not in found]
        # its provenance's `prefix`: the depth the search decided this property to, its violation's
        return {n: Violated(n, provenance(self.ts, self.engine, t0, depth=tr.depth, max_depth=self.budget.max_depth,
                                          prefix=tr.depth), tr)
                for n, tr in found.items()}


# NOTE(bmc-timeout): the properties share one unrolling (and the solver's learnt clauses),
# depth-major, and the instance's budget (NOTE(timeout-share) in checker/core/budget.py): each
# query may run for its property's fair share of the time left, the time left divided by the
# properties still open, so a slow lasso search never starves the safety properties, and a
# property stopped at its share leaves the rest of the time to the others. The search stays
# depth-major because a stutter lasso at depth k needs the path to end at s_k (nothing is enabled
# there, so no step can follow it: NOTE(lasso)). The safety queries of one depth pool their
# shares: they are refuted on one unrolling, and the first of them does most of the work, whose
# learnt clauses then serve the rest (the MCS lock with a stale link, bench/specs/mcs_bug.yaml:
# its four properties to depth 21 took 55 s of CPU, its deadlock alone 65 s), so a share per
# property stopped whichever came first at a hard depth, where together they had the time.
# A lasso query keeps its own share.


def _query_budget(budget: Budget, open_: list[Property], p: Property) -> Budget:
    """NOTE(bmc-timeout): p's query may run for its fair share of the time left; a safety
    property's for the shares of every safety property open, pooled."""
    one = budget.share(len(open_))
    pool = 1 if p.temporal else sum(not q.temporal for q in open_)
    if one is budget or pool <= 1 or one.deadline is None:
        return one
    secs = pool * max(0.0, one.deadline - time.monotonic())
    return replace(one, deadline=time.monotonic() + secs, timeout_s=round(secs, 1))


def _bounded(u: Unrolling, v: Violated | Unknown) -> Verdict:
    """An Unknown because a limit stopped the search after some depth was searched is what was
    established: holds up to that depth (and which limit stopped it); never a bare unknown."""
    if isinstance(v, Violated) or v.prop not in u.answered or not (is_limit(v.reason) or v.reason == UNTRUSTED):
        return v
    depth = u.clean_to[v.prop]
    stats = tuple(sorted({**dict(v.provenance.stats), "depth": depth}.items()))
    return HoldsUpTo(v.prop, replace(v.provenance, stats=stats), depth, stopped=v.reason)


# NOTE(bmc-hunt): PDR's BMC phase looks for a counterexample, not for a shortest one (a PDR
# counterexample never promised that). Refuting a depth costs far more than finding a violation
# at the next (MCS lock with a stale link, bench/specs/mcs_bug.yaml: refuting depths 14..21 of
# its deadlock took 65-190 s of CPU; the depth-22 query, once asked, was sat in under a second).
# So `hunt` runs in passes over the depths still open, shallowest first: each query gets
# HUNT_WORK z3 resource units in the first pass, twice as many in the next, and so on; a depth
# not decided within them stays open and the pass goes on deeper. A violation found is as real
# as any BMC trace (decoded from the model and replayed by the engine guard), only perhaps not
# the shortest: its provenance carries `refuted_to`, the depth up to which every depth was
# refuted, and the verdict says which depths stayed undecided. Nothing left open is ever
# counted as searched: without a violation the result holds up to `refuted_to` only.
HUNT_WORK = 2_000_000   # z3 resource units per query in the first pass, about 0.3 s of CPU


def hunt(ts: TransitionSystem, prop: str, budget: Budget, engine: str, work: int = HUNT_WORK) -> Verdict:
    """A counterexample to a safety property within the budget, shortest or not (NOTE(bmc-hunt))."""
    budget = budget.start()
    t0 = time.monotonic()
    p = ts.prop(prop)
    if (no := unsupported(ts, p, engine, t0)) is not None:
        return no
    u = Unrolling(ts, budget, Encoding(ts, None), engine, prove=prove_lemmas,
                  mine=partial(mine_lemmas, max_rounds=MINE_ROUNDS))
    u.settle = True   # NOTE(settle) in solver.py: queries here stop at small work limits
    u.renew = False   # NOTE(stopped-solver): stops are the rule here; the solver is distrusted
    open_, why, stop = list(range(budget.max_depth + 1)), "no depth was asked", False
    undecided: list[int] = []   # depths answered on a solver no longer trusted to refute
    while open_ and not stop:
        cap = work if budget.rlimit is None else min(work, budget.rlimit)
        u.budget = replace(budget, rlimit=cap)
        left: list[int] = []   # depths left undecided in this pass
        for i, d in enumerate(open_):
            got = u.at(p, d)
            if isinstance(got, Violated):
                return _hunted(got, [*undecided, *left])
            if got is not None and got.reason == UNTRUSTED:   # NOTE(stopped-solver): asking again gives
                undecided.append(d)                          # the same answer; it stays unrefuted
            elif got is not None:
                left.append(d)
                why = got.reason
                stop = not is_limit(why) or budget.expired()
                if stop:   # not a query's own work limit: nothing more will be answered
                    left.extend(open_[i + 1:])
                    break
        open_ = left
        stop = stop or cap == budget.rlimit   # the user's own limit per query: more passes change nothing
        work *= 2
    refuted = min([*open_, *undecided, budget.max_depth + 1]) - 1
    prov = provenance(ts, engine, t0, depth=max(refuted, 0), max_depth=budget.max_depth, **u.used())
    if refuted == budget.max_depth:
        return HoldsUpTo(p.name, prov, budget.max_depth)
    if not open_:
        why = UNTRUSTED
    if refuted >= 0:
        return HoldsUpTo(p.name, prov, refuted, stopped=budget.stop_reason() if budget.expired() else why)
    return Unknown(p.name, prov, why)


def _hunted(v: Violated, undecided: list[int]) -> Violated:
    """NOTE(bmc-hunt): the depth up to which no shorter counterexample exists, in the provenance."""
    refuted = min([*undecided, v.trace.depth]) - 1   # an undecided depth past the violation says nothing
    stats = tuple(sorted({**dict(v.provenance.stats), "refuted_to": refuted}.items()))
    return replace(v, provenance=replace(v.provenance, stats=stats))


def check(ts: TransitionSystem, prop: str, budget: Budget | None = None, *,
          engine: str = "bmc", options: EncodingOptions | None = None,
          prefix: PrefixSearch | None = None) -> Verdict:
    """BMC from depth 0 to budget.max_depth; Violated (shortest, replayed), HoldsUpTo or Unknown.
    A temporal property gets a lasso search: Violated or HoldsUpTo, never Proved."""
    return check_all(ts, [prop], budget, engine=engine, options=options, prefix=prefix)[0]
