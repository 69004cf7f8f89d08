"""One verdict type. Each kind says exactly what was established.

- Proved: the property holds in every reachable state of this instance (these parameter values),
  established by `engine` (explicit: exhaustive search; kind: k-induction; pdr: an inductive
  invariant re-checked independently). Only this kind may be read as "holds".
- HoldsUpTo: no violation within `depth` steps (bounded search only). Never a proof. `stopped`
  says why the search ended before its bound (a timeout, a resource limit); None: it reached it.
- Violated: a counterexample `trace`, replayed on the concrete semantics before it is returned.
- Unknown: nothing established; `reason` says why (timeout, limit, induction failed, ...).

Unknown and HoldsUpTo never compare equal to Proved; use `is_proved` / `is_violated`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from checker.traces.trace import Trace


@dataclass(frozen=True)
class Provenance:
    engine: str
    params: tuple[tuple[str, str], ...]
    variant: str | None
    elapsed_s: float = field(default=0.0, compare=False)
    z3_version: str | None = None
    stats: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Proved:
    prop: str
    provenance: Provenance
    detail: str                      # e.g. "exhaustive: 1234 states", "k-induction, k=3"
    invariant: str | None = None     # pdr: its certificate (an expression); kind: mined lemmas, as `lemmas:` entries
    for_all: tuple[str, ...] = ()    # kind --for-all: the parameters the proof holds for at every value


@dataclass(frozen=True)
class HoldsUpTo:
    prop: str
    provenance: Provenance
    depth: int
    stopped: str | None = None       # why the search ended before its bound; None: it reached it


@dataclass(frozen=True)
class Violated:
    prop: str
    provenance: Provenance
    trace: Trace


@dataclass(frozen=True)
class Unknown:
    prop: str
    provenance: Provenance
    reason: str
    depth_reached: int = 0
    cti: Trace | None = None         # k-induction's counterexample to induction, if any
    cti_text: str | None = None      # kind --for-all: the counterexample to induction, a small model, as text


Verdict = Proved | HoldsUpTo | Violated | Unknown


def kind_of(v: Verdict) -> str:
    """The verdict kind as a word: proved | holds-up-to | violated | unknown."""
    return {Proved: "proved", HoldsUpTo: "holds-up-to", Violated: "violated",
            Unknown: "unknown"}[type(v)]


def is_proved(v: Verdict) -> bool:
    return isinstance(v, Proved)


def is_violated(v: Verdict) -> bool:
    return isinstance(v, Violated)
