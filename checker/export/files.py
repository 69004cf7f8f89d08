"""Counterexamples written to files (--trace-out): the names, and the writing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from checker.core.verdict import Violated
from checker.export import render as render_export
from checker.traces.context import ExportContext
from model.ir import TransitionSystem


@dataclass(frozen=True)
class Written:
    prop: str
    path: str
    error: str | None = None     # why it could not be written (then nothing after it was tried)


def trace_paths(base: str, items: Sequence[tuple[TransitionSystem, str]], multi_spec: bool) -> list[str]:
    """File names for --trace-out: FILE itself for one trace, else FILE with
    '.[SPEC.]VARIANT.PROPERTY' inserted before the first dot of its name (SPEC only when
    several spec files were checked; VARIANT only when the instance has one)."""
    if len(items) == 1:
        return [base]
    p = Path(base)
    stem, dot, rest = p.name.partition(".")
    out: list[str] = []
    for ts, prop in items:
        parts = ([ts.name] if multi_spec else []) + ([ts.variant] if ts.variant else []) + [prop]
        name = f"{stem}.{'.'.join(parts)}" + (f".{rest}" if dot else "")
        path = str(p.with_name(name))
        n = 2
        while path in out:  # the same spec name in two files: keep every trace
            path, n = str(p.with_name(f"{stem}.{'.'.join(parts)}.{n}" + (f".{rest}" if dot else ""))), n + 1
        out.append(path)
    return out


def write_traces(violations: Sequence[tuple[ExportContext, TransitionSystem, Violated]], base: str, fmt: str,
                 multi_spec: bool) -> list[Written]:
    """Each trace rendered in fmt to its file (trace_paths); stops at the first that fails."""
    paths = trace_paths(base, [(ts, v.prop) for _, ts, v in violations], multi_spec)
    out: list[Written] = []
    for (ctx, ts, v), path in zip(violations, paths, strict=True):
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).write_text(render_export(fmt, ts, v.trace, v.prop, ctx))
        except OSError as e:
            out.append(Written(v.prop, path, e.strerror or str(e)))
            break
        out.append(Written(v.prop, path))
    return out


def save_traces(violations: Sequence[tuple[ExportContext, TransitionSystem, Violated, dict[str, object]]],
                base: str | None, fmt: str, multi_spec: bool) -> tuple[str, bool]:
    """--trace-out: write every trace, note its file in its JSON record; what to tell the user,
    and whether a file could not be written (then only that is told)."""
    if not base or not violations:
        return "", False
    said = []
    for w, (_, _, _, rec) in zip(write_traces([v[:3] for v in violations], base, fmt, multi_spec), violations):
        if w.error is not None:
            return f"seamcheck: cannot write {w.path}: {w.error}\n", True
        rec["trace_file"] = w.path
        said.append(f"trace of {w.prop} ({fmt}) written to {w.path}\n")
    return "".join(said), False
