"""Random simulation: runs of at most L steps from random initial states (TLC -simulate, Quint run).

Each run starts in an initial state drawn uniformly and at each step fires an action drawn
uniformly among those enabled (actions are fully instantiated, so this is a uniform choice among
the (transition, parameter) successors). Every visited state is checked against the invariants
and the deadlock property, every step taken against the step properties and `range`; the first
violation of each property is kept. Nothing is ever proved: a property without a violation is
Unknown with the reason saying how much was simulated. Liveness is not checked at all.

NOTE(simulation-stream): the random choices depend only on the seed and the system, never on
which properties are checked: a run goes on after a violation (the trace is the run up to it)
and ends only after L steps, in a state with nothing enabled, or on a step whose post-state is
out of range (NOTE(range-steps): that is not a state). So `--property P --seed S` finds exactly
the trace of P that the run over every property found, and the reproduce command works.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from checker.core.budget import INTERRUPTED, interrupt, interrupted
from checker.core.semantics import initial_states, successor
from checker.core.verdict import Provenance, Unknown, Verdict, Violated
from checker.explicit.search import _Compiled
from checker.traces.trace import State, Trace
from model.ir import TransitionSystem

ENGINE = "simulation"
NOT_CHECKED = "not checked: simulation does not check liveness"


@dataclass(frozen=True)
class SimOptions:
    runs: int = 1000
    length: int = 50
    seed: int = 0


@dataclass(frozen=True)
class SimResult:
    """One verdict per property asked (Violated, or Unknown: no violation, or liveness not
    checked) and what was simulated."""

    verdicts: tuple[Verdict, ...]
    options: SimOptions
    runs: int              # runs made (fewer than asked when every property was violated)
    steps: int             # steps taken in all runs
    distinct: int          # distinct states visited
    unchecked: tuple[str, ...] = ()    # temporal properties, never checked by simulation


def no_violation(runs: int, length: int) -> str:
    return f"no violation in {runs} runs of length <= {length} (simulation: not a proof)"


class _Sim:
    def __init__(self, ts: TransitionSystem, props: Sequence[str], opts: SimOptions):
        self.ts, self.opts = ts, opts
        self.c = _Compiled(ts, props)
        self.pending = [p for p in props if not ts.prop(p).temporal]
        self.found: dict[str, tuple[int, Trace]] = {}
        self.seen: set[State] = set()
        self.runs = self.steps = 0

    def violated(self, prop: str, states: list[State], acts: list[int]) -> None:
        self.found[prop] = (self.runs, Trace(tuple(states), tuple(acts)))
        self.pending.remove(prop)

    def visit(self, states: list[State], acts: list[int]) -> None:
        s = states[-1]
        self.seen.add(s)
        for name, pred in self.c.invariants:
            if name in self.pending and not pred(s):
                self.violated(name, states, acts)

    def deadlocked(self, states: list[State], acts: list[int]) -> None:
        """The deadlock predicate says itself whether some guard holds (model/lower.py)."""
        if self.c.deadlock is not None and self.c.deadlock[0] in self.pending:
            name, ok = self.c.deadlock
            if not ok(states[-1]):
                self.violated(name, states, acts)

    def run(self, rng: random.Random, init: Sequence[State]) -> None:
        """One run of at most opts.length steps (NOTE(simulation-stream))."""
        states: list[State] = [init[rng.randrange(len(init))]]
        acts: list[int] = []
        self.visit(states, acts)
        for _ in range(self.opts.length):
            s = states[-1]
            enabled = [i for i in self.c.dispatch.candidates(s) if self.c.actions[i][0](s)]
            if not enabled:
                break
            i = enabled[rng.randrange(len(enabled))]
            t = successor(s, self.c.actions[i][1])
            self.steps += 1
            for name, bad in self.c.step_bad[i]:
                if name in self.pending and bad(s):
                    self.violated(name, [*states, t], [*acts, i])
            if any(not lo <= t[slot] <= hi for slot, lo, hi in self.c.ranges[i]):
                return                   # NOTE(range-steps): not a state, the run ends
            states.append(t)
            acts.append(i)
            self.visit(states, acts)
        self.deadlocked(states, acts)


def simulate(ts: TransitionSystem, props: Sequence[str], opts: SimOptions) -> SimResult:
    """opts.runs random runs (fewer once every property is violated); a Ctrl-C stops after
    the run under way is abandoned, keeping what was found (NOTE(interrupt))."""
    sim = _Sim(ts, props, opts)
    init = initial_states(ts)
    rng = random.Random(opts.seed)
    stop: str | None = None
    try:
        while init and sim.pending and sim.runs < opts.runs:
            if interrupted():
                stop = INTERRUPTED
                break
            sim.run(rng, init)
            sim.runs += 1
    except KeyboardInterrupt:
        interrupt()
        stop = INTERRUPTED
    return SimResult(_verdicts(ts, props, sim, stop), opts, sim.runs, sim.steps, len(sim.seen),
                     tuple(p for p in props if ts.prop(p).temporal))


def _verdicts(ts: TransitionSystem, props: Sequence[str], sim: _Sim, stop: str | None) -> tuple[Verdict, ...]:
    out: list[Verdict] = []
    for p in props:
        run = sim.found[p][0] + 1 if p in sim.found else 0
        prov = Provenance(ENGINE, ts.params, ts.variant,
                          stats=(("run", run), ("runs", sim.runs), ("steps", sim.steps),
                                 ("distinct_states", len(sim.seen))))
        if p in sim.found:
            out.append(Violated(p, prov, sim.found[p][1]))
        elif ts.prop(p).temporal:
            out.append(Unknown(p, prov, NOT_CHECKED))
        else:
            why = no_violation(sim.runs, sim.opts.length)
            out.append(Unknown(p, prov, why + (f"; {stop}" if stop else "")))
    return tuple(out)
