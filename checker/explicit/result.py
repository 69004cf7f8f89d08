"""What an explicit search returns (either backend): verdicts, counts and coverage.

Symmetry-reduced searches find traces over canonical states; `concretize` turns them back into
real executions before anything is shown (NOTE(symmetry) in checker/symmetry/canon.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from checker.core.semantics import successor
from checker.core.verdict import HoldsUpTo, Proved, Provenance, Unknown, Verdict, Violated
from checker.core.words import plural
from checker.symmetry.canon import Canonicalizer
from checker.traces.trace import State, Trace
from model.evaluate import compile_expr
from model.ir import TransitionSystem


@dataclass(frozen=True)
class Coverage:
    action: str
    enabled: int        # expansions in which the guard held (each of these fired the action)
    new_states: int     # distinct states first reached through this action


@dataclass(frozen=True)
class ExplicitResult:
    verdicts: tuple[Verdict, ...]
    states: int
    transitions: int
    diameter: int
    complete: bool                      # the whole reachable state space was explored
    coverage: tuple[Coverage, ...]
    elapsed_s: float
    symmetry: tuple[str, ...] = ()      # symmetric sets reduced over (states are orbit counts)
    cores: int = 1                      # processes that searched (checker/explicit/vector_par.py)
    serial_why: str = ""                # why a search asked to use several cores used one
    symmetry_why: str = ""              # why a liveness search over symmetric sets was not reduced

    def verdict(self, prop: str) -> Verdict:
        for v in self.verdicts:
            if v.prop == prop:
                return v
        raise KeyError(prop)

    @property
    def states_per_s(self) -> float:
        return self.states / self.elapsed_s if self.elapsed_s > 0 else float(self.states)


def trace_back(sid: int, state: Callable[[int], State], parent_via: Callable[[int], tuple[int, int]],
               extra: tuple[int, State] | None = None) -> Trace:
    """The path from an initial state to state sid (either backend's parent links), plus an
    extra last step (action, post-state) when given."""
    states: list[State] = []
    acts: list[int] = []
    node = sid
    while node >= 0:
        states.append(state(node))
        parent, via = parent_via(node)
        if parent >= 0:
            acts.append(via)
        node = parent
    states.reverse()
    acts.reverse()
    if extra is not None:
        acts.append(extra[0])
        states.append(extra[1])
    return Trace(tuple(states), tuple(acts))


def concretize(ts: TransitionSystem, trace: Trace, sym: Canonicalizer, prop: str) -> Trace:
    """Turn a trace of canonical states into a real execution (NOTE(symmetry)): from the
    initial state, follow at each step an action whose successor has the next canonical form."""
    from checker.traces.replay import violates
    acts = [(compile_expr(a.guard), [(s, compile_expr(e)) for s, e in a.updates]) for a in ts.actions]
    states: list[State] = [trace.states[0]]
    labels: list[int] = []
    for k, want in enumerate(trace.states[1:], start=1):
        last = k == len(trace.states) - 1
        for i, (g, upd) in enumerate(acts):
            if not g(states[-1]):
                continue
            t = successor(states[-1], upd)
            if sym.canon(t) == sym.canon(want) and (not last or violates(
                    ts, Trace((*states, t), (*labels, i)), prop)):
                states.append(t)
                labels.append(i)
                break
        else:
            raise AssertionError("a symmetric spec has a concrete step for every canonical one")
    return Trace(tuple(states), tuple(labels), trace.loop)


def result_of(ts: TransitionSystem, names: Sequence[str], found: dict[str, Trace], complete: bool,
              limit: str | None, states: int, transitions: int, diameter: int,
              enabled: Sequence[int], new: Sequence[int], elapsed: float,
              symmetry: tuple[str, ...], cut_at: int | None = None) -> ExplicitResult:
    """The verdicts and statistics of a search (either backend). cut_at: the depth bound at
    which the search stopped with states left to expand (NOTE(explicit-depth)), else None."""
    prov = Provenance("explicit", ts.params, ts.variant, elapsed,
                      stats=(("states", states), ("transitions", transitions), ("diameter", diameter)))
    verdicts: list[Verdict] = []
    for n in names:
        if n in found:
            verdicts.append(Violated(n, prov, found[n]))
        elif complete and states == 0:   # NOTE(no-initial-state) in checker/run/runner.py
            verdicts.append(Unknown(n, prov, "no initial state: nothing to search", 0))
        elif cut_at is not None and limit is None:
            verdicts.append(HoldsUpTo(n, prov, cut_at))
        elif complete:
            how = f" (symmetry-reduced over {', '.join(symmetry)})" if symmetry else ""
            verdicts.append(Proved(n, prov, f"exhaustive search: {plural(states, 'state')}{how}"))
        else:
            verdicts.append(Unknown(n, prov, limit or "search stopped early", diameter))
    cov = tuple(Coverage(a.label.render(), enabled[i], new[i]) for i, a in enumerate(ts.actions))
    return ExplicitResult(tuple(verdicts), states, transitions, diameter, complete, cov, elapsed, symmetry)
