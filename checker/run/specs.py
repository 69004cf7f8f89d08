"""Which spec files a command names, how their paths are shown, and their instances loaded.

NOTE(untrusted-paths): spec files arrive in pull requests, and the gate runs on CI runners whose
environment and files hold secrets. So a spec file is opened only when it is a regular file
(a FIFO would block for ever, a device may never end) and, when it is a symbolic link, only
when the link stays inside the tree being checked: the directory named on the command line for
the files found in it, the current directory for a file named directly. The check is made
with os.stat before the file is opened. And the text of a file that does not look like a spec
(no top-level `spec:` key) is never quoted under an error message: an error names the place,
not the content, of a file that is not a spec (`without_text`).
"""

from __future__ import annotations

import os
import re
import stat
import sys
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from model.diagnostics import Diagnostic, SpecError
from model.ir import TransitionSystem
from model.load import LoadedSpec, instantiate, parse_spec, read_source
from model.source import SourceFile, Span

_SPEC_LINE = re.compile(r"""^(?:\{[ \t]*)?["']?spec["']?[ \t]*:""", re.MULTILINE)
NOT_SHOWN = "the file does not look like a seamcheck spec (no top-level `spec:` key), so its text is not shown"


SHIPPED_PACKAGE = "seamcheck_specs"      # specs/ in a wheel (setup.py, NOTE(shipped-specs))
CHECKOUT = Path(__file__).resolve().parents[2]


def shipped_specs() -> Path:
    """The directory of the specs seamcheck ships (tdx/, examples/), wherever it is installed.

    NOTE(shipped-specs) in setup.py: a checkout (seamcheck's pyproject.toml beside checker/) uses
    its own specs/, so a worktree or an editable install never reads another copy; an installed
    seamcheck uses its package data. Nothing is looked up from the current directory."""
    if _is_checkout(CHECKOUT) and (CHECKOUT / "specs").is_dir():
        return CHECKOUT / "specs"
    # The package has no __init__.py (it is specs/ as it is), so it is a namespace package, whose
    # portions importlib.resources merges in an order that depends on the installer (an editable
    # finder adds one); the import system's own order is sys.path's, so search that, first wins.
    for entry in sys.path:
        if not entry:           # '' is the current directory: never
            continue
        found = Path(entry) / SHIPPED_PACKAGE
        if (found / "tdx").is_dir():
            return found
    raise FileNotFoundError(f"seamcheck's shipped specs (package {SHIPPED_PACKAGE}) are not installed")


def _is_checkout(root: Path) -> bool:
    """`root` holds seamcheck's own pyproject.toml (not any stray one in site-packages)."""
    try:
        with open(root / "pyproject.toml", "rb") as f:
            return bool(tomllib.load(f).get("project", {}).get("name") == "seamcheck")
    except (OSError, tomllib.TOMLDecodeError):
        return False


def shipped_path(checkout_path: str) -> Path:
    """A shipped spec or directory named as in the checkout (`specs/tdx`), where it is installed."""
    parts = Path(checkout_path).parts
    if not parts or parts[0] != "specs":
        raise ValueError(f"{checkout_path} is not under specs/")
    return shipped_specs().joinpath(*parts[1:])


@dataclass(frozen=True)
class SpecFile:
    """A spec file to check: its path as found, as shown, and the tree it must stay in (the
    directory named on the command line it was found in; None: the file was named itself)."""

    path: Path
    shown: str
    tree: Path | None = None


SPEC_SUFFIXES = (".yaml", ".yml")


class NoSpecsError(Exception):
    """A directory named to be checked holds no spec file: checking nothing must not pass."""


def spec_files(paths: Sequence[str]) -> list[SpecFile]:
    """Spec files named on the command line; directories are searched for *.yaml and *.yml,
    sorted (symbolic links to directories are not followed). Raises NoSpecsError for a
    directory without any."""
    out: list[SpecFile] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found = sorted(f for f in path.rglob("*") if f.suffix in SPEC_SUFFIXES)
            if not found:
                raise NoSpecsError(f"no spec files (*.yaml, *.yml) in {display(path)}")
            out.extend(SpecFile(f, display(f), path) for f in found)
        else:
            out.append(SpecFile(path, display(path)))
    return out


def display(path: Path) -> str:
    """A path as users see it: relative to the current directory where it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def refusal(f: SpecFile) -> str | None:
    """Why `f` must not be opened (NOTE(untrusted-paths)), or None. Never opens the file."""
    tree = f.tree if f.tree is not None else Path.cwd()
    if f.tree is not None or f.path.is_symlink():
        real = f.path.resolve()
        if not real.is_relative_to(tree.resolve()):
            where = f"the tree being checked ({f.tree})" if f.tree is not None else "the current directory"
            return f"refused: {f.shown} is a symbolic link to {real}, outside {where}"
    try:
        mode = os.stat(f.path).st_mode
    except OSError:
        return None                     # read_source reports it ("cannot read ...")
    if not stat.S_ISREG(mode):
        kind = {stat.S_IFDIR: "a directory", stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFSOCK: "a socket",
                stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device"}.get(stat.S_IFMT(mode), "a special file")
        return f"refused: {f.shown} is not a regular file but {kind}"
    return None


def read_spec(f: SpecFile) -> SourceFile:
    """The text of a spec file, after `refusal`; raises SpecError (located, never quoting)."""
    why = refusal(f)
    if why is not None:
        raise SpecError([Diagnostic("SC100", Span(f.shown, 1, 1, 1, 2), why, "a regular spec file inside the "
                                    "checked tree (or a symbolic link to one)")])
    return read_source(f.path, f.shown)      # its errors quote nothing


def looks_like_spec(src: SourceFile) -> bool:
    """A line starts with the key `spec:` (as every spec's first key does), also in flow style
    (`{spec: ...`). Judged on the text, not by parsing YAML again (that can take seconds)."""
    return _SPEC_LINE.search(src.text) is not None


def without_text(e: SpecError, src: SourceFile | None) -> SpecError:
    """`e`, not quoting `src` unless it looks like a spec (NOTE(untrusted-paths))."""
    if src is not None and looks_like_spec(src):
        return e

    def quotes(d: Diagnostic) -> bool:
        shown = e.sources.get(d.span.file) if d.span is not None else None
        return shown is not None and d.span is not None and shown.line(d.span.line) != ""
    return SpecError([replace(d, notes=(*d.notes, NOT_SHOWN)) if quotes(d) else d for d in e.diagnostics])


def parse(src: SourceFile) -> LoadedSpec:
    """parse_spec, whose errors quote the text only of what looks like a spec."""
    try:
        return parse_spec(src)
    except SpecError as e:
        raise without_text(e, src) from None


@dataclass(frozen=True)
class Loaded:
    """A spec file's instances (in declaration order), or why it did not load."""

    path: Path
    spec: LoadedSpec | None
    systems: tuple[TransitionSystem, ...] = ()
    error: SpecError | None = None


def load(f: SpecFile | Path, overrides: tuple[str, ...] = (), variant: str | None = None) -> Loaded:
    """Read (NOTE(untrusted-paths)), parse and instantiate one spec file; errors as data."""
    if isinstance(f, Path):
        f = SpecFile(f, display(f))
    try:
        spec = parse(read_spec(f))
        return Loaded(f.path, spec, tuple(instantiate(spec, overrides, variant)))
    except SpecError as e:
        return Loaded(f.path, None, error=e)
