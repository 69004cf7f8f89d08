"""Errors as data: every user-facing problem is a Diagnostic with a code and a location.

Codes: SC1xx input/YAML/expression syntax, SC2xx names, SC3xx types and shapes,
SC4xx parameters and lowering, SC5xx traces. Phases collect diagnostics; only cli.py prints.
The name clashes SC205-SC207 are explained in NOTE(shadowing) (model/names.py), the integer
bound SC317 in NOTE(int64) (model/sorts.py).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

from model.ir import TransitionSystem
from model.sorts import INT_RANGE
from model.source import SourceFile, Span

MAX_SHOWN = 160   # characters of a source line shown under a diagnostic


@dataclass(frozen=True)
class Diagnostic:
    code: str
    span: Span | None
    message: str
    expected: str | None = None
    notes: tuple[str, ...] = ()


class SpecError(Exception):
    """Raised by load_spec (and trace readers) with every diagnostic collected so far."""

    def __init__(self, diagnostics: Iterable[Diagnostic], sources: Iterable[SourceFile] = ()):
        self.diagnostics = tuple(diagnostics)
        self.sources = {s.path: s for s in sources}
        super().__init__(render_all(self.diagnostics, self.sources))


@dataclass
class Collector:
    """Mutable bag used inside one phase; frozen into a SpecError at the phase boundary."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, code: str, span: Span | None, message: str, expected: str | None = None,
              notes: tuple[str, ...] = ()) -> None:
        self.add(Diagnostic(code, span, message, expected, notes))

    def add(self, d: Diagnostic) -> None:
        # elaboration visits a body once per instance; report each problem once
        if d not in self.diagnostics:
            self.diagnostics.append(d)

    def __bool__(self) -> bool:
        return bool(self.diagnostics)


def did_you_mean(name: str, candidates: Iterable[str]) -> tuple[str, ...]:
    """A note suggesting the closest known name, or nothing."""
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return (f"did you mean '{close[0]}'?",) if close else ()


def short_int(text: str) -> str:
    """An integer's text as a message shows it: a 5,000-digit literal is cut to its ends."""
    digits = len(text.lstrip("+-"))
    return text if digits <= 24 else f"{text[:12]}...{text[-4:]} ({digits} digits)"


def outside_int64(span: Span | None, message: str) -> Diagnostic:
    """SC317: a value the engines could not compute with (NOTE(int64) in model/sorts.py)."""
    return Diagnostic("SC317", span, message,
                      f"values in {INT_RANGE}: the engines compute with signed 64-bit integers")


def no_initial_state(ts: TransitionSystem) -> Diagnostic:
    """SC407, for an engine that finds no initial state of `ts`: located at its `initially:`
    constraint (or, without one, at `vars:`; ts.init_span). Every property would hold vacuously,
    so the caller reports this instead of a verdict."""
    inst = ", ".join([f"variant '{ts.variant}'"] * bool(ts.variant) + [f"{k}={v}" for k, v in ts.params])
    note = ("for " + inst + ": " if inst else "") + "every property would hold vacuously"
    if ts.init_constraint is None:
        return Diagnostic("SC407", ts.init_span, "the spec has no initial state",
                          "at least one initial value for every variable", (note,))
    return Diagnostic("SC407", ts.init_span, "no initial state satisfies `initially:`",
                      "a constraint that some combination of the variables' initial values satisfies", (note,))


def render_with(d: Diagnostic, sources: Iterable[SourceFile] = ()) -> str:
    """render() taking the source files as a plain list (e.g. [loaded.source])."""
    return render(d, {s.path: s for s in sources})


def render(d: Diagnostic, sources: dict[str, SourceFile]) -> str:
    """`file:line:col: error[CODE]: message`, the source line, a caret, expected, notes."""
    where = f"{d.span}: " if d.span else ""
    out = [f"{where}error[{d.code}]: {d.message}"]
    src = sources.get(d.span.file) if d.span else None
    if d.span and src is not None:
        text = src.line(d.span.line)
        if text:
            width = d.span.end_col - d.span.col if d.span.end_line == d.span.line else 1
            col = d.span.col
            if len(text) > MAX_SHOWN:   # a long (maybe hostile) line: show a window around the column
                start = max(0, min(col - 1 - MAX_SHOWN // 4, len(text) - MAX_SHOWN))
                text = ("..." if start else "") + text[start:start + MAX_SHOWN] + (
                    "..." if start + MAX_SHOWN < len(text) else "")
                col = col - start + (3 if start else 0)
            out.append(f"  {d.span.line:>4} | {text}")
            out.append("       | " + " " * (col - 1) + "^" * max(1, min(width, 60)))
    if d.expected:
        out.append(f"  expected: {d.expected}")
    out.extend(f"  note: {n}" for n in d.notes)
    return "\n".join(out)


def render_all(diags: Iterable[Diagnostic], sources: dict[str, SourceFile]) -> str:
    return "\n".join(render(d, sources) for d in diags)
