"""Candidate lemmas of the parameterised liveness product filtered on a finite instance before
the SMT Houdini (`--for-all` on a temporal property; checker/smt/forall_live.py).

NOTE(forall-filter): the product of NOTE(forall-l2s) read at a fixed size (every symmetric sort
of n elements, a function slot the tuple of its n cells, a quantifier a loop over them) is the
finite product at that size, so its states can be enumerated here on plain Python values: the
initial states of the run's finite instance (the `initially:` constraint and the rigid maps
included), each with the monitor bits at their initial values and the shadow a copy of the
state (the product leaves the shadow free before the save: this is one of its initial states),
then the product's own actions, each guard tried for every choice of its elements and a step
that leaves a slot's range taken as no step (NOTE(range-steps)). Every state found is a
reachable state of the product at that size, so a candidate false in one is no invariant of the
product at that size, hence not at every size, and never in the largest inductive subset
Houdini computes: dropping it first leaves Houdini's answer as it was and only spares z3 the
queries (filtered and unfiltered Houdini prove the same lemmas, tests/checker/test_forall_filter.py).
The filter only removes: a candidate that survives it is still proved in the product by the SMT
Houdini before anything assumes it. The search is breadth-first and capped (`max_states`); a
capped sample is still a set of reachable states, only a weaker filter.

No z3 here: this module evaluates the product's expressions (model/ir.py nodes and lower_param's
Quant) on concrete values.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import cast

from checker.core.semantics import initial_states
from checker.smt import forall_l2s as L2
from model.evaluate import EVAL_OPS
from model.ir import App, Const, Expr, Ite, Op, Select, TransitionSystem, Var
from model.lower_param import PAction, ParamSystem, PProperty, Quant, bound_vars, is_sym
from model.sorts import BoolSort, IndexSort, OptionSort, Sort, bounds

MAX_STATES = 200_000   # product states the sample keeps (NOTE(forall-filter): a cap only weakens it)
MORE_STATES = 20_000   # ... each sample one size above the least keeps (NOTE(forall-filter-more))

Value = int | tuple[int, ...]          # a scalar slot's value, or a function slot's cells
PState = tuple[Value, ...]
Env = list[int]                        # the value of each bound element Var(-(j+1)), at index j
Fn = Callable[[PState, Env], int]


@dataclass(frozen=True)
class Sample:
    """Reachable states of the product at one size; `complete` when the search ran out of states."""

    sizes: tuple[tuple[str, int], ...]
    states: tuple[PState, ...]
    complete: bool


def sort_sizes(ts: TransitionSystem, ps: ParamSystem) -> dict[str, int]:
    """The number of elements of each symmetric sort in the finite instance ts."""
    values = dict(ts.params)
    return {s.name: int(values[s.param]) for s in ps.sorts}


class Compiler:
    """Closures over (state, bound elements) for the expressions of one ParamSystem at fixed sizes."""

    def __init__(self, ps: ParamSystem, n: dict[str, int]):
        self.ps, self.n = ps, n

    def size(self, s: Sort) -> int:
        inner = s.inner if isinstance(s, OptionSort) else s
        assert isinstance(inner, IndexSort) and inner.symmetric, s
        return self.n[inner.name]

    def expr(self, e: Expr) -> Fn:
        x = cast(object, e)
        if isinstance(x, Quant):
            return self._quant(x)
        if isinstance(x, Const):
            c = int(x.value)
            return lambda s, env: c
        if isinstance(x, Var):
            return self._var(x)
        if isinstance(x, Select):
            return self._select(x)
        if isinstance(x, Ite):
            cond, t, o = self.expr(x.cond), self.expr(x.then), self.expr(x.other)
            return lambda s, env: t(s, env) if cond(s, env) else o(s, env)
        assert isinstance(x, App), x
        return self._app(x)

    def _var(self, x: Var) -> Fn:
        if x.slot < 0:
            j = -x.slot - 1
            return lambda s, env: env[j]
        i = x.slot
        return lambda s, env: cast(int, s[i])

    def _select(self, x: Select) -> Fn:
        idx = self.expr(x.index)
        if self.ps.is_fn(x.slots[0]):
            f = x.slots[0]
            return lambda s, env: cast(tuple[int, ...], s[f])[idx(s, env)]
        slots, off = x.slots, x.offset
        return lambda s, env: cast(int, s[slots[idx(s, env) - off]])

    def _quant(self, x: Quant) -> Fn:
        j, body, n = -x.var.slot - 1, self.expr(x.body), self.size(x.var.sort)

        def run(s: PState, env: Env) -> int:
            old = env[j]
            try:
                for k in range(n):
                    env[j] = k
                    if bool(body(s, env)) != x.forall:
                        return not x.forall
                return x.forall
            finally:
                env[j] = old
        return run

    def _app(self, x: App) -> Fn:
        args = [self.expr(a) for a in x.args]
        if x.op in (Op.AND, Op.OR):
            return _chain(args, x.op is Op.AND)
        if x.op is Op.IMPLIES:
            a, b = args
            return lambda s, env: (not a(s, env)) or bool(b(s, env))
        f = EVAL_OPS[x.op]
        if len(args) == 2:
            a, b = args
            return lambda s, env: f(a(s, env), b(s, env))
        return lambda s, env: f(*(a(s, env) for a in args))


def _chain(fns: list[Fn], conj: bool) -> Fn:
    """and/or, short-circuit, unrolled for two or three operands (the common case)."""
    if len(fns) == 1:
        f = fns[0]
        return lambda s, env: bool(f(s, env))
    if len(fns) == 2:
        a, b = fns
        if conj:
            return lambda s, env: bool(a(s, env)) and bool(b(s, env))
        return lambda s, env: bool(a(s, env)) or bool(b(s, env))
    if len(fns) == 3:
        a, b, c = fns
        if conj:
            return lambda s, env: bool(a(s, env)) and bool(b(s, env)) and bool(c(s, env))
        return lambda s, env: bool(a(s, env)) or bool(b(s, env)) or bool(c(s, env))
    if conj:
        return lambda s, env: all(f(s, env) for f in fns)
    return lambda s, env: any(f(s, env) for f in fns)


@dataclass(frozen=True)
class _Step:
    """One action compiled: its elements' slots and sizes, guard, updates and range checks."""

    params: tuple[tuple[int, int], ...]          # (bound index, number of elements)
    checks: tuple[tuple[Fn, ...], ...]           # the guard's conjuncts, by the last element they read
    scalars: tuple[tuple[int, Fn], ...]
    fns: tuple[tuple[int, int, int, Fn], ...]    # (slot, frame's bound index, cells, value)
    ranges: tuple[tuple[int, int, int], ...]     # (slot, lo, hi) for the written int slots


def _compile_action(c: Compiler, a: PAction) -> _Step:
    ps = c.ps
    params = tuple((-p.slot - 1, c.size(p.sort)) for p in a.params)
    scalars = tuple((slot, c.expr(e)) for slot, e in a.updates)
    fns = tuple((u.slot, -u.frame.slot - 1, c.size(u.frame.sort), c.expr(u.value)) for u in a.fn_updates)
    ranges = []
    for slot in sorted(a.written):
        sort = ps.vars[slot].sort
        if not isinstance(sort, BoolSort) and not is_sym(sort):
            lo, hi = bounds(sort)
            ranges.append((slot, min(lo, -1) if isinstance(sort, OptionSort) else lo, hi))
    return _Step(params, _staged(c, a), scalars, fns, tuple(ranges))


def _staged(c: Compiler, a: PAction) -> tuple[tuple[Fn, ...], ...]:
    """The guard's conjuncts at stage i+1 when the last of a's elements they read is its i-th
    (stage 0: none), so that a choice is cut as soon as a conjunct fails: most guards test the
    machine's pc first, and most elements choices then need no more work."""
    parts = a.guard.args if isinstance(a.guard, App) and a.guard.op is Op.AND else (a.guard,)
    slots = [p.slot for p in a.params]
    stages: list[list[Fn]] = [[] for _ in range(len(slots) + 1)]
    for e in parts:
        used = bound_vars(e)
        stages[max((k + 1 for k, slot in enumerate(slots) if slot in used), default=0)].append(c.expr(e))
    return tuple(tuple(x) for x in stages)


def _successors(step: _Step, s: PState, env: Env) -> Iterator[PState]:
    for _ in _choices(step, s, env, 0):
        new = list(s)
        for slot, f in step.scalars:
            new[slot] = f(s, env)
        for slot, j, n, f in step.fns:
            cells = []
            for k in range(n):
                env[j] = k
                cells.append(f(s, env))
            new[slot] = tuple(cells)
        if all(_within(new[slot], lo, hi) for slot, lo, hi in step.ranges):
            yield tuple(new)


def _choices(step: _Step, s: PState, env: Env, i: int) -> Iterator[None]:
    """Each choice of the step's elements from the i-th on (set in env) its guard allows."""
    if not all(f(s, env) for f in step.checks[i]):
        return
    if i == len(step.params):
        yield None
        return
    j, n = step.params[i]
    for k in range(n):
        env[j] = k
        yield from _choices(step, s, env, i + 1)


def _within(v: Value, lo: int, hi: int) -> bool:
    return all(lo <= x <= hi for x in v) if isinstance(v, tuple) else lo <= v <= hi


def layout(ts: TransitionSystem, ps: ParamSystem) -> Callable[[Sequence[int]], list[Value]]:
    """A state of the finite instance ts as the values of ps's slots (a function slot: its cells
    in element order), by the slots' names."""
    cells: list[list[int]] = []
    for i, v in enumerate(ps.vars):
        if ps.is_fn(i):
            got = sorted((w.key_value or 0, j) for j, w in enumerate(ts.vars) if w.base == v.base)
            cells.append([j for _, j in got])
        else:
            cells.append([j for j, w in enumerate(ts.vars) if w.name == v.name])

    def read(st: Sequence[int]) -> list[Value]:
        return [tuple(st[j] for j in cells[i]) if ps.is_fn(i) else st[cells[i][0]] for i in range(len(ps.vars))]
    return read


def _initial(ts: TransitionSystem, product: ParamSystem, ps: ParamSystem, n: dict[str, int],
             shadow: dict[int, int], flags: Sequence[tuple[int, bool, Sort | None]]) -> list[PState]:
    """The finite instance's initial states laid out as product states (NOTE(forall-filter))."""
    read, keep = layout(ts, ps), Compiler(product, n).expr(product.init)
    out = []
    for st in initial_states(ts):
        vals: list[Value] = [*read(st), *([0] * (len(product.vars) - len(ps.vars)))]
        for i, s in shadow.items():
            if s != i:
                vals[s] = vals[i]
        for slot, init, sort in flags:
            vals[slot] = tuple([init] * n[cast(IndexSort, sort).name]) if sort is not None else init
        if keep(tuple(vals), [0] * len(product.bound)):   # the product's own init decides (a check of the layout)
            out.append(tuple(vals))
    return out


def explore(ts: TransitionSystem, product: ParamSystem, ps: ParamSystem, shadow: dict[int, int],
            flags: Sequence[tuple[int, bool, Sort | None]], free: Sequence[Var] = (),
            max_states: int = MAX_STATES) -> Sample:
    """Reachable states of `product` (built on ps) at ts's size, breadth first, at most max_states;
    `free` are the product's free elements (a temporal family's variables): every choice of them
    is explored, each state kept with them (the candidates are read with the same choice)."""
    n = sort_sizes(ts, ps)
    c = Compiler(product, n)
    steps = [_compile_action(c, a) for a in product.actions]
    env: Env = [0] * len(product.bound)
    seen: set[PState] = set()
    order: list[PState] = []
    complete = True
    for choice in itertools.product(*(range(c.size(v.sort)) for v in free)):
        tag = tuple(choice)
        todo = deque(_initial(ts, product, ps, n, shadow, flags))
        for s in todo:
            if (*tag, *s) not in seen:
                seen.add((*tag, *s))
                order.append((*tag, *s))
        while todo:
            s = todo.popleft()
            for step in steps:
                for v, k in zip(free, tag, strict=True):
                    env[-v.slot - 1] = k
                for t in _successors(step, s, env):
                    key = (*tag, *t)
                    if key in seen:
                        continue
                    if len(order) >= max_states:
                        complete = False
                        return Sample(tuple(sorted(n.items())), tuple(order), complete)
                    seen.add(key)
                    order.append(key)
                    todo.append(t)
    return Sample(tuple(sorted(n.items())), tuple(order), complete)


def smallest(ts: TransitionSystem, ps: ParamSystem) -> TransitionSystem | None:
    """The finite instance of ts's spec with every symmetric set at its least size (None: it
    cannot be loaded, or it is ts): the one whose product is cheapest to enumerate in full."""
    return _instance(ts, {s.param: str(s.min) for s in ps.sorts})


def larger(ts: TransitionSystem, ps: ParamSystem) -> list[TransitionSystem]:
    """NOTE(forall-filter-more): the instances with every symmetric set at its least size but one,
    one larger (those the spec's bounds allow)."""
    least = {s.param: str(s.min) for s in ps.sorts}
    out = []
    for s in ps.sorts:
        got = _instance(ts, {**least, s.param: str(s.min + 1)}, own=True)
        if got is not None:
            out.append(got)
    return out


def _instance(ts: TransitionSystem, sizes: dict[str, str], own: bool = False) -> TransitionSystem | None:
    """ts's spec at these sizes (None: it cannot be loaded, or it is ts and not `own`)."""
    from model.diagnostics import SpecError
    from model.load import load_spec
    if not own and all(dict(ts.params).get(k) == v for k, v in sizes.items()):
        return None
    try:
        got = load_spec(ts.path, tuple(f"{k}={sizes.get(k, v)}" for k, v in ts.params), ts.variant)
    except (SpecError, OSError):
        return None
    return got[0] if len(got) == 1 else None


def drop(ts: TransitionSystem, pr: L2.Product, cands: Sequence[PProperty], max_states: int = MAX_STATES,
         more_states: int = MORE_STATES) -> set[str]:
    """NOTE(forall-filter): the candidates a reachable state of the product falsifies, at the
    least sizes (ts's when it is the least), the search capped at max_states (0: no filter). The
    run's own size would drop a few more (TDX v6_16 L1: 105 against 91 of 371) at ten times the
    cost (40 s of CPU for 200,000 of its states), which the SMT Houdini's small universe
    (NOTE(houdini-small) in forall_live.py) spends better.
    NOTE(forall-filter-more): then, on the candidates left, the instances one element larger in
    one set each (larger), capped at more_states (0: none). Some facts are false only there and
    the small universe does not see them cheaply: two CPUs taken offline one after the other need
    three (TDX: P = 2 allows one offline), and z3 spends tens of seconds on each such candidate
    before dropping it (TDX v6_16_atomic_init L2: 112 dropped at the least sizes, 25 more at
    V=2 or P=3, for 35 s of CPU). Any size's reachable state refutes a claim for every size."""
    if max_states <= 0:
        return set()
    b, ps = pr.builder, pr.builder.ps
    flags = [(slot, f.init, f.sort) for slot, f in b.flags]
    sample = explore(smallest(ts, ps) or ts, pr.system, ps, b.shadow, flags, pr.family, max_states)
    gone = falsified(pr.system, sample, cands, pr.family)
    for inst in larger(ts, ps) if more_states > 0 else []:
        left = [c for c in cands if c.name not in gone]
        gone |= falsified(pr.system, explore(inst, pr.system, ps, b.shadow, flags, pr.family, more_states), left, pr.family)
    return gone


def falsified(product: ParamSystem, sample: Sample, cands: Sequence[PProperty], free: Sequence[Var] = ()) -> set[str]:
    """The candidates some state of the sample falsifies (NOTE(forall-filter))."""
    c = Compiler(product, dict(sample.sizes))
    out: set[str] = set()
    k = len(free)
    for cand in cands:
        assert cand.pred is not None
        f = c.expr(cand.pred)
        # a candidate's quantifiers may bind elements allocated after the product was built
        env: Env = [0] * max(len(product.bound), *(-j for j in bound_vars(cand.pred)), 0)
        for row in sample.states:
            for v, x in zip(free, row[:k], strict=True):
                env[-v.slot - 1] = cast(int, x)
            if not f(row[k:], env):
                out.add(cand.name)
                break
    return out
