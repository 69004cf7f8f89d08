"""PDR/IC3 through z3's Spacer (constrained Horn clauses over one relation Inv(state)).

  init(x)                      => Inv(x)
  Inv(x) and T(x, a, x')       => Inv(x')
  Inv(x) and bad(x, a)         => Err

Err unreachable: Spacer's inductive invariant for Inv is translated to the IR (certificate.py),
re-checked by fresh solvers (init => I; I and T => I'; I => not bad, with I including the domain
constraints), and only then printed and returned as Proved. A certificate failing its re-check is
an internal error (EngineDisagreement). Err reachable: BMC finds a shortest trace.
"""

from __future__ import annotations

import time
from dataclasses import replace

import z3

from checker.core.budget import Budget
from checker.core.verdict import Proved, Unknown, Verdict, Violated
from checker.smt import EngineDisagreement, bmc
from checker.smt.certificate import Untranslatable, tidy, to_ir
from checker.smt.encode import Encoding, EncodingOptions, StateVars, is_step_kind
from checker.smt.render import render
from checker.smt.solver import NO_TIMEOUT_MS, Outcome, new_solver, query_timeout_ms, timeout_reason
from checker.smt.solver import check as solver_check
from checker.smt.unroll import provenance, unsupported
from model.ir import Expr, Property, TransitionSystem

CEX_MAX_DEPTH = 100_000   # Spacer proved a violation exists: BMC searches until it finds it


def _horn(enc: Encoding, p: Property, budget: Budget) -> tuple[z3.Fixedpoint, z3.FuncDeclRef, StateVars, z3.ExprRef]:
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
    ms = query_timeout_ms(replace(budget, query_timeout_s=budget.query_timeout_s or budget.timeout_s))
    fp.set("timeout", NO_TIMEOUT_MS if ms is None else ms)
    if budget.rlimit is not None:
        fp.set("rlimit", budget.rlimit)
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
            if z3.is_eq(c) and c.arg(0).decl() == inv:
                return c.arg(1)
    raise Untranslatable(f"no interpretation of Inv in {answer}")


def _candidates(fp: z3.Fixedpoint, inv: z3.FuncDeclRef, x: StateVars) -> list[tuple[str, z3.ExprRef | None]]:
    """Spacer's learnt lemmas (usually the readable one, but `true` when the query was settled
    before any lemma was learnt), then its answer proper, with quantifiers eliminated."""
    cover = z3.substitute_vars(fp.get_cover_delta(-1, inv), *x.vars)
    try:
        answer: z3.ExprRef | None = _interpretation(fp.get_answer(), inv, x)
    except Untranslatable:
        answer = None
    if answer is not None and _has_quantifier(answer):
        answer = z3.simplify(z3.Tactic("qe", answer.ctx)(answer).as_expr())
    return [("lemmas", cover), ("answer", answer)]


def _has_quantifier(t: z3.ExprRef) -> bool:
    if z3.is_quantifier(t):
        return True
    return z3.is_app(t) and any(_has_quantifier(c) for c in t.children())


def _certify(enc: Encoding, p: Property, budget: Budget, fp: z3.Fixedpoint, inv: z3.FuncDeclRef,
             x: StateVars) -> tuple[Expr | None, Outcome]:
    """The first candidate that translates and passes the re-check. Only Spacer's answer proper
    is authoritative: its failing the re-check is an engine disagreement."""
    out = Outcome("unknown", "no candidate")
    for name, f in _candidates(fp, inv, x):
        try:
            cert = tidy(to_ir(f, x, enc.ts)) if f is not None else None
        except Untranslatable:
            cert = None
        if cert is None:
            continue
        out = recheck(enc, p, cert, budget)
        if out.result == "unsat":
            return cert, out
        if out.result == "sat" and name == "answer":
            raise EngineDisagreement(f"pdr: the certificate for '{p.name}' fails its re-check ({out.reason})")
    return None, out


def check(ts: TransitionSystem, prop: str, budget: Budget | None = None, *, engine: str = "pdr") -> Verdict:
    budget = (budget or Budget()).start()
    t0 = time.monotonic()
    p = ts.prop(prop)
    if (no := unsupported(ts, p, engine, t0)) is not None:
        return no
    enc = Encoding(ts, EncodingOptions(ints="int"))   # Spacer's arithmetic interpolation needs Int
    fp, inv, x, err = _horn(enc, p, budget)
    try:
        r = fp.query(err)
    except z3.Z3Exception as e:   # a timeout, or e.g. a construct Spacer has no theory for
        msg = _first_line(e)
        reason = timeout_reason(budget, "timeout") if msg == "canceled" or budget.expired() \
            else f"pdr: Spacer rejected the encoding ({msg})"
        return Unknown(prop, provenance(ts, engine, t0), reason)
    if r == z3.unknown:
        return Unknown(prop, provenance(ts, engine, t0), timeout_reason(budget, fp.reason_unknown()))
    if r == z3.sat:
        return _counterexample(ts, prop, budget, engine, t0)
    cert, out = _certify(enc, p, budget, fp, inv, x)
    if cert is None or out.result != "unsat":
        why = out.reason if out.result == "unknown" else "not translatable"
        return Unknown(prop, provenance(ts, engine, t0), f"pdr: no re-checked certificate ({why})")
    return Proved(prop, provenance(ts, engine, t0), "pdr", invariant=render(cert, ts))


def _first_line(e: z3.Z3Exception) -> str:
    msg = e.value.decode(errors="replace") if isinstance(e.value, bytes) else str(e.value)
    return msg.splitlines()[0] if msg else "z3 error"


def _counterexample(ts: TransitionSystem, prop: str, budget: Budget, engine: str, t0: float) -> Verdict:
    v = bmc.check(ts, prop, replace(budget, max_depth=CEX_MAX_DEPTH), engine=engine)
    if isinstance(v, Violated):
        return Violated(prop, provenance(ts, engine, t0, depth=v.trace.depth), v.trace)
    reason = v.reason if isinstance(v, Unknown) else "no trace found"
    return Unknown(prop, provenance(ts, engine, t0), f"pdr: violation reachable, BMC trace search stopped: {reason}")
