"""A temporal property for every size (`check --engine kind --for-all`): the parameterised
liveness-to-safety product (forall_l2s.py, NOTE(forall-l2s)) proved by the for-all induction.

NOTE(forall-live-lemmas): the product's invariant is rarely inductive alone, so candidate lemmas
are stated over it, each the quantified form of a fact NOTE(l2s-lemmas) or NOTE(l2s-progress)
states for a finite product, or a fact about the monitor bits:
  - the spec's lemmas of the shadow ("saved => L(~state)"), the monitor bits at their initial
    values before the save, the shape's condition on the shadow;
  - per slot of few values its value graph (computed on the run's finite instance by live.py,
    the cells of a function together): "∀x. saved => f(x) in reach(~f(x))", and "saved => f(x) >=
    ~f(x)" (or <=) for a larger slot no step lowers (raises);
  - per fairness group g and element m: the save's state is the first loop state ("moved and g
    enabled for m at the shadow => seen(m)"; weak: "moved and disabled => off(m)"); once
    disabled on the loop, still disabled ("off(m) => not enabled(m)"); a fired step moved m's pc
    along an edge it cannot come back over ("fired(m) => pc(m) in R, ~pc(m) not in R", R what its
    targets reach); a fired step ended the shape ("shape bit and fired(m) => goal");
  - no step since the save: the state is the saved one (`~pinned`);
  - across machines and elements (NOTE(forall-live-cross)) and for steps that may leave the pc
    in place (NOTE(forall-live-loop)), where one machine's loop is excluded only by another's;
  - over the product's `rest[M]` bits, "M's pc has not changed since the save" (NOTE(forall-rest)
    in forall_l2s.py): what holds while a machine rests (a CPU offline's list only empties, its
    groups stay disabled), that a machine which left its saved pc and came back took a fair step,
    and that a fair step whose slot never returns to an old value keeps the loop from closing;
  - for loops whose round leaves the pc and comes back, and loops with a retry edge that is
    dead (NOTE(forall-reentry), `_reentry_lemmas`, `_went_lemmas`, `_rounds_by`): v19's
    tdx_mmu_release_hkid and kvm_unload_vcpu_mmus loops.
Candidates are proved in the product before they are assumed, Houdini style: the largest subset
that holds initially and is inductive together with the spec's lemmas (dropping every candidate
that fails, and trying again) is kept; only then is `l2s` proved relative to it. First, those a
reachable state of the product at a small size falsifies are dropped without z3 (NOTE(forall-filter)
in forall_filter.py: none of them can be in that largest subset, so Houdini's answer is the same). A candidate that
is false can therefore only be dropped, never make the proof unsound, and every kept one is an
invariant of the product at every size (NOTE(forall-proof)).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import cast

import z3

from checker.core.budget import Budget
from checker.core.verdict import Proved, Unknown, Verdict
from checker.core.words import plural
from checker.smt import forall_filter
from checker.smt import forall_l2s as L2
from checker.smt.forall import Failure, _Queries, lemma_text, sizes
from checker.smt.forall_small import SmallTerms
from checker.smt.live import closure, progress_facts
from checker.smt.solver import Outcome, new_solver
from checker.smt.solver import check as solver_check
from checker.smt.unroll import provenance
from model.ir import App, Const, Expr, Ite, Op, Select, TransitionSystem, Var
from model.lower_param import REFUSED, PAction, ParamSystem, PProperty, is_sym, reads, rename
from model.smart import FALSE, TRUE, And, Eq, Implies, Not, Or
from model.sorts import BOOL, NONE_VALUE, IndexSort, OptionSort

METHOD = "liveness to safety"
HOUDINI_RLIMIT = 5_000_000    # z3 work per initial-state and small-universe query (NOTE(forall-live-lemmas))
HOUDINI_QUANTIFIED_RLIMIT = 25_000_000   # z3 work per quantified consecution query (NOTE(houdini-one-limit))
SMALL_UNIVERSE = 2   # elements per sort where an undecided Houdini query looks for a model (NOTE(houdini-small))
HOUDINI_GROUP = 16   # candidates per consecution query, 0: all an action touches (NOTE(houdini-groups))
REST_CARRY = True   # the rest stage takes the first stage's lemmas as proved (NOTE(forall-rest-carry))
HOUDINI_ONE_LIMIT = True   # quantified queries asked once with the larger limit (NOTE(houdini-one-limit))
HOUDINI_CORES = True   # a query unsat under candidates still kept is not asked again (NOTE(houdini-cores))
REENTRY = True   # the candidates of NOTE(forall-reentry) (False: as before them, for tests and bench)
PC_FACT_STATES = 20_000   # reachable states the pc facts are read from (NOTE(forall-live-lemmas))
FILTER_STATES = forall_filter.MAX_STATES   # product states per finite sample (0: no filter; NOTE(forall-filter))


def unsupported(ts: TransitionSystem, p: PProperty) -> str | None:
    """Why the property is outside the parameterised liveness encoding, if it is."""
    if p.kind == REFUSED:
        return f"outside the parameterised fragment: {p.text}"
    if ts.fair_groups:
        return ("outside the parameterised liveness encoding: declared fairness groups "
                "(`fair: {weak: [...]}`, `fairness:`); fairness per transition is")
    if ts.stutter:
        return "outside the parameterised liveness encoding: `stutter: true`"
    return None


def check(ts: TransitionSystem, ps: ParamSystem, p: PProperty, member: str, budget: Budget, engine: str) -> Verdict:
    """The temporal property p (the finite instance's `member`) for every size."""
    t0 = time.monotonic()
    why = unsupported(ts, p)
    if why is not None:
        return Unknown(member, provenance(ts, engine, t0), why)
    pr = L2.product(ps, p, L2.groups(ps))
    every = candidates(ts, pr, member, budget)
    gone = forall_filter.drop(ts, pr, every, FILTER_STATES)   # NOTE(forall-filter): only removes
    cands = tuple(c for c in every if c.name not in gone)
    # NOTE(forall-rest-stages): first without the rest kinds, which multiply Houdini's work (TDX
    # v6_16 L1: 229 s of CPU without them, more than 20 minutes with), then, only if that proof
    # fails, with them, and then with the re-entry kinds too (NOTE(forall-reentry): third, so that
    # every proof the first two stages found is found as before): each stage is a proof on its
    # own, so any stage's `proved` stands
    got: Verdict | None = None
    known: set[str] = set()
    last = -1
    for left_out in (REST_KINDS + REENTRY_KINDS, REENTRY_KINDS, ()):
        these = tuple(c for c in cands if not c.name.startswith(left_out)) if left_out else cands
        if len(these) == last:
            continue   # nothing new for this stage
        got, kept = _attempt(ts, ps, pr, these, every, member, budget, engine, t0, known if REST_CARRY else set())
        if isinstance(got, Proved) or budget.expired():
            return got
        known, last = kept, len(these)
    assert got is not None
    return got


REENTRY_KINDS = ("~went[", "~grows_in[", "~shrinks_in[", "~left_in[", "~unfired_if[", "~round_by[", "~rfired[")
REST_KINDS = ("~rest[", "~exit[", "~round[", "~rstay[", "~joins[", "~leaves[", "~rmoved[", "~rhold[", "~rwas",
              "~rleft[", "~rgrows[", "~rshrinks[", "~gone[")   # the candidates of NOTE(forall-rest)


def _attempt(ts: TransitionSystem, ps: ParamSystem, pr: L2.Product, cands: tuple[PProperty, ...],
             every: tuple[PProperty, ...], member: str, budget: Budget, engine: str, t0: float,
             known: set[str]) -> tuple[Verdict, set[str]]:
    """Houdini over the candidates, then `l2s` proved relative to the ones kept; with the
    candidates kept (empty when Houdini failed).
    NOTE(forall-rest-carry): `known` are candidates an earlier stage kept: together with the spec's
    lemmas they are inductive on their own (Houdini's result), and a set inductive on its own stays
    so under more assumptions, so Houdini here takes them as proved (`fixed`: assumed, never asked
    again) and every other candidate it keeps is checked relative to a set containing them: the
    union is inductive. Stage 2 then re-asks only what stage 1 dropped or never had."""
    # in two tiers: the facts every product has (cheap alone), then the rest with them assumed;
    # each tier is inductive relative to the tiers before and itself, so their union is
    kept: set[str] = {m.name for m in ps.lemmas} | known
    basic = {c.name for c in every[:pr_basic(ps)]}
    for tier in ([c for c in cands if c.name in basic], [c for c in cands if c.name not in basic]):
        have = [c for c in cands if c.name in kept]
        fresh = [c for c in tier if c.name not in kept]
        got = houdini(replace(pr.system, lemmas=(*ps.lemmas, *have, *fresh)), kept, budget, engine)
        if isinstance(got, Failure):
            return Unknown(member, provenance(ts, engine, t0), f"{METHOD}: {got.reason}", cti_text=got.cti), set()
        kept = got
    final = replace(pr.system, lemmas=(*ps.lemmas, *(c for c in cands if c.name in kept)))
    out = kept - {m.name for m in ps.lemmas}
    res = _Queries(final, budget, engine).prove(final.prop(L2.PROP))
    if isinstance(res, Failure):
        return Unknown(member, provenance(ts, engine, t0), f"{METHOD}: not proved for all sizes: {res.reason}",
                       cti_text=res.cti), out
    spec = [m for m in res if m.name in {x.name for x in ps.lemmas}]
    more = len(res) - len(spec)
    used = f"induction with {plural(len(spec), 'lemma')}" + (f" ({', '.join(u.name for u in spec)})" if spec else "")
    prov = provenance(ts, engine, t0, lemmas=len(res))
    return Proved(member, prov, f"for all {sizes(ps)}: {METHOD}, {used} and {plural(more, 'product lemma')}",
                  invariant=lemma_text(spec) or None, for_all=tuple(s.param for s in ps.sorts)), out


# ---- candidates (NOTE(forall-live-lemmas)) ----------------------------------------------------

def pr_basic(ps: ParamSystem) -> int:
    """How many candidates come first and are true of every product: the shadow's spec lemmas,
    `~fresh`, `~unmoved`, `~shape` and `~pinned`."""
    return sum(1 for m in ps.lemmas if m.kind == "invariant" and m.pred is not None) + 4

def candidates(ts: TransitionSystem, pr: L2.Product, member: str, budget: Budget) -> tuple[PProperty, ...]:
    b, sh = pr.builder, pr.shape
    out = [PProperty(f"~{m.name}", "invariant", pred=Implies(b.saved, b.shift(m.pred)))
           for m in b.ps.lemmas if m.kind == "invariant" and m.pred is not None]
    fresh = [_initial(b, f) for _, f in b.flags[1:] if f.loop_only]
    idle = [_initial(b, f) for _, f in b.flags[1:] if f.loop_only and f.on_save is None]
    out += [PProperty("~fresh", "invariant", pred=Implies(Not(b.saved), And(*fresh))),
            PProperty("~unmoved", "invariant", pred=Implies(Not(b.bit("moved")), And(*idle))),
            PProperty("~shape", "invariant", pred=sh.shadow),
            PProperty("~pinned", "invariant", pred=Implies(And(b.saved, Not(b.bit("moved"))), L2.same(b)))]
    if "trig" in b.names:   # P leads_to Q: the trigger persists until Q (true of many specs, not all)
        out += [PProperty(f"~{n}_persists", "invariant", pred=Implies(b.bit(n), Or(pr.trigger, sh.goal)))
                for n in ("trig", "held")]
    reach = _lifted_reach(ts, b, budget, member)
    out += _reach_lemmas(b, reach)
    out += _pc_facts(ts, b)
    out += _frames(b, sh)
    out += _stays(b)
    out += _rest_lemmas(b, pr)
    for k, o in enumerate(pr.obligations):
        out += _group_lemmas(b, pr, k, o, reach)
        out += [c for j, t in enumerate(pr.obligations) if j != k for c in _pair_lemmas(b, j, t, k, o)]
        out += [c for j, t in enumerate(pr.obligations) for c in _cross_lemmas(b, pr, j, t, k, o)]
    if not REENTRY:
        out = [c for c in out if not c.name.startswith(REENTRY_KINDS)]
    named = {c.name: c for c in out if c.pred is not None and c.pred != TRUE}   # a machine's marks: once
    return tuple(named.values())


def _initial(b: L2.Builder, f: L2.Flag) -> Expr:
    """The monitor bit f at its initial value (for every element)."""
    def body(at: Expr | None) -> Expr:
        return Eq(b.bit(f.name, at), TRUE if f.init else FALSE)
    return _all(b, f.sort, body)


def _all(b: L2.Builder, sort: IndexSort | None, body: Callable[[Expr | None], Expr]) -> Expr:
    """body(x) for every element x of sort, or body(None) when sort is None (a scalar)."""
    if sort is None:
        return body(None)
    x = b.elem("x", sort)
    return L2.forall(x, body(x))


def _cells(ts: TransitionSystem, b: L2.Builder, i: int) -> list[int]:
    """The finite instance's slots of the parameterised slot i (a function's cells)."""
    v = b.ps.vars[i]
    if b.ps.is_fn(i):
        return [j for j, w in enumerate(ts.vars) if w.base == v.base]
    return [j for j, w in enumerate(ts.vars) if w.name == v.name]


Reach = dict[int, dict[int, frozenset[int]]]


def _lifted_reach(ts: TransitionSystem, b: L2.Builder, budget: Budget, member: str) -> Reach:
    """NOTE(forall-live-lemmas): the finite value graphs, the cells of a function united."""
    facts = progress_facts(ts, budget, member)
    out: Reach = {}
    for i, v in enumerate(b.ps.vars):
        cells = _cells(ts, b, i)
        if b.shadow[i] == i or is_sym(v.sort) or not cells or any(c not in facts.reach for c in cells):
            continue
        vals = set().union(*(facts.reach[c] for c in cells))
        out[i] = {x: frozenset().union(*(facts.reach[c].get(x, frozenset({x})) for c in cells)) for x in vals}
    return out


def _at(b: L2.Builder, i: int, at: Expr | None, shadow: bool = False) -> Expr:
    v, slot = b.ps.vars[i], b.shadow[i] if shadow else i
    return Var(slot, v.sort) if at is None else Select((slot,), at, 0, v.sort)


def _one_of(e: Expr, xs: frozenset[int]) -> Expr:
    return Or(*(Eq(e, Const(x, e.sort)) for x in sorted(xs)))


def _elem_of(b: L2.Builder, i: int) -> IndexSort | None:
    return cast(IndexSort, b.ps.vars[i].key_sort) if b.ps.is_fn(i) else None


def _reach_lemmas(b: L2.Builder, reach: Reach) -> list[PProperty]:
    out = []
    for i, r in sorted(reach.items()):
        every = frozenset(r)

        def body(at: Expr | None, i: int = i, r: dict[int, frozenset[int]] = r, every: frozenset[int] = every) -> Expr:
            now, was = _at(b, i, at), _at(b, i, at, True)
            return And(*(Implies(Eq(was, Const(x, was.sort)), _one_of(now, ys)) for x, ys in sorted(r.items())
                         if ys != every))
        e = _all(b, _elem_of(b, i), body)
        out.append(PProperty(f"~reach[{b.ps.vars[i].base}]", "invariant", pred=Implies(b.saved, e)))
    return out


def _pc_facts(ts: TransitionSystem, b: L2.Builder) -> list[PProperty]:
    """NOTE(forall-live-lemmas): per pc of a machine that is no family and per boolean scalar f,
    "pc == v => f == c" for every pc value v at which f was c in every reachable state of the
    run's instance sampled (checker/smt/mine.py), of the state and of the shadow (the teardown
    thread in `done` holds no HKID). A fact of the system the spec's lemmas may not state; the
    sample only proposes it, Houdini proves it or drops it."""
    from checker.smt.mine import SampleSize, sample
    ps = b.ps
    slot = {w.name: j for j, w in enumerate(ts.vars)}
    pcs = [i for i, v in enumerate(ps.vars) if v.base.endswith(".pc") and not ps.is_fn(i) and v.name in slot]
    bools = [i for i, v in enumerate(ps.vars) if v.sort == BOOL and not ps.is_fn(i) and v.name in slot
             and b.shadow[i] != i]
    if not pcs or not bools:
        return []
    states = sample(ts, SampleSize(bfs_states=PC_FACT_STATES, walks=0))
    out = []
    for pc in pcs:
        for f in bools:
            seen: dict[int, set[int]] = {}
            for st in states:
                seen.setdefault(st[slot[ps.vars[pc].name]], set()).add(int(st[slot[ps.vars[f].name]]))
            fixed = {v: xs.pop() for v, xs in sorted(seen.items()) if len(xs) == 1}
            if not fixed:
                continue
            for shadow in (False, True):
                at_pc, at_f = _at(b, pc, None, shadow), _at(b, f, None, shadow)
                e = And(*(Implies(Eq(at_pc, Const(v, at_pc.sort)), at_f if c else Not(at_f)) for v, c in fixed.items()))
                name = f"~{'was' if shadow else 'at'}[{ps.vars[pc].base},{ps.vars[f].base}]"
                out.append(PProperty(name, "invariant", pred=Implies(b.saved, e) if shadow else e))
    return out


def _frames(b: L2.Builder, sh: L2.Shape) -> list[PProperty]:
    """A slot left alone while the shape holds: "saved and shape bit => f == ~f or goal"."""
    if sh.goal == FALSE:
        return []
    out = []
    for i, s in sorted(b.shadow.items()):
        if s != i:
            def same(at: Expr | None, i: int = i) -> Expr:
                return Eq(_at(b, i, at), _at(b, i, at, True))
            e = _all(b, _elem_of(b, i), same)
            out.append(PProperty(f"~frame[{b.ps.vars[i].base}]", "invariant",
                                 pred=Implies(And(b.saved, b.bit(sh.bit)), Or(e, sh.goal))))
    return out


def _group_lemmas(b: L2.Builder, pr: L2.Product, k: int, o: L2.Obligation, reach: Reach) -> list[PProperty]:
    ps, g = b.ps, o.group
    moved = b.bit("moved")

    def lemma(name: str, body: Callable[[Expr | None], Expr]) -> PProperty:
        return PProperty(f"~{name}[{k}]", "invariant", pred=_all(b, g.sort, body))
    en = L2.enabled(ps, g, o.me)

    def at(e: Expr, x: Expr | None) -> Expr:
        return e if o.me is None or x is None else _rename(e, o.me, x)
    if g.kind == "weak":
        first = lemma("first", lambda x: Implies(And(b.saved, moved, Not(at(b.shift(en), x))), b.bit(o.other, x)))
        still = lemma("still", lambda x: Implies(b.bit(o.other, x), Not(at(en, x))))
        kept = lemma("kept", lambda x: Implies(And(b.bit(pr.shape.bit), b.bit(o.other, x)),
                                               Or(Not(at(en, x)), pr.shape.goal)))
        out = [first, still, kept]
        pc = _pc_slot(b, ps.actions[g.actions[0]].machine, o.me is not None)
        if pc is not None:   # NOTE(forall-live-loop): disabled on the loop while the pc stays, still disabled
            out.append(lemma("hold", lambda x: Implies(And(b.saved, Eq(_at(b, pc, x), _at(b, pc, x, True)),
                                                           b.bit(o.other, x)), Or(Not(at(en, x)), pr.shape.goal))))
        rest = _rest_bit(b, ps.actions[g.actions[0]].machine, o.me is not None)
        if rest is not None:   # NOTE(forall-rest): ... while the pc has not changed at all
            out.append(lemma("rhold", lambda x: Implies(And(rest(x), b.bit(o.other, x)), Or(Not(at(en, x)), pr.shape.goal))))
            out.append(lemma("rwas", lambda x: Implies(And(rest(x), b.bit(o.other, x)), Or(Not(at(b.shift(en), x)), pr.shape.goal))))
        for mach, mpc in sorted(L2.pc_slots(ps).items()):   # NOTE(forall-rest): another machine rests
            other = _rest_bit(b, mach, False)
            if other is None or mach == ps.actions[g.actions[0]].machine or not reads(en) & set(_moving_only(b, mach, mpc)):
                continue
            resting = other(None)

            def was_off(x: Expr | None, r: Expr = resting) -> Expr:
                return Implies(And(r, b.bit(o.other, x)), Or(Not(at(b.shift(en), x)), pr.shape.goal))
            out.append(lemma(f"rwas@{mach}", was_off))
    else:
        out = [lemma("first", lambda x: Implies(And(b.saved, moved, at(b.shift(en), x)), b.bit(o.other, x))),
               lemma("taken", lambda x: Implies(b.bit(o.fired, x), b.bit(o.other, x)))]
    out.append(lemma("ended", lambda x: Implies(And(b.bit(pr.shape.bit), b.bit(o.fired, x)), pr.shape.goal)))
    # a family property's own element (its free variable) ends the shape where no other may
    out += [PProperty(f"~ended[{k}@{ps.bound[-c.slot - 1][0]}]", "invariant",
                      pred=Implies(And(b.bit(pr.shape.bit), b.bit(o.fired, c)), pr.shape.goal))
            for c in pr.family if o.me is not None and c.sort == g.sort]
    return out + _edge_lemmas(b, k, o, reach) + _unfired_lemmas(b, k, o) + _loop_lemmas(b, k, o, reach) \
        + _gone_lemmas(b, k, o, reach) + _went_lemmas(b, k, o, reach) + _reentry_lemmas(b, k, o, reach)


def _gone_lemmas(b: L2.Builder, k: int, o: L2.Obligation, reach: Reach) -> list[PProperty]:
    """NOTE(forall-rest): per slot f the group writes whose finite value graph has no cycle through
    two values (a CPU's `online`, a loop's marks): once the group fired on the loop, f differs from
    its saved value for ever ("fired(m) => f != ~f"), so the loop cannot close (a CPU taken offline
    stays offline). A candidate: a step that writes f its own value makes it false, and Houdini
    drops it."""
    out = []
    written = set().union(*(b.ps.actions[i].written for i in o.group.actions))
    for f in sorted(written):
        r = reach.get(f)
        if r is None or any(x != y and x in r.get(y, frozenset()) for x, ys in r.items() for y in ys):
            continue
        def body(x: Expr | None, f: int = f) -> Expr:
            return Implies(And(b.saved, b.bit(o.fired, x)), Not(_slot_same(b, f)))
        out.append(PProperty(f"~gone[{k},{b.ps.vars[f].base}]", "invariant", pred=_all(b, o.group.sort, body)))
    return out


def _went_lemmas(b: L2.Builder, k: int, o: L2.Obligation, reach: Reach) -> list[PProperty]:
    """NOTE(forall-reentry): for a group whose step chooses among several pc targets (`to:` an
    `if`), per target t "saved and fired(m) => pc(m) in R(t)", R(t) what t reaches in the finite
    value graph: the group only ever took the branch to t since the save. True when the other
    branches cannot be taken at all (v19's TDH.MNG.VPFLUSHDONE after a flush round that left no
    vCPU associated never returns TDX_FLUSHVP_NOT_DONE, so the retry edge back to the flush loop
    is dead); z3 proves the step from the state the lemmas describe, Houdini drops it otherwise."""
    if (found := _group_pc(b, o)) is None or found[1] not in reach:
        return []
    _, pc, size = found
    targets: set[int] = set()
    for i in o.group.actions:
        if (ts := _targets(b.ps.actions[i], pc)) is None:
            return []
        targets |= ts
    out = []
    for t in sorted(targets) if len(targets) > 1 else []:
        r = reach[pc].get(t, frozenset({t}))
        if len(r) < size:
            def body(x: Expr | None, r: frozenset[int] = r) -> Expr:
                return Implies(And(b.saved, b.bit(o.fired, x)), _one_of(_at(b, pc, x), r))
            out.append(PProperty(f"~went[{k},{t}]", "invariant", pred=_all(b, o.group.sort, body)))
    return out


def _reentry_lemmas(b: L2.Builder, k: int, o: L2.Obligation, reach: Reach) -> list[PProperty]:
    """NOTE(forall-reentry): a loop's marks (a boolean map f that a looping group o of a machine
    that is no family writes: `tdone`) only grow while the pc is in the strongly connected part of
    the finite pc graph where it was saved: "saved and pc in C(~pc) => ∀x. ~f(x) => f(x)" (and
    with f, ~f swapped), C(v) the values v reaches that reach v; and once o fired, f differs from
    its saved value while the pc is in that part ("... and fired(o) => f != ~f"). `~grows` of NOTE(forall-live-loop)
    is the same with C(v) = {v}; a loop whose body takes two pc steps (v19's reload: `reload`,
    `reload_put`) leaves its pc and comes back on every round, so there only this form holds.
    Marks are cleared by the loop's last step, which leaves the loop for a pc it never returns
    from; a retry edge back into the loop (v19's VPFLUSHDONE) makes it false unless the edge is
    dead, which Houdini must prove (the finite graph only proposes)."""
    ps, g = b.ps, o.group
    if o.me is not None or (found := _group_pc(b, o)) is None or found[1] not in reach:
        return []
    first, pc, _ = found
    r = reach[pc]
    scc = {v: frozenset(y for y in ys if v in r.get(y, frozenset())) for v, ys in r.items()}
    if all(len(c) == 1 for c in scc.values()):
        return []   # the `~grows` candidates already
    written = set().union(*(ps.actions[i].written for i in g.actions))
    marks = [f for f in sorted(written - {pc}) if ps.is_fn(f) and ps.vars[f].sort == BOOL and b.shadow[f] != f]
    was = _at(b, pc, None, True)
    within = And(b.saved, Or(*(And(Eq(was, Const(v, was.sort)), _one_of(_at(b, pc, None), c)) for v, c in sorted(scc.items()))))
    out = []
    for f in marks:
        for up in (True, False):
            def mono(x: Expr | None, f: int = f, up: bool = up) -> Expr:
                return Implies(_at(b, f, x, up), _at(b, f, x, not up))
            out.append(PProperty(f"~{'grows' if up else 'shrinks'}_in[{first.machine},{ps.vars[f].base}]", "invariant",
                                 pred=Implies(within, _all(b, _elem_of(b, f), mono))))
        # o's step left a mark that stays while the pc is in that part (`~left` over C)
        out.append(PProperty(f"~left_in[{k},{ps.vars[f].base}]", "invariant",
                             pred=Implies(And(within, b.bit(o.fired)), Not(_slot_same(b, f)))))
    return out


def _edge_lemmas(b: L2.Builder, k: int, o: L2.Obligation, reach: Reach) -> list[PProperty]:
    """fired(m) => pc(m) in R and ~pc(m) not in R, R what the group's pc targets reach."""
    ps, g = b.ps, o.group
    first = ps.actions[g.actions[0]]
    pcs = [i for i, v in enumerate(ps.vars) if v.base == f"{first.machine}.pc" and (v.machine == first.machine)]
    if len(pcs) != 1 or pcs[0] not in reach or (o.me is None) == ps.is_fn(pcs[0]):
        return []
    pc = pcs[0]
    targets = [_target(ps, i, pc) for i in g.actions]
    if any(t is None for t in targets):
        return []
    r = frozenset().union(*(reach[pc].get(cast(int, t), frozenset()) for t in targets))

    def body(x: Expr | None) -> Expr:
        return Implies(And(b.saved, b.bit(o.fired, x)), And(_one_of(_at(b, pc, x), r), Not(_one_of(_at(b, pc, x, True), r))))
    return [PProperty(f"~edge[{k}]", "invariant", pred=_all(b, g.sort, body))]


def _pair_lemmas(b: L2.Builder, j: int, t: L2.Obligation, k: int, g: L2.Obligation) -> list[PProperty]:
    """For a strong group g and a group t of the same machine (element): once t fired on the loop,
    g was enabled on it or is now ("fired_t(m) => seen_g(m) or enabled_g(m)")."""
    first, other = b.ps.actions[t.group.actions[0]], b.ps.actions[g.group.actions[0]]
    if g.group.kind != "strong" or first.machine != other.machine or t.group.sort != g.group.sort \
            or first.instance != other.instance:
        return []
    en = L2.enabled(b.ps, g.group, g.me)

    def body(x: Expr | None) -> Expr:
        now = en if x is None or g.me is None else rename(en, g.me, x)
        return Implies(b.bit(t.fired, x), Or(b.bit(g.other, x), now))
    return [PProperty(f"~after[{j},{k}]", "invariant", pred=_all(b, g.group.sort, body))]


def _loop_lemmas(b: L2.Builder, k: int, o: L2.Obligation, reach: Reach) -> list[PProperty]:
    """NOTE(forall-live-loop): a group g whose step may leave its machine's pc where it was (a
    `from:` value among its `to:` values, as a loop over vCPUs does):
      - "fired(m) => ~pc(m) reaches a `from:` of g" (the save came before g's step);
      - per slot f that g writes: "fired(m) and pc(m) == ~pc(m) => f != ~f" (the loop's step
        left a mark that stays while the pc has not moved on);
      - per boolean map f that g writes (g of a machine that is no family): "pc == ~pc =>
        ∀x. ~f(x) => f(x)" (marks only grow while the pc stays), and the same with f, ~f swapped.
    Each is a candidate: Houdini keeps it only if it is inductive in the product."""
    ps, g = b.ps, o.group
    if (found := _group_pc(b, o)) is None:
        return []
    first, pc, size = found
    srcs: set[int] = set()
    tgts: set[int] = set()
    for i in g.actions:
        src, tgt = _sources(ps.actions[i], pc, size), _targets(ps.actions[i], pc)
        if pc not in ps.actions[i].written:   # no `to:`: the pc stays
            tgt = src
        if src is None or tgt is None:
            return []
        srcs, tgts = srcs | src, tgts | tgt
    out = []
    if pc in reach and srcs != set(range(size)):
        came = frozenset(x for x, ys in reach[pc].items() if ys & srcs)
        out.append(PProperty(f"~came[{k}]", "invariant", pred=_all(b, g.sort, lambda x: Implies(
            And(b.saved, b.bit(o.fired, x)), _one_of(_at(b, pc, x, True), came)))))
    if not srcs & tgts:
        return out

    def stays(x: Expr | None) -> Expr:
        return And(b.saved, Eq(_at(b, pc, x), _at(b, pc, x, True)))
    written = set().union(*(ps.actions[i].written for i in g.actions)) - {pc}
    rest = _rest_bit(b, first.machine, o.me is not None)
    for f in sorted(w for w in written if b.shadow[w] != w):
        out += _marks(b, k, o, f, stays)
        if rest is not None:   # NOTE(forall-rest): the same while the pc has not changed at all
            out += [replace(m, name=m.name.replace("~", "~r", 1)) for m in _marks(b, k, o, f, rest)]
    return out


def _marks(b: L2.Builder, k: int, o: L2.Obligation, f: int, stays: Callable[[Expr | None], Expr]) -> list[PProperty]:
    """NOTE(forall-live-loop) for slot f that group o writes: it differs once o fired, and (a
    boolean map of a machine that is no family) it only grows or only shrinks while the pc stays."""
    ps, name = b.ps, b.ps.vars[f].base

    def left(x: Expr | None) -> Expr:
        return Implies(And(stays(x), b.bit(o.fired, x)), Not(_slot_same(b, f)))
    out = [PProperty(f"~left[{k},{name}]", "invariant", pred=_all(b, o.group.sort, left))]
    if o.me is None and ps.is_fn(f) and ps.vars[f].sort == BOOL:
        machine = ps.actions[o.group.actions[0]].machine
        for up in (True, False):
            def mono(x: Expr | None, up: bool = up) -> Expr:
                return Implies(_at(b, f, x, up), _at(b, f, x, not up))
            out.append(PProperty(f"~{'grows' if up else 'shrinks'}[{machine},{name}]", "invariant",
                                 pred=Implies(stays(None), _all(b, _elem_of(b, f), mono))))
    return out


def _stays(b: L2.Builder) -> list[PProperty]:
    """NOTE(forall-live-loop): per machine that is no family, each slot only its steps that move
    the pc write: "pc == ~pc => f == ~f" (while the pc has not moved on, f is as saved)."""
    ps, out = b.ps, []
    for mach in sorted({a.machine for a in ps.actions if a.instance is None}):
        pc = _pc_slot(b, mach, False)
        if pc is None:
            continue
        out += [PProperty(f"~stay[{mach},{ps.vars[f].base}]", "invariant", pred=Implies(
                    And(b.saved, Eq(_at(b, pc, None), _at(b, pc, None, True))), _slot_same(b, f)))
                for f in _moving_only(b, mach, pc)]
    return out


def _rest_bit(b: L2.Builder, machine: str, family: bool) -> Callable[[Expr | None], Expr] | None:
    """NOTE(forall-rest): machine's bit "the pc has not changed since the save", at an element."""
    name = f"rest[{machine}]"
    if name not in b.names or b.ps.is_fn(L2.pc_slots(b.ps)[machine]) != family:
        return None
    return lambda x: b.bit(name, x)


def _rest_lemmas(b: L2.Builder, pr: L2.Product) -> list[PProperty]:
    """NOTE(forall-rest): per machine M with a rest bit,
      - "rest(m) => saved and pc(m) == ~pc(m)";
      - "saved and not rest(m) and ~pc(m) == v => some fair group of M that leaves v fired for m",
        for each pc value v that only actions of fair groups leave (the pc changed, so one of them
        took a step: the only way out of a CPU offline's list walk is its weakly fair `finish`);
      - per slot only M's pc-moving steps write (as _stays), "rest => f == ~f".
    Each is a candidate for Houdini."""
    ps, out = b.ps, []
    for mach, pc in sorted(L2.pc_slots(ps).items()):
        family = ps.is_fn(pc)
        if (rest := _rest_bit(b, mach, family)) is None:
            continue
        sort = _elem_of(b, pc)
        def resting(x: Expr | None, rest: Callable[[Expr | None], Expr] = rest, pc: int = pc) -> Expr:
            return Implies(rest(x), And(b.saved, Eq(_at(b, pc, x), _at(b, pc, x, True))))
        out.append(PProperty(f"~rest[{mach}]", "invariant", pred=_all(b, sort, resting)))
        leaves = _leavers(b, pr, mach, pc)
        if leaves:
            def body(x: Expr | None, rest: Callable[[Expr | None], Expr] = rest, pc: int = pc,
                     leaves: list[tuple[int, list[str]]] = leaves) -> Expr:
                was = _at(b, pc, x, True)
                return Implies(And(b.saved, Not(rest(x))), And(*(
                    Implies(Eq(was, Const(v, was.sort)), Or(*(b.bit(n, x) for n in names))) for v, names in leaves)))
            out.append(PProperty(f"~exit[{mach}]", "invariant", pred=_all(b, sort, body)))
        if (rounds := _rounds(b, pr, mach, pc)) is not None:
            def round_(x: Expr | None, rest: Callable[[Expr | None], Expr] = rest, pc: int = pc,
                       rounds: tuple[list[int], list[str]] = rounds) -> Expr:
                now, was = _at(b, pc, x), _at(b, pc, x, True)
                return Implies(And(b.saved, Not(rest(x)), Eq(now, was), _one_of(was, frozenset(rounds[0]))),
                               Or(*(b.bit(n, x) for n in rounds[1])))
            out.append(PProperty(f"~round[{mach}]", "invariant", pred=_all(b, sort, round_)))
        out += _rounds_by(b, pr, mach, pc, rest, sort)
        moving = _movers(b, pr, mach, pc)
        if moving:   # NOTE(forall-reentry): a group whose every step moves the pc has not fired while it rests
            def resting_unfired(x: Expr | None, rest: Callable[[Expr | None], Expr] = rest, moving: list[str] = moving) -> Expr:
                return Implies(rest(x), And(*(Not(b.bit(n, x)) for n in moving)))
            out.append(PProperty(f"~rfired[{mach}]", "invariant", pred=_all(b, sort, resting_unfired)))
        if not family:
            still = _moving_only(b, mach, pc)
            out += [PProperty(f"~rstay[{mach},{ps.vars[f].base}]", "invariant", pred=Implies(rest(None), _slot_same(b, f)))
                    for f in still]
            out += _members(b, pr, mach, pc, rest(None), still)
    return out


def _members(b: L2.Builder, pr: L2.Product, mach: str, pc: int, rest: Expr, still: list[int]) -> list[PProperty]:
    """NOTE(forall-rest): per scalar s that stays while M rests (`hp_cpu`) and function f of the
    same sort that M's steps leaving the pc in place write (`onlist`): while M rests, the elements
    mapped to s only leave or only join ("rest => ∀x. f(x) == s => ~f(x) == s", and the converse;
    an offline's list walk only empties its CPU's list: nothing is loaded onto a CPU going offline);
    and once such a fair group of M fired, some element's membership differs from the save's (the
    walk took one off the list, and it cannot come back while M rests)."""
    ps, out = b.ps, []
    size = len(getattr(ps.vars[pc].sort, "members", ()))
    looping: dict[int, set[str]] = {}
    fired = {i: o.fired for o in pr.obligations for i in o.group.actions}
    for i, a in enumerate(ps.actions):
        if a.machine == mach and a.instance is None:
            if not _moves(a, pc, size):
                for f in a.written:
                    looping.setdefault(f, set()).update({fired[i]} if i in fired else set())
    for s in still:
        for f in sorted(looping):
            if not ps.is_fn(f) or ps.vars[f].sort != ps.vars[s].sort or b.shadow[f] == f:
                continue
            sort = ps.vars[s].sort
            named = Not(Eq(_at(b, s, None), Const(NONE_VALUE, sort))) if isinstance(sort, OptionSort) else TRUE
            for up in (True, False):
                def body(x: Expr | None, f: int = f, s: int = s, up: bool = up) -> Expr:
                    now, was = Eq(_at(b, f, x), _at(b, s, None)), Eq(_at(b, f, x, True), _at(b, s, None))
                    return Implies(was, now) if up else Implies(now, was)
                tag = "joins" if up else "leaves"
                out.append(PProperty(f"~{tag}[{mach},{ps.vars[f].base},{ps.vars[s].base}]", "invariant",
                                     pred=Implies(And(rest, named), _all(b, _elem_of(b, f), body))))
            y = b.elem("y", cast(IndexSort, _elem_of(b, f)))
            moved = Not(Eq(Eq(_at(b, f, y), _at(b, s, None)), Eq(_at(b, f, y, True), _at(b, s, None))))
            out += [PProperty(f"~rmoved[{mach},{ps.vars[f].base},{ps.vars[s].base},{n}]", "invariant",
                              pred=Implies(And(b.saved, rest, named, b.bit(n)), L2.exists((y,), moved)))
                    for n in sorted(looping[f])]
    return out


def _leavers(b: L2.Builder, pr: L2.Product, mach: str, pc: int) -> list[tuple[int, list[str]]]:
    """Per pc value v of machine mach that only actions of fair groups leave: their `fired` bits."""
    ps = b.ps
    size = len(getattr(ps.vars[pc].sort, "members", ()))
    fired = {i: o.fired for o in pr.obligations for i in o.group.actions}
    out = []
    for v in range(size):
        names: list[str] = []
        for i, a in enumerate(ps.actions):
            if a.machine != mach or a.instance is not None or pc not in a.written:
                continue
            src, tgt = _sources(a, pc, size), _targets(a, pc)
            if src is None or v not in src or (tgt is not None and not tgt - {v}):
                continue
            if i not in fired:
                break
            names.append(fired[i])
        else:
            if names:
                out.append((v, sorted(set(names))))
    return out


def _rounds(b: L2.Builder, pr: L2.Product, mach: str, pc: int) -> tuple[list[int], list[str]] | None:
    """NOTE(forall-rest): the pc values of machine mach on no cycle of its pc graph without a step
    of a fair group, and the `fired` bits of its fair groups that move the pc: a machine that
    changed its pc and is back where it was took such a step (a closed walk through v holds a
    cycle through v). None when a pc step is not read (a `to:` that is no constant)."""
    ps = b.ps
    size = len(getattr(ps.vars[pc].sort, "members", ()))
    fired = {i: o.fired for o in pr.obligations for i in o.group.actions}
    unfair: dict[int, set[int]] = {x: set() for x in range(size)}
    names: set[str] = set()
    for i, a in enumerate(ps.actions):
        if a.machine != mach or a.instance is not None or pc not in a.written:
            continue
        src, tgt = _sources(a, pc, size), _targets(a, pc)
        if src is None or tgt is None:
            return None
        moves = [(x, y) for x in src for y in tgt if x != y]
        if moves and i in fired:
            names.add(fired[i])
        elif i not in fired:
            for x, y in moves:
                unfair[x].add(y)
    vs = [v for v in range(size) if not any(v in closure(unfair, y) for y in unfair[v])]
    return (vs, sorted(names)) if vs and names else None


def _movers(b: L2.Builder, pr: L2.Product, mach: str, pc: int) -> list[str]:
    """The `fired` bits of mach's fair groups whose every step moves the pc (`_moves`)."""
    size = len(getattr(b.ps.vars[pc].sort, "members", ()))
    return sorted({o.fired for o in pr.obligations
                   if b.ps.actions[o.group.actions[0]].machine == mach and b.ps.actions[o.group.actions[0]].instance is None
                   and all(_moves(b.ps.actions[i], pc, size) for i in o.group.actions)})


def _rounds_by(b: L2.Builder, pr: L2.Product, mach: str, pc: int, rest: Callable[[Expr | None], Expr],
               sort: IndexSort | None) -> list[PProperty]:
    """NOTE(forall-reentry): per fair group h of machine mach that moves the pc, and the pc values v
    on no cycle of the pc graph without h's edges, "saved and not rest(m) and pc(m) == ~pc(m) == v
    => fired_h(m)": a machine that changed its pc and is back at v went round a closed walk through
    v, which holds a cycle through v, so it took an h step. `~round` says "some fair group"; this
    names the one every way round takes (v19's reload loop `reload` -> `reload_put` -> `reload`:
    back at `reload` only through `reload_put`'s step)."""
    ps = b.ps
    size = len(getattr(ps.vars[pc].sort, "members", ()))
    fired = {i: o.fired for o in pr.obligations for i in o.group.actions}
    edges: dict[str, set[tuple[int, int]]] = {}
    for i, a in enumerate(ps.actions):
        if a.machine != mach or a.instance is not None or pc not in a.written:
            continue
        src, tgt = _sources(a, pc, size), _targets(a, pc)
        if src is None or tgt is None:
            return []
        edges.setdefault(fired.get(i, ""), set()).update((x, y) for x in src for y in tgt if x != y)
    out = []
    for h in sorted(n for n in edges if n and edges[n]):
        graph: dict[int, set[int]] = {x: set() for x in range(size)}
        for n, es in edges.items():
            for x, y in es if n != h else ():
                graph[x].add(y)
        vs = [v for v in range(size) if not any(v in closure(graph, y) for y in graph[v])]
        if not vs:
            continue

        def body(x: Expr | None, h: str = h, vs: list[int] = vs) -> Expr:
            now, was = _at(b, pc, x), _at(b, pc, x, True)
            return Implies(And(b.saved, Not(rest(x)), Eq(now, was), _one_of(was, frozenset(vs))), b.bit(h, x))
        out.append(PProperty(f"~round_by[{mach},{h.removeprefix('fired[').removesuffix(']')}]", "invariant",
                             pred=_all(b, sort, body)))
    return out


def _moving_only(b: L2.Builder, mach: str, pc: int) -> list[int]:
    """The slots (with a shadow) that only steps of mach moving its pc write (as _stays reads them)."""
    ps = b.ps
    size = len(getattr(ps.vars[pc].sort, "members", ()))
    moving: set[int] = set()
    looping: set[int] = set()
    for a in ps.actions:
        if a.machine != mach:
            continue
        (moving if _moves(a, pc, size) else looping).update(a.written)
    return [f for f in sorted(moving - looping - {pc}) if b.shadow[f] != f]


def _moves(a: PAction, pc: int, size: int) -> bool:
    """a always moves the pc: its `from:` and `to:` values are known and disjoint."""
    src, tgt = _sources(a, pc, size), _targets(a, pc) if pc in a.written else None
    return src is not None and tgt is not None and not src & tgt


def _slot_same(b: L2.Builder, f: int) -> Expr:
    """Slot f equals its shadow (every cell of a function)."""
    return _all(b, _elem_of(b, f), lambda x: Eq(_at(b, f, x), _at(b, f, x, True)))


def _targets(a: PAction, pc: int) -> set[int] | None:
    """The pc values a writes (its `to:`, constants or a choice among constants); None when a
    leaves the pc alone or writes something else."""
    es = [u.value for u in a.fn_updates if u.slot == pc] + [e for slot, e in a.updates if slot == pc]
    if len(es) != 1:
        return None
    e = es[0]
    if isinstance(e, Ite) and isinstance(e.other, Select) and e.other.slots == (pc,):
        e = e.then   # a family's pc: the cell at self changes, every other cell stays
    out: set[int] = set()
    todo = [e]
    while todo:
        x = todo.pop()
        if isinstance(x, Const):
            out.add(int(x.value))
        elif isinstance(x, Ite):
            todo += [x.then, x.other]
        else:
            return None
    return out


def _cross_lemmas(b: L2.Builder, pr: L2.Product, j: int, t: L2.Obligation, k: int, g: L2.Obligation) -> list[PProperty]:
    """NOTE(forall-live-cross): for a strong group g and a group t of *another* element or machine
    that writes a slot g's guard reads: once t fired on the loop while the shape holds, g was
    enabled on it or is now ("∀y. shape and fired_t(y) => seen_g(c) or enabled_g(c) or goal", c
    g's element: the property's free element of its sort, or g's own when g is scalar)."""
    ps, sh = b.ps, pr.shape
    if g.group.kind != "strong" or sh.goal == FALSE:
        return []
    en = L2.enabled(ps, g.group, g.me)
    if not set().union(*(ps.actions[i].written for i in t.group.actions)) & reads(en):
        return []
    if g.me is None:   # a machine's own groups are _pair_lemmas' (its steps in order)
        if ps.actions[t.group.actions[0]].machine == ps.actions[g.group.actions[0]].machine:
            return []
        at: list[Expr | None] = [None]
    else:
        at = [c for c in pr.family if c.sort == g.group.sort]
        if j == k or not at:
            return []
    out = []
    for c in at:
        now = en if c is None or g.me is None else rename(en, g.me, c)
        seen = b.bit(g.other, c)

        def body(y: Expr | None, now: Expr = now, seen: Expr = seen) -> Expr:
            return Implies(And(b.saved, b.bit(sh.bit), b.bit(t.fired, y)), Or(seen, now, sh.goal))
        tag = "" if c is None else f"@{ps.bound[-cast(Var, c).slot - 1][0]}"
        out.append(PProperty(f"~cross[{j},{k}{tag}]", "invariant", pred=_all(b, t.group.sort, body)))
    return out


def _unfired_lemmas(b: L2.Builder, k: int, o: L2.Obligation) -> list[PProperty]:
    """NOTE(forall-live-lemmas): "saved and not fired(m) => pc(m) in reach'(~pc(m))", reach' over
    the pc edges of the machine's other actions (each a `from:` value to each value its `to:` may
    take: a constant or an `if` among constants; `~unfired_if`, a candidate of the second stage, when
    some step's `to:` is an `if` or leaves the pc alone: TDX's teardown thread, whose loops read
    `last(w)`. NOTE(forall-reentry): saved in `reload_put`, not back there unless it fired)."""
    ps, g = b.ps, o.group
    if (found := _group_pc(b, o)) is None:
        return []
    first, pc, size = found
    edges: dict[int, set[int]] = {x: set() for x in range(size)}
    plain = True   # every other step writes one constant: the first form (NOTE(forall-reentry))
    for i, a in enumerate(ps.actions):
        if a.machine != first.machine or i in g.actions or a.instance != first.instance:
            continue
        t = _target(ps, i, pc)
        plain = plain and t is not None
        if pc not in a.written:   # the pc stays where it was
            continue
        tgts, srcs = {t} if t is not None else _targets(a, pc), _sources(a, pc, size)
        if tgts is None or srcs is None:
            return []
        for x in srcs:
            edges[x] |= tgts
    reach = {x: closure(edges, x) for x in edges}

    def body(at: Expr | None) -> Expr:
        now, was = _at(b, pc, at), _at(b, pc, at, True)
        return Implies(And(b.saved, Not(b.bit(o.fired, at))),
                       And(*(Implies(Eq(was, Const(x, was.sort)), _one_of(now, ys)) for x, ys in sorted(reach.items()))))
    return [PProperty(f"~unfired[{k}]" if plain else f"~unfired_if[{k}]", "invariant", pred=_all(b, g.sort, body))]


def _group_pc(b: L2.Builder, o: L2.Obligation) -> tuple[PAction, int, int] | None:
    """The group's first action, its machine's pc slot and the pc's number of values."""
    first = b.ps.actions[o.group.actions[0]]
    pc = _pc_slot(b, first.machine, o.me is not None)
    return None if pc is None else (first, pc, len(getattr(b.ps.vars[pc].sort, "members", ())))


def _pc_slot(b: L2.Builder, machine: str, family: bool) -> int | None:
    pcs = [i for i, v in enumerate(b.ps.vars) if v.base == f"{machine}.pc" and b.ps.is_fn(i) == family]
    return pcs[0] if len(pcs) == 1 and b.shadow[pcs[0]] != pcs[0] else None


def _sources(a: PAction, pc: int, size: int) -> set[int] | None:
    """The pc values a's guard allows (its first conjunct, `from:`); every value when none."""
    parts = a.guard.args if isinstance(a.guard, App) and a.guard.op is Op.AND else (a.guard,)
    first = parts[0]
    eqs = first.args if isinstance(first, App) and first.op is Op.OR else (first,)
    out = set()
    for e in eqs:
        if not (isinstance(e, App) and e.op is Op.EQ):
            return set(range(size))
        x, c = e.args
        if not (isinstance(c, Const) and (isinstance(x, Select) and x.slots == (pc,) or x == Var(pc, x.sort))):
            return set(range(size))
        out.add(int(c.value))
    return out


def _target(ps: ParamSystem, i: int, pc: int) -> int | None:
    """The pc value action i writes (its `to:`), when it is a constant."""
    a = ps.actions[i]
    for u in a.fn_updates:
        if u.slot == pc:
            then = getattr(u.value, "then", None)
            return then.value if isinstance(then, Const) else None
    for slot, e in a.updates:
        if slot == pc:
            return e.value if isinstance(e, Const) else None
    return None


def _rename(e: Expr, old: Var, new: Expr) -> Expr:
    return rename(e, old, new)


# ---- Houdini over the candidates ------------------------------------------------------------

def houdini(ps: ParamSystem, fixed: set[str], budget: Budget, engine: str) -> Failure | set[str]:
    """The largest set of lemmas (all of `fixed` among them) that hold initially and are
    inductive together (NOTE(forall-live-lemmas)), a candidate z3 cannot decide dropped; a
    Failure when one of `fixed` does not hold initially."""
    # a candidate z3 cannot decide within a small work limit is dropped, so each query gets one
    q = _Queries(ps, replace(budget, rlimit=min(budget.rlimit or HOUDINI_RLIMIT, HOUDINI_RLIMIT)), engine)
    kept = {m.name for m in ps.lemmas}
    for m in ps.lemmas:
        s = q.solver()
        s.add(q.enc.enc(ps.init, q.enc.pre), z3.Not(q.holds(m, q.enc.pre)))
        out = solver_check(s, q.budget)
        if out.result != "unsat" and m.name in fixed:
            return Failure(f"{out.reason} (initial states, {m.name})" if out.result == "unknown"
                           else f"{m.name} fails in an initial state of the product")
        if out.result != "unsat":
            kept.discard(m.name)
    keep = {m.name: z3.Bool(f"$keep:{m.name}", q.ctx) for m in ps.lemmas}
    pre = [z3.Implies(keep[m.name], q.holds(m, q.enc.pre)) for m in ps.lemmas]
    small = SmallTerms(q.enc, {s.name: max(SMALL_UNIVERSE, s.min) for s in ps.sorts})
    h = _Ask(q, small, keep, pre, {})
    dropped = True
    while dropped:
        dropped = False
        for i in range(len(ps.actions)):
            got = _consecution(h, i, kept, fixed)
            kept -= got
            dropped = dropped or bool(got)
    return kept


def _quantified(budget: Budget) -> Budget:
    """The work limit of a quantified consecution query: HOUDINI_QUANTIFIED_RLIMIT unless the user's
    budget set a smaller one. NOTE(houdini-one-limit): these queries were first asked with
    HOUDINI_RLIMIT and, without an answer, once more on a fresh solver with HOUDINI_QUANTIFIED_RLIMIT.
    A work limit only says when z3 stops, not how it searches (fixed seed, fresh solver, the same
    assertions), so the retry repeated the first attempt's work before going further: asked once
    with the larger limit, every query ends with the answer the retry gave, for less work (TDX
    mut_f1_flag_at_create L2: 66 first attempts without an answer, 159 s of 927 s of CPU)."""
    return replace(budget, rlimit=HOUDINI_QUANTIFIED_RLIMIT) if budget.rlimit == HOUDINI_RLIMIT else budget


@dataclass(frozen=True)
class _Ask:
    """What every consecution query of one Houdini run shares: the queries (quantified), the same
    claims in a small universe (NOTE(houdini-small)), a literal per candidate and "kept => holds",
    and per (action, candidate) the candidates an unsat answer used (NOTE(houdini-cores))."""

    q: _Queries
    small: SmallTerms
    keep: dict[str, z3.BoolRef]
    pre: list[z3.BoolRef]
    safe: dict[tuple[int, str], frozenset[str]]


def _consecution(h: _Ask, i: int, kept: set[str], fixed: set[str]) -> set[str]:
    """The kept candidates that fail after action i from a state satisfying every kept lemma; all
    of a group when z3 has no answer for it (dropping a candidate is always sound). NOTE(forall-l2s-fixed):
    the spec's lemmas (`fixed`) are assumed, not checked again: check_all proved them inductive in
    the system, and the product moves the state slots exactly as the system does (save moves none).
    NOTE(houdini-groups): the candidates the action touches are asked HOUDINI_GROUP at a time, every
    kept one assumed before the step: a query whose goal is a disjunction over hundreds of quantified
    candidates is hard for z3, and one it cannot decide would take them all with it.
    NOTE(houdini-cores): each candidate of an unsat query is remembered with the candidates its
    unsat core used (the literals `keep` assumed); in a later round the query is not asked again
    while all of them are still kept: the same formula with the same or more assumptions is still
    unsat, so the candidate still holds after the action. Only the queries a dropped candidate
    took part in are asked again (a round after a drop cost as much as the first before: minutes
    on TDX)."""
    q, a = h.q, h.q.ps.actions[i]
    touched = [m for m in q.ps.lemmas if m.name in kept - fixed and q.reads[m.name] & a.written
               and not h.safe.get((i, m.name), kept | {""}) <= kept]
    size = HOUDINI_GROUP or len(touched) or 1
    return set().union(*(_failing(h, i, touched[k:k + size], kept) for k in range(0, len(touched), size)))


def _failing(h: _Ask, i: int, touched: list[PProperty], kept: set[str]) -> set[str]:
    """Which of `touched` fail after action i (all of them when z3 has no answer).
    NOTE(houdini-small): a query that fails is the hard one (z3 refutes the others fast but must
    build a model over the uninterpreted sorts for these: seconds each on TDX), so each query is
    first asked in a universe of SMALL_UNIVERSE elements per sort (forall_small.py), where z3
    answers in milliseconds: a model there is a model of the query (a counterexample to induction
    at that size), so the candidates it falsifies fail. No model there proves nothing: the query is
    then asked as it is, and split in halves only when z3 has no answer (a part it cannot decide,
    a single candidate at the end, is dropped)."""
    q, a = h.q, h.q.ps.actions[i]
    fails = [z3.Bool(f"$fails:{m.name}", q.ctx) for m in touched]

    def ask(budget: Budget, small: bool = False) -> tuple[z3.Solver, Outcome]:
        if small:
            sm = h.small
            s = new_solver(budget, q.ctx)
            s.add(*sm.base(), *(z3.Implies(h.keep[m.name], sm.holds(m)) for m in q.ps.lemmas), *sm.step(i))
            s.add(z3.Or(*fails), *(z3.Implies(f, z3.Not(sm.holds_after(m, i))) for f, m in zip(fails, touched, strict=True)))
        else:
            s = q.solver()
            s.add(*h.pre, q.enc.enc(a.guard, q.enc.pre), q.enc.type_ok(q.post(i), a.written))
            s.add(z3.Or(*fails), *(z3.Implies(f, z3.Not(q.holds_after(m, i))) for f, m in zip(fails, touched, strict=True)))
        return s, solver_check(s, budget, *(h.keep[n] for n in sorted(kept)))

    s, out = ask(q.budget, small=True)
    if out.result != "sat":   # no small counterexample: most likely none at all
        if HOUDINI_ONE_LIMIT:
            s, out = ask(_quantified(q.budget))
        else:   # the two attempts NOTE(houdini-one-limit) replaced (tests compare the two)
            s, out = ask(q.budget)
            if out.result == "unknown" and q.budget.rlimit == HOUDINI_RLIMIT:
                s, out = ask(_quantified(q.budget))
        if out.result == "unknown" and len(touched) > 1:
            half = len(touched) // 2
            return _failing(h, i, touched[:half], kept) | _failing(h, i, touched[half:], kept)
    if out.result == "unknown":
        return {m.name for m in touched}
    if out.result == "unsat":
        if HOUDINI_CORES:   # NOTE(houdini-cores): still unsat while every candidate it used is kept
            used = frozenset(n.removeprefix("$keep:") for c in s.unsat_core() if (n := c.decl().name()).startswith("$keep:"))
            h.safe.update({(i, m.name): used for m in touched})
        return set()
    m = s.model()
    return {x.name for f, x in zip(fails, touched, strict=True) if z3.is_true(m.eval(f, True))}
