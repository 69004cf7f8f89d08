"""PDR/IC3 through z3's Spacer (constrained Horn clauses over one relation Inv(state)).

  init(x)                      => Inv(x)
  Inv(x) and T(x, a, x')       => Inv(x')
  Inv(x) and bad(x, a)         => Err

Err unreachable: Spacer's inductive invariant for Inv is translated to the IR (certificate.py),
re-checked by fresh solvers (init => I; I and T => I'; I => not bad, with I including the domain
constraints), and only then printed and returned as Proved. A certificate failing its re-check is
an internal error (EngineDisagreement); one that cannot be translated, or whose re-check or
quantifier elimination runs out of budget, gives Unknown with the reason. Err reachable: BMC
finds a shortest trace. Every z3 call is bounded by the budget (NOTE(z3-calls) in solver.py).

NOTE(pdr-frames): Spacer gets a budget per frame, in z3's deterministic work units, not time:
it runs with at most L frames (spacer.max_level) and L * FRAME_WORK units, for L = FIRST_FRAMES,
then twice that, and so on while it stops at its frame bound. The protocols it proves need well
under FRAME_WORK per frame (the TDX twin at V=1 P=2: 0.36M, the bakery lock 0.12M, dining N=4
0.2M); on the filter and MCS locks each frame costs more than the one before (filter N=3:
1.7M units for 8 frames, ~38M for 12), and Spacer neither proves nor refutes within 120 s
(issue 20), nor finds their 22- and 23-step counterexamples. So once a round runs out of work
before its frame bound, or Spacer has used SPACER_SHARE of the time left (when timed), it has
spent its share, and the rest of the budget goes to a BMC
phase (`bmc.hunt`, NOTE(bmc-hunt) in checker/smt/bmc.py: the BMC unrolling, each depth with a
work limit that doubles per pass, so a hard depth to refute does not hold up a violation one
step deeper) for a counterexample: its violation is reported as `pdr:bmc` ("VIOLATED at depth 22
(pdr:bmc)", with the depths left undecided below it when there are any); no violation is
Unknown, with both reasons, never a proof.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

import z3

from checker.core.budget import Budget
from checker.core.verdict import HoldsUpTo, Proved, Unknown, Verdict, Violated
from checker.smt import EngineDisagreement, bmc
from checker.smt.certificate import Untranslatable, translate
from checker.smt.encode import Encoding, EncodingOptions, StateVars, is_step_kind
from checker.smt.guard import guard
from checker.smt.render import render
from checker.smt.solver import Outcome, apply_tactic, configure, first_line, is_limit, new_solver, query, simplify
from checker.smt.solver import check as solver_check
from checker.smt.unroll import provenance, unsupported
from model.ir import Expr, Property, TransitionSystem

CEX_MAX_DEPTH = 100_000   # Spacer proved a violation exists: BMC searches until it finds it
FRAME_WORK = 2_000_000    # z3 resource units per frame (NOTE(pdr-frames)), about 0.3 s of CPU
SPACER_SHARE = 0.5        # of the time left: what Spacer may use before the BMC phase
FIRST_FRAMES = 16         # the frame bound of the first round (then doubled)
MAX_FRAMES = 1 << 20      # ... up to this many
QE_CAP_S = 10.0           # quantifier elimination of Spacer's answer (tactics take no rlimit)
SIMPLIFY_CAP_S = 2.0      # simplifying its result
Z3_ERROR = "z3 error: "   # solver.py's prefix of an error that is no limit of the budget


def _horn(enc: Encoding, p: Property, budget: Budget,
          frames: int | None = None) -> tuple[z3.Fixedpoint, z3.FuncDeclRef, StateVars, z3.ExprRef]:
    x, x2, a = enc.state("pre"), enc.state("post"), enc.action("pre")
    inv = z3.Function("Inv", *(v.sort() for v in x.vars), z3.BoolSort(enc.ctx))
    err = z3.Function("Err", z3.BoolSort(enc.ctx))
    fp = z3.Fixedpoint(ctx=enc.ctx)
    fp.set(engine="spacer")
    # keep Inv as one relation (no inlining or slicing), so its interpretation is the invariant
    fp.set("xform.slice", False)
    fp.set("xform.inline_linear", False)
    fp.set("xform.inline_eager", False)
    fp.set("spacer.random_seed", budget.seed)
    if frames is not None:
        fp.set("spacer.max_level", frames)
    configure(fp, budget)
    fp.register_relation(inv, err)
    fp.declare_var(*x.vars, *x2.vars, a)
    fp.rule(inv(*x.vars), [enc.init(x), enc.domain(x)])
    fp.rule(inv(*x2.vars), [inv(*x.vars), enc.trans(x, a, x2), enc.domain(x2)])
    bad = enc.bad(p, x, a)
    fp.rule(err(), [inv(*x.vars), enc.action_range(a), bad] if is_step_kind(p) else [inv(*x.vars), bad])
    return fp, inv, x, err()


def recheck(enc: Encoding, p: Property, inv: Expr, budget: Budget) -> Outcome:
    """Whether inv (with the domain constraints) is an inductive invariant excluding p's bad
    positions: each of the three obligations must be unsat, each in a fresh solver."""
    x, x2, a = enc.state("c0"), enc.state("c1"), enc.action("c0")
    i0, i1 = z3.And(enc.pred(inv, x), enc.domain(x)), enc.pred(inv, x2)
    obligations = [
        ("initiation", [enc.init(x), enc.domain(x), z3.Not(i0)]),
        # a successor outside the domain is not a state (NOTE(domains) in encode.py)
        ("consecution", [i0, enc.trans(x, a, x2), enc.domain(x2), z3.Not(i1)]),
        ("safety", [i0, enc.action_range(a), enc.bad(p, x, a)]),
    ]
    for name, fs in obligations:
        s = new_solver(budget, enc.ctx)
        s.add(*fs)
        out = solver_check(s, budget)
        if out.result != "unsat":
            return replace(out, reason=f"{name}: {out.reason or out.result}")
    return Outcome("unsat")


def _interpretation(answer: z3.ExprRef, inv: z3.FuncDeclRef, x: StateVars) -> z3.ExprRef:
    """The body of `ForAll(v, Inv(v) == body)` in Spacer's answer, over x. (get_cover_delta is
    not used: it is `true` when the query is settled before any lemma is learnt.)"""
    parts = answer.children() if z3.is_and(answer) else [answer]
    for q in parts:
        if not z3.is_quantifier(q):
            continue
        b = q.body()
        if z3.is_eq(b) and z3.is_app_of(b.arg(0), z3.Z3_OP_UNINTERPRETED) and b.arg(0).decl() == inv:
            subst = [x.vars[0]] * q.num_vars()
            for pos, arg in enumerate(b.arg(0).children()):
                if not z3.is_var(arg):
                    raise Untranslatable(f"Inv applied to {arg}")
                subst[z3.get_var_index(arg)] = x.vars[pos]
            return z3.substitute_vars(b.arg(1), *subst)
    if len(x.vars) == 0 or z3.is_app(answer):
        for c in parts:   # a nullary Inv has no quantifier: Inv == body
            if z3.is_eq(c) and z3.is_app_of(c.arg(0), z3.Z3_OP_UNINTERPRETED) and c.arg(0).decl() == inv:
                return c.arg(1)
    raise Untranslatable("no interpretation of Inv in Spacer's answer")


def _candidates(fp: z3.Fixedpoint, inv: z3.FuncDeclRef, x: StateVars,
                budget: Budget) -> Iterator[tuple[str, z3.ExprRef | None, str]]:
    """Spacer's learnt lemmas (usually the readable one, but `true` when the query was settled
    before any lemma was learnt), then its answer proper, with quantifiers eliminated: each
    with the formula, or None and why there is none. The answer is worked out only when asked
    for (when the lemmas are no certificate): eliminating its quantifiers may take long."""
    try:
        yield "lemmas", z3.substitute_vars(fp.get_cover_delta(-1, inv), *x.vars), ""
    except z3.Z3Exception as e:
        yield "lemmas", None, f"lemmas: {first_line(e)}"
    try:
        answer = _interpretation(fp.get_answer(), inv, x)
    except (Untranslatable, z3.Z3Exception) as e:
        yield "answer", None, f"answer: {e}"
        return
    if _has_quantifier(answer):
        answer, why = apply_tactic("qe", answer, budget, QE_CAP_S)
        if answer is None:
            yield "answer", None, f"answer: {why}"
            return
        answer = simplify(answer, budget, SIMPLIFY_CAP_S)
    yield "answer", answer, ""


def _has_quantifier(t: z3.ExprRef) -> bool:
    if z3.is_quantifier(t):
        return True
    return z3.is_app(t) and any(_has_quantifier(c) for c in t.children())


def _certify(enc: Encoding, p: Property, budget: Budget, fp: z3.Fixedpoint, inv: z3.FuncDeclRef,
             x: StateVars) -> tuple[Expr | None, str]:
    """The first candidate that translates and passes the re-check, or None and why there is
    none. Only Spacer's answer proper is authoritative: its failing the re-check is an engine
    disagreement."""
    why: list[str] = []
    for name, f, no in _candidates(fp, inv, x, budget):
        if f is None:
            why.append(no)
            continue
        try:
            cert = translate(f, x, enc.ts)
        except Untranslatable as e:
            why.append(f"{name}: not translatable: {e}")
            continue
        out = recheck(enc, p, cert, budget)
        if out.result == "unsat":
            return cert, ""
        if out.result == "sat" and name == "answer":
            raise EngineDisagreement(f"pdr: the certificate for '{p.name}' fails its re-check ({out.reason})")
        why.append(f"{name}: {out.reason}" if out.result == "unknown" else f"{name}: not inductive ({out.reason})")
        if budget.expired():
            break
    return None, "; ".join(why) or "no candidate"


@guard("pdr")
def check(ts: TransitionSystem, prop: str, budget: Budget | None = None, *, engine: str = "pdr") -> Verdict:
    budget = (budget or Budget()).start()
    t0 = time.monotonic()
    p = ts.prop(prop)
    if (no := unsupported(ts, p, engine, t0)) is not None:
        return no
    enc = Encoding(ts, EncodingOptions(ints="int"))   # Spacer's arithmetic interpolation needs Int
    frames = FIRST_FRAMES
    while True:   # rounds of frames (NOTE(pdr-frames))
        work = frames * FRAME_WORK
        left = budget.remaining_s()
        rb = replace(budget, rlimit=work if budget.rlimit is None else min(work, budget.rlimit),
                     deadline=None if left is None else time.monotonic() + SPACER_SHARE * left)
        try:
            fp, inv, x, err = _horn(enc, p, rb, frames)
        except z3.Z3Exception as e:
            return Unknown(prop, provenance(ts, engine, t0), f"Spacer rejected the encoding ({first_line(e)})")
        out = query(fp, err, rb)
        if out.result != "unknown" or is_limit(out.reason) or out.reason.startswith(Z3_ERROR) \
                or budget.expired() or frames >= MAX_FRAMES:
            break
        frames *= 2   # stopped at its frame bound: more frames, each with the same work
    if out.result == "unknown":
        # the budget's own rlimit (per z3 call) stopping Spacer is the user's limit, not its share
        own = budget.rlimit is not None and budget.rlimit <= frames * FRAME_WORK
        return _unknown(ts, p, budget, engine, t0, out, frames, own)
    if out.result == "sat":
        return _counterexample(ts, prop, budget, engine, t0)
    cert, why = _certify(enc, p, budget, fp, inv, x)
    if cert is None:
        return Unknown(prop, provenance(ts, engine, t0), f"no re-checked certificate ({why})")
    return Proved(prop, provenance(ts, engine, t0), "inductive invariant, re-checked", invariant=render(cert, ts))


def _unknown(ts: TransitionSystem, p: Property, budget: Budget, engine: str, t0: float, out: Outcome,
             frames: int, own: bool) -> Verdict:
    """Spacer gave no answer: why; after its budget per frame, what its BMC phase found
    (NOTE(pdr-frames))."""
    why = out.reason
    if why.startswith(Z3_ERROR):   # e.g. a construct Spacer has no theory for
        return Unknown(p.name, provenance(ts, engine, t0),
                       f"Spacer rejected the encoding ({why.removeprefix(Z3_ERROR)})")
    if not is_limit(why) or budget.expired() or (own and why.startswith("resource limit")):
        return Unknown(p.name, provenance(ts, engine, t0), why)
    limit = "its budget per frame" if why.startswith("resource limit") else "half the time left"
    v = bmc.hunt(ts, p.name, budget, engine=f"{engine}:bmc")   # NOTE(bmc-hunt)
    if isinstance(v, Violated):
        return v
    if budget.expired():   # the check's own limit ended the BMC phase too: it says all
        reached = v.depth_reached if isinstance(v, Unknown) else v.depth if isinstance(v, HoldsUpTo) else 0
        return Unknown(p.name, provenance(ts, engine, t0), budget.stop_reason(), depth_reached=reached)
    found = f"none to depth {v.depth}" if isinstance(v, HoldsUpTo) else getattr(v, "reason", "no answer")
    return Unknown(p.name, provenance(ts, engine, t0),
                   f"Spacer stopped within {frames} frames ({limit}); its BMC phase: {found}",
                   depth_reached=v.depth if isinstance(v, HoldsUpTo) else 0)


def _counterexample(ts: TransitionSystem, prop: str, budget: Budget, engine: str, t0: float) -> Verdict:
    v = bmc.check(ts, prop, replace(budget, max_depth=CEX_MAX_DEPTH), engine=engine)
    if isinstance(v, Violated):
        return Violated(prop, provenance(ts, engine, t0, depth=v.trace.depth), v.trace)
    reason = v.reason if isinstance(v, Unknown) else "no trace found"
    return Unknown(prop, provenance(ts, engine, t0), f"violation reachable, BMC trace search stopped: {reason}")
