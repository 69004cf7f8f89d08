"""No fair violating loop of any length: a proof by one-step queries (NOTE(no-fair-loop)).

NOTE(no-fair-loop): loops.py refutes loop lengths one by one (NOTE(loop-lengths)); this proves in
one go that no state satisfying the lemmas starts a fair loop of m >= 1 steps, for any m, on
which the per-state part of a property's violation shape holds (not Q, and P too for a stable
trigger, NOTE(stable-trigger); not P for eventually and always_eventually; nothing for
eventually_always, a weaker claim). Every state of the loop of a violating lasso is reachable,
so it satisfies the lemmas and that shape; call such a state a region state. The search keeps
sets that are true of every state and step of every such loop (by induction over the order in
which members are added, each added using only those before it):
  - constants C: predicates with one value on the whole loop. M joins C when no *loop step*
    (a step between two region states that keep F false, and keep every member of C at one
    value) turns M from true to false, or none turns it from false to true: round the loop M
    can then only rise (or only fall), and it comes back to its value, so it never changes;
  - facts F: predicates false in every loop state. When no loop step fires an action of a fair
    group g, g is never taken on the loop: under strong fairness it is then disabled in every
    loop state (each of its guards joins F); under weak fairness it may not be enabled in every
    loop state, so a guard of g that is in C (one value on the loop) is false throughout and
    joins F.
Both only grow, and each addition makes loop steps rarer; the search goes on until nothing is
added. If then no loop step is left at all (the one-step query is unsat), no such loop exists:
every loop length is refuted for every depth, which is what refuting each length would
establish (the stutter, m = 0, is left to the depth queries as before). Otherwise the loops are
split on a member k of C that the remaining loop step satisfies: on each loop k is true
throughout or false throughout, so the loops of each case are searched apart (k added to F, or
to the assumptions T, with F, C and the solver restored after), and the proof needs both;
at most MAX_SPLITS nested splits and MAX_QUERIES queries (bounds on work, not time). When no
case closes, nothing is concluded and the lengths are refuted as before; a query not answered
(a limit) concludes nothing either.

The candidates for C are cubes of one or two atoms `slot == value` (slots of at most
MAX_ATOM_VALUES values) and the guards of the fair actions. They are dropped, never trusted:
first by steps between sampled reachable states (mine.sample; reachable, so they satisfy the
lemmas) that are loop steps as far as Python can tell (shape, F, T and C evaluated on the
concrete states), then, as Houdini weakens (NOTE(houdini) in houdini.py), while "some candidate
left changes on some loop step" is satisfiable, by what its model's step changes and what the
steps found breadth-first from it (WALK states, through states that satisfy the shape and the
lemmas as Python evaluates them, so loop steps too when F, T and C allow) change; only the
final unsat proves the ones left. This is the helpful-transition argument for fair termination
(Manna and Pnueli), found one step at a time. Chandy-Misra, `hungry_eats` at N=5 with the mined
lemmas: philosopher 0 never eats on the loop, so it keeps the forks it holds clean and never
gets one back; so it gives none away and, holding both, would be enabled for ever; so it lacks
one, whose holder must then keep it clean, and so on round the ring, with two splits (1.0-1.4 s of
CPU, where refuting lengths 8..30 took 3-5 s).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import numpy as np
import z3

from checker.core.budget import Budget
from checker.smt import decode
from checker.smt.encode import Encoding, StateVars
from checker.smt.mine import SampleSize, sample, stepper
from checker.smt.solver import check as solver_check
from checker.smt.solver import new_solver
from checker.traces.trace import State
from model.evaluate import compile_expr
from model.ir import FairGroup

MAX_ATOM_VALUES = 8     # a slot with more values (a counter) gives no atoms
SAMPLE = SampleSize(bfs_states=1_000, walks=20, walk_depth=60)   # the reachable steps that drop candidates first
MAX_CUBES = 5_000       # candidate cubes at most (numpy matrices of sampled steps x cubes)
MAX_STEPS = 20_000      # sampled steps at most
MAX_SPLITS = 4          # nested case splits on a guard's value (at most 2**MAX_SPLITS cases)
WALK = 40              # region states visited from each model's step (NOTE(no-fair-loop))
MAX_QUERIES = 300       # one-step queries at most, over every case (5-10 ms each)
MAX_PASSES = 20         # rounds of adding constants and facts (each pass adds some, or the search ends)

Atom = tuple[int, int]       # (slot, value): "slot == value"


class _Preds:
    """The candidates: cubes of one or two atoms, then the guards of the fair actions; their
    z3 terms and their values in many concrete states at once."""

    def __init__(self, enc: Encoding, groups: Sequence[FairGroup]):
        self.enc = enc
        self.atoms: list[Atom] = []
        for slot, iv in enumerate(enc.slot_intervals):
            lo, hi = int(iv.lo), int(iv.hi)
            if 1 <= hi - lo < MAX_ATOM_VALUES:
                self.atoms += [(slot, v) for v in range(lo, hi + 1)]
        index = range(len(self.atoms))
        pairs = [(i, i) for i in index] + [(i, j) for i, j in itertools.combinations(index, 2)
                                           if self.atoms[i][0] != self.atoms[j][0]]
        if len(pairs) > MAX_CUBES:   # a large system: atoms alone (the pairs would not fit)
            pairs = pairs[:len(self.atoms)]
        self.first = np.array([i for i, _ in pairs], dtype=np.intp)
        self.second = np.array([j for _, j in pairs], dtype=np.intp)
        self.cubes = [tuple(dict.fromkeys((self.atoms[i], self.atoms[j]))) for i, j in pairs]
        self.actions = sorted({i for g in groups for i in g.actions})
        self.guards = [compile_expr(enc.ts.actions[i].guard) for i in self.actions]
        self.n = len(self.cubes) + len(self.actions)
        self._terms: dict[tuple[int, str], z3.BoolRef] = {}
        self._atoms: dict[tuple[Atom, str], z3.BoolRef] = {}

    def guard_index(self, action: int) -> int:
        return len(self.cubes) + self.actions.index(action)

    def values(self, states: Sequence[State]) -> np.ndarray:
        """values[k, i]: candidate i holds in states[k]."""
        if not states:
            return np.zeros((0, self.n), dtype=bool)
        # only the atoms' slots: their few values fit int64, where another slot's may not
        slots = sorted({slot for slot, _ in self.atoms})
        col = {slot: j for j, slot in enumerate(slots)}
        arr = np.array([[int(s[slot]) for slot in slots] for s in states], dtype=np.int64).reshape(len(states), -1)
        atoms = np.zeros((len(states), len(self.atoms)), dtype=bool)
        for k, (slot, v) in enumerate(self.atoms):
            atoms[:, k] = arr[:, col[slot]] == v
        guards = np.array([[bool(g(s)) for g in self.guards] for s in states], dtype=bool).reshape(len(states), -1)
        return np.concatenate([atoms[:, self.first] & atoms[:, self.second], guards], axis=1)

    def term(self, i: int, s: StateVars) -> z3.BoolRef:
        """Candidate i over one copy of the state (built once per copy)."""
        key = (i, s.tag)
        if key not in self._terms:
            if i >= len(self.cubes):
                guard = self.enc.ts.actions[self.actions[i - len(self.cubes)]].guard
                self._terms[key] = self.enc.pred(guard, s)
            else:
                self._terms[key] = _and(self.enc.ctx, [self._atom(a, s) for a in self.cubes[i]])
        return self._terms[key]

    def _atom(self, a: Atom, s: StateVars) -> z3.BoolRef:
        key = (a, s.tag)
        if key not in self._atoms:
            x = s.vars[a[0]]
            self._atoms[key] = (x if a[1] else z3.Not(x)) if z3.is_bool(x) else x == self.enc.num.val(a[1])
        return self._atoms[key]


def sampled_steps(enc: Encoding, shape: Callable[[State], bool]) -> list[tuple[State, State]]:
    """Steps between sampled reachable states that both satisfy `shape` (what drops candidates first)."""
    succ = stepper(enc.ts)
    return [(s, t) for s in sample(enc.ts, SAMPLE) if shape(s) for t in succ(s) if shape(t)][:MAX_STEPS]


class _Proof:
    """The search of NOTE(no-fair-loop) for one property and one set of lemmas."""

    def __init__(self, enc: Encoding, groups: Sequence[FairGroup], region: Callable[[StateVars], z3.ExprRef],
                 budget: Budget, tag: str, steps: Sequence[tuple[State, State]],
                 inside: Callable[[State], bool] | None):
        self.enc, self.groups, self.budget, self.tag = enc, groups, budget, tag
        self.inside, self.succ = inside, stepper(enc.ts)
        self.known: dict[State, bool] = {}     # inside(state), once per state
        self.preds = _Preds(enc, groups)
        self.c, self.a, self.d = enc.state(f"$nc{tag}"), enc.action(f"$nc{tag}"), enc.state(f"$nd{tag}")
        self.solver = new_solver(budget, enc.ctx, None)   # one step: the SMT core answers in milliseconds
        self.solver.add(enc.domain(self.c), enc.domain(self.d), region(self.c), region(self.d),
                        enc.trans(self.c, self.a, self.d))
        seen = {x: i for i, x in enumerate(dict.fromkeys(x for st in steps for x in st))}
        vals = self.preds.values(list(seen))
        self.pre = vals[[seen[x] for x, _ in steps]] if steps else vals
        self.post = vals[[seen[y] for _, y in steps]] if steps else vals
        self.diff = self.pre != self.post
        self.const = np.zeros(self.preds.n, dtype=bool)    # C
        self.false = np.zeros(self.preds.n, dtype=bool)    # F (and constants assumed false in a case)
        self.true = np.zeros(self.preds.n, dtype=bool)     # constants assumed true throughout (a case)
        self.silent: set[int] = set()                      # groups no loop step fires
        self.breaks: dict[tuple[int, bool], z3.BoolRef] = {}
        self.queries = 0

    def run(self, splits: int = MAX_SPLITS) -> bool | None:
        """True: no loop step exists (no fair violating loop of any length); False: the search
        ended with one left; None: a query was not answered."""
        for _ in range(MAX_PASSES):
            before = (int(self.const.sum()), int(self.false.sum()))
            if not self._constants() or not self._facts():
                return None
            any_step = self._ask(None)
            if any_step != "sat":
                return None if any_step == "unknown" else True
            if (int(self.const.sum()), int(self.false.sum())) == before:
                break
        k = self._split_on() if splits else None
        if k is None:
            return False
        for holds in (True, False):
            got = self._branch(k, holds, splits - 1)
            if got is not True:
                return got
        return True

    def _split_on(self) -> int | None:
        """A constant to split the loops on (NOTE(no-fair-loop)), true in the loop step the last
        query found: a guard of a group some loop step still fires, else an atom."""
        m = self.solver.model()
        pre = self.preds.values([decode.state(m, self.c)])[0]
        for n, g in enumerate(self.groups):
            if n in self.silent:
                continue
            for i in g.actions:
                k = self.preds.guard_index(i)
                if self.const[k] and pre[k] and not self.false[k] and not self.true[k]:
                    return k
        for k in range(len(self.preds.atoms)):   # the unary cubes come first
            if self.const[k] and pre[k] and not self.true[k] and not self.false[k]:
                return k
        return None

    def _branch(self, k: int, holds: bool, splits: int) -> bool | None:
        """run() on the loops where constant k is true (holds) or false in every state."""
        saved = (self.const.copy(), self.false.copy(), self.true.copy(), set(self.silent))
        self.solver.push()
        x, y = self.preds.term(k, self.c), self.preds.term(k, self.d)
        self.solver.add(*((x, y) if holds else (z3.Not(x), z3.Not(y))))
        (self.true if holds else self.false)[k] = True
        try:
            return self.run(splits)
        finally:
            self.solver.pop()
            self.const, self.false, self.true, self.silent = saved

    def _ask(self, lit: z3.BoolRef | None) -> str:
        """The solver's answer; "unknown" past MAX_QUERIES (a bound on work, the same under any load)."""
        self.queries += 1
        if self.queries > MAX_QUERIES:
            return "unknown"
        return solver_check(self.solver, self.budget, *([lit] if lit is not None else [])).result

    def _loop_steps(self) -> np.ndarray:
        """Which sampled steps are loop steps as far as Python can tell (F false at both ends,
        every constant unchanged)."""
        false, true = np.flatnonzero(self.false), np.flatnonzero(self.true)
        ok = ~np.any(self.pre[:, false] | self.post[:, false], axis=1)
        ok &= np.all(self.pre[:, true] & self.post[:, true], axis=1)
        return ok & ~np.any(self.diff[:, np.flatnonzero(self.const)], axis=1)

    def _constants(self) -> bool:
        """Add to C every candidate no loop step changes one way (False: a query not answered)."""
        ok = self._loop_steps()
        pre, post = self.pre[ok], self.post[ok]
        up = ~self.const & ~np.any(pre & ~post, axis=0)      # never falls
        down = ~self.const & ~np.any(~pre & post, axis=0)    # never rises
        while up.any() or down.any():
            lit = z3.Bool(f"$nk{self.tag}@{self.queries}", self.enc.ctx)
            ors = [self._broken(int(i), False) for i in np.flatnonzero(up)]
            ors += [self._broken(int(i), True) for i in np.flatnonzero(down)]
            self.solver.add(z3.Implies(lit, _any(self.enc.ctx, ors)))
            got = self._ask(lit)
            if got == "unknown":
                return False
            if got == "unsat":
                break
            m = self.solver.model()
            pre, post = self._walk(decode.state(m, self.c), decode.state(m, self.d))
            up &= ~np.any(pre & ~post, axis=0)
            down &= ~np.any(~pre & post, axis=0)
        new = [int(i) for i in np.flatnonzero(up | down)]
        self.const[new] = True
        self.solver.add(*(self.preds.term(i, self.c) == self.preds.term(i, self.d) for i in new))
        return True

    def _walk(self, x: State, y: State) -> tuple[np.ndarray, np.ndarray]:
        """The values before and after the model's loop step x -> y and the loop steps found
        breadth-first from y, up to WALK states, through states `inside` says are region states
        (each such step drops candidates like the model's, at a fraction of a query's cost)."""
        steps, seen, queue = [(x, y)], {y}, [y]
        while queue and self.inside is not None and len(seen) < WALK:
            s = queue.pop(0)
            for t in self.succ(s):
                if t not in self.known:
                    self.known[t] = self.inside(t)
                if self.known[t]:
                    steps.append((s, t))
                    if t not in seen:
                        seen.add(t)
                        queue.append(t)
        vals = self.preds.values([z for st in steps for z in st])
        pre, post = vals[0::2], vals[1::2]
        false, true, const = np.flatnonzero(self.false), np.flatnonzero(self.true), np.flatnonzero(self.const)
        ok = ~np.any(pre[:, false] | post[:, false], axis=1) & np.all(pre[:, true] & post[:, true], axis=1)
        ok &= ~np.any(pre[:, const] != post[:, const], axis=1)
        ok[0] = True   # the model's own step is a loop step
        return pre[ok], post[ok]

    def _broken(self, i: int, rises: bool) -> z3.BoolRef:
        if (i, rises) not in self.breaks:
            x, y = self.preds.term(i, self.c), self.preds.term(i, self.d)
            self.breaks[i, rises] = _and(self.enc.ctx, [z3.Not(x), y] if rises else [x, z3.Not(y)])
        return self.breaks[i, rises]

    def _facts(self) -> bool:
        """Add to F the guards that fairness makes false on the loop (False: not answered)."""
        for n, g in enumerate(self.groups):
            if n not in self.silent:
                lit = z3.Bool(f"$nf{self.tag}@{self.queries}", self.enc.ctx)
                fires = z3.Or(*(self.enc.is_action(self.a, i) for i in g.actions))
                self.solver.add(z3.Implies(lit, fires))
                got = self._ask(lit)
                if got == "unknown":
                    return False
                if got == "sat":
                    continue
                self.silent.add(n)
            for i in g.actions:
                k = self.preds.guard_index(i)
                if not self.false[k] and (g.kind == "strong" or self.const[k]):
                    self.false[k] = True
                    self.solver.add(z3.Not(self.preds.term(k, self.c)), z3.Not(self.preds.term(k, self.d)))
        return True


def no_fair_loop(enc: Encoding, groups: Sequence[FairGroup], region: Callable[[StateVars], z3.ExprRef],
                 budget: Budget, tag: str, steps: Sequence[tuple[State, State]] = (),
                 inside: Callable[[State], bool] | None = None) -> bool | None:
    """NOTE(no-fair-loop): True when no region state starts a fair loop of one or more steps;
    False when that was not shown; None when a query was not answered. `steps` are known loop
    steps between reachable states (sampled_steps); `inside` tells a region state in Python
    (an in-domain state satisfying the shape and the lemmas), to find more from each model."""
    return _Proof(enc, groups, region, budget, tag, steps, inside).run()


def _any(ctx: z3.Context, xs: list[z3.BoolRef]) -> z3.BoolRef:
    return _nary(ctx, z3.Z3_mk_or, xs) if xs else z3.BoolVal(False, ctx)


def _and(ctx: z3.Context, xs: list[z3.BoolRef]) -> z3.BoolRef:
    return _nary(ctx, z3.Z3_mk_and, xs) if len(xs) > 1 else xs[0]


def _nary(ctx: z3.Context, mk: Callable[..., z3.Ast], xs: list[z3.BoolRef]) -> z3.BoolRef:
    """And/Or through the C API: z3.And and z3.Or coerce and check each argument's sort in
    Python, which for a thousand candidates per round was most of the time (xs: Bool terms of ctx)."""
    arr = (z3.Ast * len(xs))(*(x.as_ast() for x in xs))
    return z3.BoolRef(mk(ctx.ref(), len(xs), arr), ctx)
