"""Unbounded induction (`check --engine kind --for-all`, issue 16): the spec's lemmas and each
property proved inductive in the parameterised encoding, so for every size of the symmetric sets.

NOTE(forall-proof): the lemmas L are proved together first: (1) every initial state satisfies
each of them; (2) for every action a, from any in-domain state satisfying all of L, a step of a
to an in-domain state satisfies all of L again. Each query quantifies over the elements of the
symmetric sorts (model/lower_param.py, NOTE(param-encoding)), so a model of any size is a
counterexample: unsat means "for every size". A property p is then proved like one more lemma,
with L assumed in both states (sound: L holds in every reachable state, and only in-domain
states are states, NOTE(range-steps) in checker/explicit/search.py); a step, deadlock or range
property needs no induction of its own: its bad condition must be unsat under L. This is
1-induction (k-induction at k = 0 in kind.py's count); the spec's lemmas are written for every
size already and are what makes the properties inductive.

NOTE(frame-skip): a step that writes no slot a claim reads leaves the claim as it was, so
neither the lemmas' nor a property's consecution asks z3 about it, and a lemma the step cannot
change is not stated again in its post-state (it holds there because it holds before). The post
state's range constraint covers only the written slots for the same reason.

NOTE(z3-calls) holds here as in solver.py: every query goes through solver.check, under the
budget's timeout and a work limit (the budget's rlimit, else QUERY_RLIMIT per query), so a
quantified query z3 cannot decide ends as Unknown with the reason, never as "proved".
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import z3

from checker.core.budget import Budget, Progress
from checker.core.verdict import Proved, Unknown, Verdict
from checker.core.words import plural
from checker.smt.forall_encode import ParamEncoding, Term, View
from checker.smt.guard import guard_all
from checker.smt.solver import Outcome, new_solver
from checker.smt.solver import check as solver_check
from checker.smt.unroll import provenance
from model.ir import TEMPORAL_KINDS, TransitionSystem
from model.lower_param import REFUSED, Lowered, PAction, ParamSystem, PProperty, reads

ENGINE = "kind"
QUERY_RLIMIT = 100_000_000     # z3 work per query when the budget sets none
BARE_RLIMIT = 400_000_000      # ... and per retry without post-state lemmas (NOTE(forall-bare-post))


@dataclass(frozen=True)
class Failure:
    """Why an induction query did not come back unsat: the reason and, for sat, the model as text."""

    reason: str
    cti: str | None = None


def sizes(ps: ParamSystem) -> str:
    """`V >= 1 (P=2, K=2 fixed)`: the unbounded parameters and the fixed ones that are numbers."""
    fixed = [f"{k}={v}" for k, v in ps.fixed if v.lstrip("-").isdigit()]
    return ", ".join(f"{s.param} >= {s.min}" for s in ps.sorts) + (f" ({', '.join(fixed)} fixed)" if fixed else "")


@guard_all(ENGINE)
def check_all(ts: TransitionSystem, props: Sequence[str], budget: Budget, *, param: Lowered,
              engine: str = ENGINE, temporal: Temporal | None = None) -> list[Verdict]:
    """Each property for every size; a temporal one by `temporal` (forall_live.check, given by
    the run module so that this module does not import it: forall_live builds on this one)."""
    budget = budget.start()
    t0 = time.monotonic()
    if isinstance(param, tuple):
        more = f" (and {plural(len(param) - 1, 'more place')})" if len(param) > 1 else ""
        why = f"outside the parameterised fragment: {param[0].render()}{more}"
        return [Unknown(p, provenance(ts, engine, t0), why) for p in props]
    q = _Queries(param, budget, engine)
    lemmas = q.prove_lemmas()
    out: list[Verdict] = []
    live: dict[str, Verdict] = {}
    for name in props:
        p = _param_prop(ts, param, name)
        t1 = time.monotonic()
        if p is None:
            out.append(Unknown(name, provenance(ts, engine, t1), "no parameterised form: a family over a set "
                               "that is not symmetric"))
        elif lemmas is not None:
            out.append(_unknown(ts, engine, t1, name, f"the lemmas are not proved for all sizes: {lemmas.reason}",
                                lemmas.cti))
        elif p.kind in TEMPORAL_KINDS or p.kind == REFUSED:   # NOTE(forall-l2s)
            if temporal is None:
                out.append(Unknown(name, provenance(ts, engine, t1), "no liveness prover given"))
                continue
            if p.name not in live:   # a family's members share its one generic proof
                live[p.name] = temporal(ts, param, p, name, budget, engine)
            out.append(replace(live[p.name], prop=name))
        else:
            out.append(_verdict(ts, engine, t1, param, name, q.prove(p)))
        budget.on_progress(Progress(engine, elapsed_s=time.monotonic() - t0))
    return out


Temporal = Callable[[TransitionSystem, ParamSystem, PProperty, str, Budget, str], Verdict]


def _param_prop(ts: TransitionSystem, ps: ParamSystem, name: str) -> PProperty | None:
    """The parameterised form of the instance's property `name` (a temporal family's member:
    the family's one generic member, NOTE(forall-l2s))."""
    fam = ts.prop(name).family if any(p.name == name for p in ts.properties) else None
    want = fam if fam is not None else name
    return next((x for x in ps.properties if x.name == want and (fam is None or x.family or x.kind == REFUSED)), None)


def _unknown(ts: TransitionSystem, engine: str, t0: float, prop: str, reason: str, cti: str | None) -> Unknown:
    return Unknown(prop, provenance(ts, engine, t0), reason, cti_text=cti)


def _verdict(ts: TransitionSystem, engine: str, t0: float, ps: ParamSystem, prop: str,
             got: Failure | tuple[PProperty, ...]) -> Verdict:
    if isinstance(got, Failure):
        return _unknown(ts, engine, t0, prop, f"not proved for all sizes: {got.reason}", got.cti)
    used = f"induction with {plural(len(got), 'lemma')}" + (f" ({', '.join(u.name for u in got)})" if got else "")
    prov = provenance(ts, engine, t0, lemmas=len(got))
    return Proved(prop, prov, f"for all {sizes(ps)}: {used}", invariant=lemma_text(got) or None,
                  for_all=tuple(s.param for s in ps.sorts))


def plain(ps: ParamSystem, label: str) -> str:
    """An action's label with each bound element by its name: `p[self].get()`."""
    import re
    return re.sub(r"#(\d+)", lambda m: ps.bound[int(m.group(1))][0], label)


def lemma_text(lemmas: Sequence[PProperty]) -> str:
    """The lemmas as `lemmas:` entries of a spec, pasteable (NOTE(mined-lemmas) in kind.py)."""
    import json
    return "\n".join(f"{m.name}: {{{m.kind}: {json.dumps(m.text)}"
                     + (f", on: [{', '.join(m.on)}]" if m.on else "") + "}" for m in lemmas)


class _Queries:
    """The induction queries of one parameterised system, in one z3 context."""

    def __init__(self, ps: ParamSystem, budget: Budget, engine: str):
        self.ps, self.engine = ps, engine
        self.budget = budget if budget.rlimit is not None else replace(budget, rlimit=QUERY_RLIMIT)
        # the user's limit holds for every query; without one the bare retry may work longer
        self.bare = budget if budget.rlimit is not None else replace(budget, rlimit=BARE_RLIMIT)
        self.ctx = z3.Context()
        self.enc = ParamEncoding(ps, self.ctx)
        self.lits = [z3.Bool(f"$lemma:{m.name}", self.ctx) for m in ps.lemmas]
        self.reads = {m.name: reads(m.pred) for m in (*ps.lemmas, *ps.properties)}
        self.pre = [self.holds(m, self.enc.pre) for m in ps.lemmas if m.kind == "invariant"]
        # NOTE(forall-terms): each action's post-state view and each claim encoded in it are built
        # once and shared by the lemma queries and every property's: the same claim after the
        # same action is the same formula in every query (each query is pushed and popped in its
        # own solver), and rebuilding the quantified terms in Python cost the properties' proofs
        # as much as z3's solving (TDX, per variant: 4.4 s of CPU before, 2.0 s after)
        self._posts: dict[int, View] = {}
        self._after: dict[tuple[str, int], Term] = {}

    def solver(self) -> z3.Solver:
        s = new_solver(self.budget, self.ctx)
        s.add(self.enc.type_ok(self.enc.pre), self.enc.enc(self.ps.axioms, self.enc.pre))   # NOTE(rigid-axioms)
        for ps in self.ps.sorts:   # a set of unknown size, but at least its parameter's min
            if ps.min > 1:
                srt = self.enc.sorts[ps.name]
                s.add(z3.Distinct(*(z3.Const(f"{ps.name}$min{i}", srt) for i in range(ps.min))))
        return s

    def holds(self, p: PProperty, v: View) -> Term:
        assert p.pred is not None
        return self.enc.enc(p.pred, v)

    def post(self, i: int) -> View:
        """The post-state of action i (NOTE(forall-terms))."""
        if i not in self._posts:
            self._posts[i] = self.enc.post(self.ps.actions[i], self.enc.pre)
        return self._posts[i]

    def holds_after(self, p: PProperty, i: int) -> Term:
        """Claim p in the post-state of action i (NOTE(forall-terms))."""
        key = (p.name, i)
        if key not in self._after:
            self._after[key] = self.holds(p, self.post(i))
        return self._after[key]

    def prove_lemmas(self) -> Failure | None:
        """NOTE(forall-proof): the spec's lemmas, together."""
        if not self.ps.lemmas:
            return None
        for m in self.ps.lemmas:
            if m.kind != "invariant":
                return Failure(f"lemma '{m.name}' is a {m.kind} lemma; --for-all takes invariant lemmas")
        got = self._initiation(self.ps.lemmas)
        if got is not None:
            return got
        s = self.solver()
        s.add(*self.pre)
        for i, a in enumerate(self.ps.actions):
            touched = [m for m in self.ps.lemmas if self.reads[m.name] & a.written]
            if not touched:   # NOTE(frame-skip)
                continue
            s.push()
            post = self.post(i)
            s.add(self.enc.enc(a.guard, self.enc.pre), self.enc.type_ok(post, a.written))
            # which lemma fails is read off a literal per lemma (a model need not evaluate a
            # quantified formula to false)
            fails = [z3.Bool(f"$fails:{m.name}", self.ctx) for m in touched]
            s.add(z3.Or(*fails), *(z3.Implies(f, z3.Not(self.holds_after(m, i))) for f, m in zip(fails, touched, strict=True)))
            out = solver_check(s, self.budget)
            self.budget.on_progress(Progress(self.engine, depth=i))
            if out.result == "sat":
                bad = [m.name for f, m in zip(fails, touched, strict=True) if z3.is_true(s.model().eval(f, True))]
                what = f"lemma {bad[0]}" if bad else "a lemma"
                return Failure(f"{what} is not inductive: it fails after {plain(self.ps, a.label)}",
                               self._cti(s, a, post, what))
            s.pop()
            if out.result == "unknown":
                return Failure(f"{out.reason} (lemmas after {plain(self.ps, a.label)})")
        return None

    def _initiation(self, claims: Sequence[PProperty]) -> Failure | None:
        for m in claims:
            s = self.solver()
            s.add(self.enc.enc(self.ps.init, self.enc.pre), z3.Not(self.holds(m, self.enc.pre)))
            out = solver_check(s, self.budget)
            if out.result == "unknown":
                return Failure(f"{out.reason} (initial states, {m.name})")
            if out.result == "sat":
                return Failure(f"{m.name} fails in an initial state", self._cti(s, None, None, m.name))
        return None

    def _used(self, s: z3.Solver) -> set[str]:
        core = {str(c) for c in s.unsat_core()}
        return {m.name for lit, m in zip(self.lits, self.ps.lemmas, strict=True) if str(lit) in core}

    def prove(self, p: PProperty) -> Failure | tuple[PProperty, ...]:
        """p, the lemmas assumed (NOTE(forall-proof)); the lemmas its proof used."""
        used: set[str] = set()
        if p.kind == "invariant":
            got = self._initiation([p])
            if got is not None:
                return got
            s = self._inductive(p)
            for i, a in enumerate(self.ps.actions):
                if self.reads[p.name] & a.written:   # NOTE(frame-skip)
                    got, s = self._consecution(s, p, i, used)
                    if got is not None:
                        return got
        else:
            s = self.solver()
            s.add(*(z3.Implies(lit, pre) for lit, pre in zip(self.lits, self.pre, strict=True)))
            s.add(self._bad(p))
            out = solver_check(s, self.budget, *self.lits)
            if out.result != "unsat":
                bad = {"deadlock": "is a deadlock", "range": "has a step out of a variable's range"}.get(
                    p.kind, f"has a step that violates {p.name}")
                return Failure(out.reason if out.result == "unknown" else f"a state satisfying the lemmas {bad}",
                               self._cti(s, None, None, p.name) if out.result == "sat" else None)
            used |= self._used(s)
        return tuple(m for m in self.ps.lemmas if m.name in used)

    def _bad(self, p: PProperty) -> Term:
        pre = self.enc.pre
        if p.kind == "deadlock":
            assert p.pred is not None
            return z3.Not(self.enc.enc(p.pred, pre))
        return z3.Or(*(self.enc.enc(b, pre) for _, b in p.bad), self.ctx)

    def _inductive(self, p: PProperty) -> z3.Solver:
        """A solver with the lemmas (under their literals) and p in the pre-state."""
        s = self.solver()
        for lit, pre in zip(self.lits, self.pre, strict=True):
            s.add(z3.Implies(lit, pre))
        s.add(self.holds(p, self.enc.pre))
        return s

    def _consecution(self, s: z3.Solver, p: PProperty, i: int, used: set[str]) -> tuple[Failure | None, z3.Solver]:
        """p after action i, from a state satisfying p and the lemmas, to one satisfying the
        lemmas (only those the action may change are stated again: NOTE(frame-skip)); with the
        solver to ask the next action's query on.
        NOTE(forall-bare-post): when z3 has no answer, the query is asked once more without the
        lemmas in the post-state. Dropping hypotheses only weakens them, so unsat still proves p
        after the step; a model of the weaker query proves nothing (its post-state may break a
        lemma), so then the first answer, unknown, stands. Assuming hundreds of quantified
        lemmas again in the post-state can cost z3 more than it helps: TDX v19_atomic_init L1's
        liveness product, 337 lemmas, after `vcpu[self].close_fd()`: no answer in 100 M units
        with them, unsat in 7.9 M without. The retry and every later query run on a fresh
        solver: one whose check a limit stopped is not trusted to refute (NOTE(stopped-solver)
        in base.py). The retry is asked in a new z3 context, and without a limit of the user's
        it may use BARE_RLIMIT (a bound on work, so the same answer on a loaded machine): z3's
        search follows the order its terms were made in, and a context that has answered a
        hundred queries searches differently. v19_atomic_init L1's final query after
        `td.reload_put`, 419 lemmas: bare, no answer in 400 M units in the proof's context,
        unsat in 341 M in a new one (71 M in a new process)."""
        out = self._step(s, p, i, post_lemmas=True)
        a = self.ps.actions[i]
        if out.result == "sat":
            return Failure(f"{p.name} is not inductive relative to the lemmas: it fails after {plain(self.ps, a.label)}",
                           self._cti(s, a, self.post(i), p.name)), s
        if out.result == "unknown":
            fresh = _Queries(self.ps, self.budget, self.engine)   # a new z3 context (below)
            bare = fresh._inductive(p)
            if fresh._step(bare, p, i, post_lemmas=False, budget=self.bare).result != "unsat":
                return Failure(f"{out.reason} (after {plain(self.ps, a.label)})"), self._inductive(p)
            used |= fresh._used(bare)
            return None, self._inductive(p)
        used |= self._used(s)
        s.pop()
        return None, s

    def _step(self, s: z3.Solver, p: PProperty, i: int, post_lemmas: bool, budget: Budget | None = None) -> Outcome:
        """The consecution query of p after action i, pushed on s (the caller pops it)."""
        s.push()
        a, post = self.ps.actions[i], self.post(i)
        for lit, m in zip(self.lits, self.ps.lemmas, strict=True):
            if post_lemmas and self.reads[m.name] & a.written:
                s.add(z3.Implies(lit, self.holds_after(m, i)))
        s.add(self.enc.enc(a.guard, self.enc.pre), self.enc.type_ok(post, a.written))
        s.add(z3.Not(self.holds_after(p, i)))
        return solver_check(s, budget or self.budget, *self.lits)

    def _cti(self, s: z3.Solver, a: PAction | None, post: View | None, what: str) -> str:
        from checker.smt.forall_cti import render
        return render(self.enc, self._small(s), a, post, what)

    def _small(self, s: z3.Solver) -> z3.ModelRef:
        """A model of s with as few elements as the budget finds, sort by sort (as mypyvy
        minimises its counterexamples): the smallest instance is the easiest to read. s has
        just answered sat; the bounds stay pushed (the solver is not used again). The lemma
        literals are assumed again: a property's queries assume them (prove, _consecution), and a
        model without them need not satisfy the lemmas it is said to satisfy; elsewhere they are
        unconstrained, so assuming them changes nothing."""
        m = s.model()
        for name, srt in self.enc.sorts.items():
            u = m.get_universe(srt)
            for n in range(1, len(u) if u is not None else 0):
                cs = [z3.Const(f"{name}$elem{i}", srt) for i in range(n)]
                x = z3.FreshConst(srt, "x")
                s.push()
                s.add(z3.ForAll([x], z3.Or(*(x == c for c in cs))))
                if solver_check(s, self.budget, *self.lits).result == "sat":
                    m = s.model()
                    break
                s.pop()
        return m
