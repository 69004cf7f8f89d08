"""One engine on one instance: the adapters that the runner, `auto` and the portfolio share.

NOTE(one-way): how an engine is run (which search backend, safety and liveness searched apart,
one BMC unrolling for every property) is decided here and nowhere else, so a serial run, a
worker process, a Dask task, the portfolio and the CI gate reach the same verdicts by the same
path. The engines themselves (checker/explicit, checker/smt) know nothing of each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING

from checker.core.budget import Budget, Progress
from checker.core.verdict import Verdict
from checker.explicit.result import Coverage, ExplicitResult
from model.ir import TransitionSystem

if TYPE_CHECKING:
    from checker.explicit.vector import _VSearch
    from checker.smt.prefix import Prefix

ENGINES = ("explicit", "bmc", "kind", "pdr")


@dataclass(frozen=True)
class Phase:
    """One explicit search of a run: what it counted (the run's facts, NOTE(one-way))."""

    name: str                           # "explicit", "explicit (safety)", "explicit (liveness)"
    states: int
    transitions: int
    diameter: int
    complete: bool
    coverage: tuple[Coverage, ...]
    symmetry: tuple[str, ...] = ()      # symmetric sets the states were reduced over
    elapsed_s: float = field(default=0.0, compare=False)
    # how many processes searched, and why one where more were asked for (the same counts either
    # way, NOTE(par-order) in checker/explicit/vector_par.py, so neither takes part in equality)
    cores: int = field(default=1, compare=False)
    serial_why: str = field(default="", compare=False)
    symmetry_why: str = ""              # why a liveness search over symmetric sets was not reduced

    @property
    def states_per_s(self) -> float:
        return self.states / self.elapsed_s if self.elapsed_s > 0 else float(self.states)


@dataclass(frozen=True)
class EngineRun:
    """Verdicts in the order asked, plus the explicit searches that produced them (if any)."""

    verdicts: tuple[Verdict, ...]
    phases: tuple[Phase, ...] = ()


def phase(name: str, r: ExplicitResult) -> Phase:
    return Phase(name, r.states, r.transitions, r.diameter, r.complete, r.coverage, r.symmetry, r.elapsed_s,
                 r.cores, r.serial_why, r.symmetry_why)


def explicit(ts: TransitionSystem, props: Sequence[str], budget: Budget, symmetry: bool = True,
             backend: str = "auto", cores: int = 1) -> EngineRun:
    """The explicit search. With symmetry on, safety and liveness are searched apart
    (NOTE(symmetry)): liveness keeps the graph's edges, and the vector backend searches its
    symmetry quotient only where that is exact (NOTE(live-quotient) in
    checker/explicit/vector_livesym.py; the one-state reference searches the plain graph).
    cores: processes for the safety search (checker/explicit/vector_par.py)."""
    from checker.explicit.search import explore
    live = [p for p in props if ts.prop(p).temporal]
    # NOTE(families) in model/lower.py: a member naming a symmetric element is not preserved
    symmetry = symmetry and not any(ts.prop(p).names_symmetric for p in props)
    if live and len(live) < len(props) and symmetry:
        safe = [p for p in props if p not in live]
        a = explore(ts, safe, announced(budget, "explicit safety"), symmetry=True, backend=backend, cores=cores)
        b = explore(ts, live, announced(budget, "explicit liveness"), symmetry=True, backend=backend, cores=cores)
        got = {v.prop: v for v in (*a.verdicts, *b.verdicts)}
        return EngineRun(tuple(got[p] for p in props),
                         (phase("explicit (safety)", a), phase("explicit (liveness)", b)))
    what = "explicit" if 0 < len(live) < len(props) else "explicit liveness" if live else "explicit safety"
    r = explore(ts, props, announced(budget, what), symmetry=symmetry, backend=backend, cores=cores)
    return EngineRun(r.verdicts, (phase("explicit", r),))


def smt(ts: TransitionSystem, props: Sequence[str], budget: Budget, engine: str,
        for_all: bool = False, prefix_states: int | None = None) -> EngineRun:
    """bmc (one unrolling for every property), kind or pdr (one proof per property); each
    property with its fair share of the instance's budget (NOTE(timeout-share)); kind with
    for_all: induction in the parameterised encoding (checker/smt/forall.py). prefix_states: the
    state cap of BMC's explicit prefix (NOTE(explicit-prefix) in checker/smt/prefix.py; None: its
    default, 0: none)."""
    budget.on_progress(Progress(engine))     # NOTE(progress-phase): PDR reports nothing itself
    budget = budget.start()
    if for_all:
        if engine != "kind":
            raise ValueError(f"--for-all needs the kind engine, not {engine!r}")
        from checker.smt import forall, forall_live
        from model.lower_param import lower_param_at
        param = lower_param_at(ts.path, ts.params, ts.variant)
        return EngineRun(tuple(forall.check_all(ts, props, budget, param=param, temporal=forall_live.check)))
    if engine == "bmc":
        from checker.smt import bmc
        from checker.smt.prefix import PREFIX_STATES
        cap = PREFIX_STATES if prefix_states is None else prefix_states
        search = partial(explicit_prefix, cap=cap) if cap > 0 else None
        return EngineRun(tuple(bmc.check_all(ts, props, budget, prefix=search)))
    if engine == "kind":   # a temporal property: its liveness-to-safety product (checker/smt/live.py)
        from checker.smt import kind, live
        return EngineRun(tuple((live if ts.prop(p).temporal else kind).check(ts, p, budget.share(len(props) - i))
                               for i, p in enumerate(props)))
    if engine == "pdr":
        from checker.smt import pdr
        return EngineRun(tuple(pdr.check(ts, p, budget.share(len(props) - i)) for i, p in enumerate(props)))
    raise ValueError(f"unknown engine {engine!r}")


def explicit_prefix(ts: TransitionSystem, props: Sequence[str], budget: Budget, cap: int) -> Prefix | None:
    """NOTE(explicit-prefix) in checker/smt/prefix.py: BMC's first depths, by the explicit search
    (the vector backend, without symmetry reduction: the frontier is the exact BFS level) of at
    most `cap` states and budget.max_depth levels. j is the deepest level that fits whole: when
    the cap stops the search inside the expansion of level L (whose states are all stored), the
    search runs again to level L, where it checks L's deadlocks too (NOTE(explicit-depth)); a time
    or memory limit leaves j = L - 1 (L's deadlocks and steps not all checked). None: no level past
    the initial states, or the vector backend cannot hold the states."""
    from checker.explicit.vector import unsupported
    from checker.smt.prefix import Prefix
    if unsupported(ts) is not None:
        return None
    s = _bfs(ts, props, budget, cap, budget.max_depth)
    levels = s.levels
    if not s.complete and s.pending and not s.cut and len(levels) >= 3 and not budget.expired():
        s = _bfs(ts, props, budget, None, len(levels) - 2)   # levels 0..L: within the cap
        levels = s.levels
    found = tuple(sorted(s.found.items()))
    if s.complete or not s.pending:
        return Prefix(len(levels) - 2, (), found, s.store.size, s.trace_to)
    j = len(levels) - 2 if s.cut else len(levels) - 3
    if j < 1:
        return None
    lo, hi = levels[j], levels[j + 1]
    return Prefix(j, tuple(s.state(i) for i in range(lo, hi)), found, s.store.size,
                  lambda i: s.trace_to(lo + i))


def _bfs(ts: TransitionSystem, props: Sequence[str], budget: Budget, cap: int | None, levels: int) -> _VSearch:
    """The vector backend's search of `props` to BFS level `levels`, kept for its states (explore_vector's
    hook for a search it is handed), silent: it takes about a second, and BMC's progress line goes on."""
    from checker.explicit.vector import _VSearch, explore_vector
    b = replace(budget, max_states=cap, explicit_depth=levels, on_progress=Budget().on_progress)
    s = _VSearch(ts, props, b, symmetry=False)
    explore_vector(ts, props, b, symmetry=False, search=s)
    return s


# NOTE(progress-phase): the progress line (checker/export/progress.py) names the phase that runs.
# The engines report only their own name, so each phase is announced here as it starts (the
# line then moves on at once instead of showing the last phase until the next report), and an
# explicit search's reports carry the phase's name: "explicit safety", "explicit liveness", or
# "explicit" for one search of both kinds. Nothing is wrapped when no one listens (workers, the
# portfolio's engines), so their budgets stay picklable.
def announced(budget: Budget, phase: str) -> Budget:
    """`budget`, whose progress reports name `phase`; the phase is reported as started."""
    report = budget.on_progress
    if report is Budget().on_progress:
        return budget
    report(Progress(phase))
    return replace(budget, on_progress=lambda p: report(replace(p, engine=phase)))


def run_engine(ts: TransitionSystem, props: Sequence[str], engine: str, budget: Budget,
               symmetry: bool = True, backend: str = "auto", for_all: bool = False,
               cores: int = 1, bmc_prefix: int | None = None) -> EngineRun:
    """One of ENGINES on props (the SMT engines load z3 only when asked for)."""
    if engine == "explicit":
        return explicit(ts, props, budget, symmetry, backend, cores)
    return smt(ts, props, budget, engine, for_all, bmc_prefix)
