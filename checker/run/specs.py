"""Which spec files a command names, how their paths are shown, and their instances loaded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from model.diagnostics import SpecError
from model.ir import TransitionSystem
from model.load import LoadedSpec, instantiate, parse_spec, read_source


def spec_files(paths: Sequence[str]) -> list[Path]:
    """Spec files named on the command line; directories are searched for *.yaml, sorted."""
    out: list[Path] = []
    for p in paths:
        path = Path(p)
        out.extend(sorted(path.rglob("*.yaml")) if path.is_dir() else [path])
    return out


def display(path: Path) -> str:
    """A path as users see it: relative to the current directory where it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Loaded:
    """A spec file's instances (in declaration order), or why it did not load."""

    path: Path
    spec: LoadedSpec | None
    systems: tuple[TransitionSystem, ...] = ()
    error: SpecError | None = None


def load(path: Path, overrides: tuple[str, ...] = (), variant: str | None = None) -> Loaded:
    try:
        spec = parse_spec(read_source(path, display(path)))
        return Loaded(path, spec, tuple(instantiate(spec, overrides, variant)))
    except SpecError as e:
        return Loaded(path, None, error=e)
