"""load_spec: file -> YAML nodes -> surface spec -> one TransitionSystem per parameter instance.

Raises SpecError carrying every diagnostic found (never a Python traceback for bad input).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from model import syntax as S
from model.build import build_spec
from model.diagnostics import Collector, Diagnostic, SpecError
from model.ir import TransitionSystem
from model.lower import lower
from model.params import Instance, instances, parse_overrides
from model.source import SourceFile, Span
from model.yaml_nodes import MAX_BYTES, YamlError, read_yaml


@dataclass(frozen=True)
class LoadedSpec:
    source: SourceFile
    decl: S.SpecDecl


def read_source(path: str | Path, display: str | None = None) -> SourceFile:
    """Read a spec file as UTF-8; raises SpecError (located) on unreadable or non-UTF-8 input."""
    shown = display or str(path)
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise SpecError([Diagnostic("SC100", None, f"cannot read {shown}: {e.strerror}")]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise SpecError([Diagnostic("SC100", Span(shown, line, col, line, col + 1),
                                    f"the file is not valid UTF-8 (byte 0x{data[e.start]:02x})",
                                    "UTF-8 text")]) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return SourceFile(shown, text)


def parse_spec(src: SourceFile) -> LoadedSpec:
    """Text -> surface spec; raises SpecError with every shape and syntax error found."""
    out = Collector()
    try:
        root = read_yaml(src)
    except YamlError as e:
        raise SpecError([e.diag], [src]) from None
    decl = build_spec(root, src.path, out)
    if out or decl is None:
        raise SpecError(out.diagnostics, [src])
    return LoadedSpec(src, decl)


def instantiate(spec: LoadedSpec, overrides: tuple[str, ...] = (),
                variant: str | None = None) -> list[TransitionSystem]:
    """Lower every selected instance (see model.params.instances); raises SpecError."""
    out = Collector()
    values = parse_overrides(spec.decl, overrides, out)
    insts: list[Instance] = instances(spec.decl, values, out, variant) if not out else []
    systems = []
    for inst in insts:
        if out:
            break
        ts = lower(spec.decl, inst, out)
        if ts is not None:
            systems.append(ts)
    if out:
        raise SpecError(out.diagnostics, [spec.source])
    return systems


def load_spec(path: str | Path, overrides: tuple[str, ...] = (), variant: str | None = None,
              display: str | None = None) -> list[TransitionSystem]:
    """The whole front end in one call."""
    return instantiate(parse_spec(read_source(path, display)), overrides, variant)


def load_text(text: str, path: str = "<spec>", overrides: tuple[str, ...] = (),
              variant: str | None = None) -> list[TransitionSystem]:
    """load_spec for a spec held in a string (tests, generated specs)."""
    return instantiate(parse_spec(SourceFile(path, text)), overrides, variant)
