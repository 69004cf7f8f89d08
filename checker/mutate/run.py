"""`seamcheck mutate`: each mutant of each instance through run_instance, compared with the
original's verdicts (NOTE(one-way) in checker/run/engines.py: the same engines, budget and
replay of every counterexample as `check`).

NOTE(mutant-status): a mutant of one instance is
  - needed:       some property P it breaks: the mutant has a replayed counterexample to P and
                  the original has none of that length or shorter (P proved, or holds up to a
                  depth at least the trace's);
  - unneeded:     no property needs it: every property the original does not violate is proved
                  on the mutant too (a sign the spec under-states what the code relies on);
  - inconclusive: neither, because a verdict of the mutant or the original on some such property
                  is unknown or only bounded; never read as "not needed";
  - identical:    the lowered mutant equals the original (NOTE(mutate-syntax)), not checked;
  - error:        the mutant is no valid spec or has no initial state (never "not needed").
A property the original violates and the mutant does not is listed as `fixes`: information, not
a status. Over several instances a mutation is needed if any instance needs it, unneeded if every
instance it changes has it unneeded, identical if it changes none, else inconclusive.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from checker.core.verdict import HoldsUpTo, Proved, Verdict, Violated
from checker.mutate.edit import apply
from checker.mutate.mutations import Mutation, combine, select, spec_mutations
from checker.run.runner import InstanceResult, InternalError, RunOptions, run_instance
from model.diagnostics import Collector, SpecError
from model.ir import TransitionSystem
from model.load import LoadedSpec
from model.lower import lower
from model.params import Instance, instances, parse_overrides


@dataclass(frozen=True)
class MutantResult:
    """One mutation on one instance (NOTE(mutant-status))."""

    mutation: Mutation
    status: str
    breaks: tuple[Violated, ...] = ()   # on `mutant`, shortest first as the engine found them
    fixes: tuple[str, ...] = ()
    undecided: tuple[tuple[str, str], ...] = ()   # (property, why)
    error: str | None = None
    mutant: TransitionSystem | None = None


@dataclass(frozen=True)
class InstanceMutants:
    original: TransitionSystem
    verdicts: tuple[Verdict, ...]
    mutants: tuple[MutantResult, ...]


@dataclass(frozen=True)
class MutateRun:
    spec: LoadedSpec
    mutations: tuple[Mutation, ...]
    instances: tuple[InstanceMutants, ...]

    def overall(self, m: Mutation) -> str:
        """The mutation's status over every instance (NOTE(mutant-status))."""
        got = [r.status for inst in self.instances for r in inst.mutants if r.mutation == m]
        changed = [s for s in got if s != "identical"]
        if "needed" in changed:
            return "needed"
        if not changed:
            return "identical"
        return "unneeded" if all(s == "unneeded" for s in changed) else "inconclusive"


Progress = Callable[[str], None]


def mutate(spec: LoadedSpec, overrides: tuple[str, ...], variant: str | None, only: Sequence[str],
           opts: RunOptions, progress: Progress | None = None, combined: bool = False) -> MutateRun:
    """Check every selected mutant of every instance (with `combined`, one mutant making every
    selected mutation at once). Raises SpecError when the spec does not load or an instance has
    no initial state, UnknownTarget for an --only that names nothing."""
    muts = select(spec_mutations(spec.decl), only)
    if combined and muts:
        muts = [combine(muts)]
    results = []
    for inst in _instances(spec, overrides, variant):
        ts = _lower(spec, spec.decl, inst)
        assert ts is not None
        props = [p.name for p in ts.properties]
        base = run_instance(ts, props, opts)
        if base.error is not None:
            raise SpecError([base.error], [spec.source])
        mutants = []
        for k, m in enumerate(muts, start=1):
            if progress is not None:
                progress(f"{ts.variant or ts.name} {k}/{len(muts)}: {m.name}")
            mutants.append(_mutant(spec, inst, ts, base, m, props, opts))
        results.append(InstanceMutants(ts, base.verdicts, tuple(mutants)))
    return MutateRun(spec, tuple(muts), tuple(results))


def _instances(spec: LoadedSpec, overrides: tuple[str, ...], variant: str | None) -> list[Instance]:
    out = Collector()
    values = parse_overrides(spec.decl, overrides, out)
    found = instances(spec.decl, values, out, variant) if not out else []
    if out:
        raise SpecError(out.diagnostics, [spec.source])
    return found


def _lower(spec: LoadedSpec, decl: object, inst: Instance) -> TransitionSystem | None:
    """The instance lowered; raises SpecError with the diagnostics when it does not lower."""
    out = Collector()
    ts = lower(decl, inst, out)  # type: ignore[arg-type]
    if out or ts is None:
        raise SpecError(out.diagnostics, [spec.source])
    return ts


def _mutant(spec: LoadedSpec, inst: Instance, ts: TransitionSystem, base: InstanceResult, m: Mutation,
            props: Sequence[str], opts: RunOptions) -> MutantResult:
    try:
        mts = _lower(spec, apply(spec.decl, m), inst)
    except SpecError as e:
        first = e.diagnostics[0]
        return MutantResult(m, "error", error=f"the mutant does not lower: {first.message}")
    assert mts is not None
    if mts == ts:
        return MutantResult(m, "identical")
    try:
        got = run_instance(mts, props, opts)
    except InternalError as e:     # still our bug (exit 4), but say which mutant shows it
        raise InternalError(f"on the mutant '{m.name}' of {mts.variant or mts.name}: {e}") from e
    if got.error is not None:
        return MutantResult(m, "error", error=got.error.message, mutant=mts)
    return compare(m, base.verdicts, got.verdicts, mts)


def compare(m: Mutation, before: Sequence[Verdict], after: Sequence[Verdict],
            mts: TransitionSystem) -> MutantResult:
    """Classify a mutant from the verdicts of the original and of the mutant (NOTE(mutant-status))."""
    breaks, fixes, undecided = [], [], []
    for b, a in zip(before, after, strict=True):
        if isinstance(b, Violated):
            if not isinstance(a, Violated):
                fixes.append(a.prop)
        elif isinstance(a, Violated):
            if isinstance(b, Proved) or (isinstance(b, HoldsUpTo) and b.depth >= a.trace.depth):
                breaks.append(a)
            else:
                undecided.append((a.prop, f"violated, but the original is {_why(b)}"))
        elif not isinstance(a, Proved):
            undecided.append((a.prop, _why(a)))
    status = "needed" if breaks else "inconclusive" if undecided else "unneeded"
    return MutantResult(m, status, tuple(breaks), tuple(fixes), tuple(undecided), mutant=mts)


def _why(v: Verdict) -> str:
    if isinstance(v, HoldsUpTo):
        return f"holds up to depth {v.depth} only"
    reason = getattr(v, "reason", None)
    return f"unknown ({reason})" if reason else type(v).__name__.lower()
