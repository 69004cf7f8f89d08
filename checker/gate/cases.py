"""The gate's data: options, one result per spec x variant x property, the report."""

from __future__ import annotations

from dataclasses import dataclass, field

from checker.core.outcome import EXIT_INCONCLUSIVE, EXIT_OK, EXIT_USAGE, EXIT_VIOLATED
from checker.run.runner import RunOptions

LOAD = "<load>"      # the pseudo-property of a spec that does not load


@dataclass(frozen=True)
class GateOptions:
    """Everything besides the spec that can change a verdict (part of NOTE(cache-key))."""

    engine: str = "explicit"
    depth: int = 30
    timeout: float | None = None
    max_states: int | None = None
    require_proof: bool = False
    explicit_depth: int | None = None   # `--depth` given with the explicit engine (NOTE(explicit-depth))

    def run_options(self) -> RunOptions:
        return RunOptions(engine=self.engine, depth=self.depth, timeout=self.timeout, max_states=self.max_states,
                          explicit_depth=self.explicit_depth)


@dataclass(frozen=True)
class CaseResult:
    """One spec x variant x property, judged against its expectation."""

    spec: str
    name: str
    variant: str | None
    params: tuple[tuple[str, str], ...]
    prop: str
    expect: str | None
    verdict: str              # proved | holds-up-to | violated | unknown | error
    status: str               # ok | failed | inconclusive | error
    detail: str
    trace: str | None = None  # the counterexample as text, with the command that reproduces it
    cached: bool = False
    elapsed_s: float = field(default=0.0, compare=False)
    # the case as a seamcheck/result record, JSON text (checker/export/result_json.py); for a
    # spec that does not load, its errors as a JSON list
    record: str = ""

    @property
    def case_id(self) -> str:
        return f"{self.spec}[{self.variant}]:{self.prop}" if self.variant else f"{self.spec}:{self.prop}"


@dataclass(frozen=True)
class GateReport:
    results: tuple[CaseResult, ...]
    specs: int
    cache_hits: int
    skipped: tuple[str, ...] = ()     # specs left out by --changed-since
    changed_since: str | None = None  # the --changed-since revision, if given

    @property
    def exit_code(self) -> int:
        if any(r.status == "error" for r in self.results):
            return EXIT_USAGE
        statuses = {r.status for r in self.results}
        if "failed" in statuses:
            return EXIT_VIOLATED
        return EXIT_INCONCLUSIVE if "inconclusive" in statuses else EXIT_OK


class GateError(Exception):
    """A problem with the gate's own inputs (e.g. git failed); cli.py reports it and exits 2."""
