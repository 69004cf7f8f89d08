"""The one way to run a check: a transition system, property names and RunOptions in, verdicts
and the run's facts out (NOTE(one-way) in engines.py).

`cli.py` (check and the main job), the worker processes and Dask tasks (`run_instances`), the
engine portfolio and the CI gate (checker/gate) all call `run_instance` and nothing else, so a
serial run, `--workers N`, `--dask` and `ci` give the same verdicts, traces and facts.

Every counterexample is replayed on the concrete semantics here, before anyone sees it
(NOTE(replay-first)): one that does not replay is our bug, raised as InternalError.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from checker.core.budget import INTERRUPTED, Budget, Progress, interrupt, interrupted
from checker.core.verdict import Provenance, Unknown, Verdict, Violated
from checker.explicit.result import Coverage
from checker.run.engines import ENGINES, EngineRun, Phase, run_engine
from checker.symmetry.orbits import action_orbits
from checker.traces.trace import Trace
from model.diagnostics import Diagnostic, SpecError, no_initial_state
from model.ir import TransitionSystem

STRATEGIES = ("auto", "portfolio")
ENGINE_CHOICES = (*ENGINES, *STRATEGIES)


class InternalError(Exception):
    """Our bug or an engine's: a trace that does not replay, engines that disagree (exit 4)."""


@dataclass(frozen=True)
class RunOptions:
    """Everything besides the system and the properties that decides a run's verdicts."""

    engine: str = "explicit"
    depth: int = 30                     # bound of BMC and k-induction
    timeout: float | None = None        # seconds per instance
    max_states: int | None = None       # explicit search
    max_memory_mb: int | None = None    # explicit search (RSS)
    symmetry: bool = True
    backend: str = "auto"               # the explicit search's: auto | vector | state
    workers: int = 1                    # instances checked in this many local processes
    dask: str | None = None             # ... or on this Dask cluster
    explicit_depth: int | None = None   # explicit search: BFS levels 0..this (None: all; NOTE(explicit-depth))
    all_traces: int = 1                 # counterexamples per violated safety property (NOTE(all-traces))
    for_all: bool = False               # kind: prove for every size of the symmetric sets (checker/smt/forall.py)
    cores: int = 1                      # processes for one explicit search (checker/explicit/vector_par.py)
    bmc_prefix: int | None = None       # BMC's explicit prefix: its state cap (None: the default, 0: none;
                                        # NOTE(explicit-prefix) in checker/smt/prefix.py)

    def budget(self, progress: Callable[[Progress], None] | None = None) -> Budget:
        b = Budget(timeout_s=self.timeout, max_states=self.max_states, max_depth=self.depth,
                   max_memory_mb=self.max_memory_mb, explicit_depth=self.explicit_depth)
        return b if progress is None else replace(b, on_progress=progress)

    def serial(self) -> RunOptions:
        """The options a worker runs one instance with."""
        return replace(self, workers=1, dask=None)


@dataclass(frozen=True)
class RunFacts:
    """What a run counted besides its verdicts: the explicit searches (states, transitions,
    diameter, per-action coverage) and the transitions never enabled in a complete search."""

    phases: tuple[Phase, ...] = ()
    never_enabled: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return bool(self.phases) and all(p.complete for p in self.phases)


@dataclass(frozen=True)
class InstanceResult:
    verdicts: tuple[Verdict, ...]
    facts: RunFacts = field(default_factory=RunFacts)
    error: Diagnostic | None = None     # the instance cannot be checked (a spec error, exit 2)
    # --all-traces: per violated safety property, its counterexamples (the verdict's first),
    # each replayed, and whether the graph they were drawn from was complete
    more: tuple[tuple[str, tuple[Trace, ...], bool], ...] = ()


def default_memory_mb() -> int | None:
    """80% of physical memory: explicit search stops with 'unknown (limit)' before the OOM killer."""
    import os
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") * 0.8 / 2**20)
    except (ValueError, OSError, AttributeError):
        return None


MAX_TIMEOUT_S = 1_000_000       # about 11.5 days; beyond it z3's millisecond timeouts overflow


def timeout_seconds(value: object) -> float | None:
    """A --timeout: seconds > 0 and at most MAX_TIMEOUT_S, or 'inf' for no limit (None, as when
    the option is left out). NaN and anything else raise ValueError with what was wrong."""
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{value!r} is not a number of seconds") from None
    if x == math.inf:
        return None
    if not 0 < x <= MAX_TIMEOUT_S:     # also false for NaN
        raise ValueError(f"{value!r} is not a timeout: give seconds > 0 and at most {MAX_TIMEOUT_S:,}, "
                         "or 'inf' for no limit")
    return x


def unknown_property(ts: TransitionSystem, asked: Sequence[str]) -> str | None:
    """Why `asked` cannot be checked on ts (a property it does not have), or None. A family's
    name (NOTE(families) in model/lower.py) stands for all its members."""
    from model.diagnostics import did_you_mean
    names = [p.name for p in ts.properties]
    known = {*names, *(p.family for p in ts.properties if p.family)}
    unknown = [p for p in asked if p not in known]
    if not unknown:
        return None
    hints = did_you_mean(unknown[0], known)
    return (f"spec '{ts.name}' has no property '{unknown[0]}'" + (f" ({hints[0]})" if hints else "")
            + f"; it has: {', '.join(names)}")


def properties(ts: TransitionSystem, asked: Sequence[str]) -> list[str]:
    """The properties to check: those asked for, each once in the order first asked (a family's
    name asks for its members in declared order), or all."""
    if not asked:
        return [p.name for p in ts.properties]
    return list(dict.fromkeys(p.name for a in asked for p in ts.properties if a in (p.name, p.family)))


def engine_run(ts: TransitionSystem, props: Sequence[str], engine: str, budget: Budget,
               symmetry: bool = True, backend: str = "auto", for_all: bool = False,
               cores: int = 1, bmc_prefix: int | None = None) -> EngineRun:
    """An engine or a strategy (auto, portfolio) on props; the verdicts are not yet replayed."""
    if engine == "auto":
        from checker.run.auto import auto
        return auto(ts, props, budget, bmc_prefix)
    if engine == "portfolio":
        from checker.run.portfolio import portfolio
        budget.on_progress(Progress("portfolio"))    # NOTE(progress-phase) in engines.py
        budget = budget.start()                       # NOTE(timeout-share) in checker/core/budget.py
        return EngineRun(tuple(portfolio(ts, p, budget.share(len(props) - i), symmetry, backend)
                               for i, p in enumerate(props)))
    return run_engine(ts, props, engine, budget, symmetry, backend, for_all, cores, bmc_prefix)


def run_instance(ts: TransitionSystem, props: Sequence[str], opts: RunOptions,
                 progress: Callable[[Progress], None] | None = None) -> InstanceResult:
    """Check props of one instance; every counterexample replayed before it is returned. An
    instance with no initial state gets no verdicts but an error (NOTE(no-initial-state))."""
    if interrupted():
        return stopped(ts, props)
    try:
        if (problem := initial_problem(ts, opts.budget())) is not None:
            return InstanceResult((), RunFacts(), problem)
        got = engine_run(ts, props, opts.engine, opts.budget(progress), opts.symmetry, opts.backend,
                         opts.for_all, opts.cores, opts.bmc_prefix)
    except KeyboardInterrupt:      # NOTE(interrupt) in checker/core/budget.py
        interrupt()
        return stopped(ts, props)
    for v in got.verdicts:
        replayed(ts, v)
    return InstanceResult(got.verdicts, RunFacts(got.phases, _never_enabled(ts, got.phases)),
                          more=_more_traces(ts, got.verdicts, opts))


def _more_traces(ts: TransitionSystem, verdicts: Sequence[Verdict],
                 opts: RunOptions) -> tuple[tuple[str, tuple[Trace, ...], bool], ...]:
    """NOTE(all-traces) in checker/explicit/alltraces.py: up to opts.all_traces counterexamples
    of each violated safety property, each replayed like the first."""
    if opts.all_traces <= 1:
        return ()
    from checker.explicit.alltraces import more_traces
    out = []
    for v in verdicts:
        if isinstance(v, Violated) and not ts.prop(v.prop).temporal:
            got = more_traces(ts, v.prop, v.trace, opts.all_traces, opts.budget())
            for t in got.traces:
                replayed(ts, replace(v, trace=t))
            out.append((v.prop, got.traces, got.complete))
    return tuple(out)


def stopped(ts: TransitionSystem, props: Sequence[str]) -> InstanceResult:
    """The result of an instance that was not (or not completely) checked because of Ctrl-C."""
    prov = Provenance("run", ts.params, ts.variant)
    return InstanceResult(tuple(Unknown(p, prov, INTERRUPTED) for p in props))


def check(ts: TransitionSystem, prop: str, engine: str = "explicit", budget: Budget | None = None) -> Verdict:
    """One property with one engine or strategy, replayed: the shape tests and benchmarks use."""
    if (problem := initial_problem(ts, budget or Budget())) is not None:
        raise SpecError([problem])
    v = engine_run(ts, [prop], engine, budget or Budget()).verdicts[0]
    return replayed(ts, v)


# NOTE(no-initial-state): a system without an initial state has no behaviour at all, so every
# safety property would hold vacuously and every engine would say "proved" (the explicit search
# over 0 states, k-induction from an empty base). That is never what the author meant, so it is
# a spec error, located at `initially:`, found before any engine runs: by enumerating the
# candidate initial states when there are few, else by asking z3 (a deterministic rlimit and the
# run's timeout). Where z3 gives no answer the engines run; the explicit search then reports
# Unknown rather than Proved for an empty state space (checker/explicit/result.py).
ENUMERATE_INITIAL = 100_000      # candidate initial states enumerated before z3 is asked
INITIAL_RLIMIT = 20_000_000      # z3 work allowed for that question


def initial_problem(ts: TransitionSystem, budget: Budget) -> Diagnostic | None:
    """The located error of a system without an initial state, or None."""
    from checker.core.semantics import has_initial_state
    found = has_initial_state(ts, ENUMERATE_INITIAL)
    if found is None:
        from checker.smt import initial
        found = initial.has_initial_state(ts, replace(budget.start(), rlimit=INITIAL_RLIMIT))
    return no_initial_state(ts) if found is False else None



def replayed(ts: TransitionSystem, v: Verdict) -> Verdict:
    """NOTE(replay-first): a counterexample is shown only once it replays on the concrete
    semantics (checker/traces/replay.py), whichever engine found it."""
    from checker.traces.replay import ReplayError, validate
    if isinstance(v, Violated):
        try:
            validate(ts, v.trace, v.prop)
        except ReplayError as e:
            raise InternalError(f"the {v.provenance.engine} engine returned a counterexample for "
                                f"'{v.prop}' that does not replay: {e}") from None
    return v


def _never_enabled(ts: TransitionSystem, phases: Sequence[Phase]) -> tuple[str, ...]:
    """Transitions no complete search of the run ever found enabled: possible vacuity. A
    symmetry-reduced search answers per orbit of actions (NOTE(action-orbits))."""
    if not phases or not all(p.complete for p in phases):
        return ()
    dead: list[list[bool]] = []
    for p in phases:
        orbit = action_orbits(ts, p.symmetry)
        live = {orbit[i] for i, c in enumerate(p.coverage) if c.enabled}
        dead.append([orbit[i] not in live for i in range(len(p.coverage))])
    covs: list[Sequence[Coverage]] = [p.coverage for p in phases]
    return tuple(c[0].action for i, c in enumerate(zip(*covs, strict=True)) if all(d[i] for d in dead))


Job = tuple[TransitionSystem, tuple[str, ...], RunOptions]


def _run_job(job: Job) -> InstanceResult:
    """A worker's or Dask task's whole job: exactly what a serial run does for one instance."""
    ts, props, opts = job
    return run_instance(ts, props, opts)


def run_instances(items: Sequence[tuple[TransitionSystem, Sequence[str]]], opts: RunOptions,
                  progress: Callable[[Progress], None] | None = None) -> Iterator[InstanceResult]:
    """run_instance for each (system, properties), in order: here, in opts.workers local
    processes or on opts.dask; results come in the order given, as soon as each is ready."""
    if opts.workers <= 1 and opts.dask is None:
        for ts, props in items:
            yield run_instance(ts, props, opts, progress)
        return
    from checker.run.parallel import map_ordered
    jobs: list[Job] = [(ts, tuple(props), opts.serial()) for ts, props in items]
    done = map_ordered(_run_job, jobs, opts.workers, opts.dask, stop=interrupted)
    for ts, props in items:
        try:
            got = next(done, None)
        except KeyboardInterrupt:   # stop the workers, keep what they finished
            interrupt()
            got = next(done, None)
        yield got if got is not None else stopped(ts, props)
