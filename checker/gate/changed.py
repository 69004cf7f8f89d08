"""`ci --changed-since REV`: the specs a change touched (NOTE(includes) in checker/gate/gate.py)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

from checker.gate.cases import GateError
from checker.run.specs import SpecFile

# ---- --changed-since ---------------------------------------------------------------------------

def changed_files(rev: str, cwd: Path) -> set[Path]:
    """Files changed since `rev` (committed or not) plus untracked files, as absolute paths."""
    top = Path(_git(["rev-parse", "--show-toplevel"], cwd).strip())
    commit = resolve_revision(rev, cwd)
    diff = _git(["diff", "--name-only", "--end-of-options", commit, "--"], cwd)   # relative to the top
    untracked = _git(["ls-files", "--others", "--exclude-standard", "--full-name"], cwd)
    return {(top / n).resolve() for n in (diff + untracked).splitlines() if n}


def resolve_revision(rev: str, cwd: Path) -> str:
    """The commit id `rev` names; GateError unless it names a commit.

    `rev` comes from the command line (or a CI variable) and is handed to git: a value starting
    with `-` would be read as an option (`--output=FILE` writes a file), so it is refused, and
    git is told where its options end."""
    if not rev or rev.startswith("-") or any(c in rev for c in "\0\n\r"):
        raise GateError(f"--changed-since: {rev!r} is not a git revision")
    try:
        out = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], cwd)
    except GateError:
        raise GateError(f"--changed-since: {rev!r} does not name a commit in this repository") from None
    commit = out.strip()
    if not re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", commit):
        raise GateError(f"--changed-since: {rev!r} does not name a commit in this repository")
    return commit


def _git(args: list[str], cwd: Path) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False,
                              timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise GateError(f"cannot run git: {e}") from None
    if done.returncode != 0:
        raise GateError(f"git {' '.join(args)} failed: {done.stderr.strip() or done.returncode}")
    return done.stdout


def includes_of(path: Path) -> set[Path]:
    """Specs that `path` includes. None yet: see NOTE(includes)."""
    return set()


def select_changed(files: Sequence[SpecFile], changed: set[Path],
                   includes: Callable[[Path], set[Path]] = includes_of) -> list[SpecFile]:
    """The specs that changed or (transitively) include a changed file."""
    def touched(p: Path, seen: frozenset[Path] = frozenset()) -> bool:
        p = p.resolve()
        if p in changed:
            return True
        return any(touched(q, seen | {p}) for q in includes(p) if q.resolve() not in seen)
    return [f for f in files if touched(f.path)]


def changed_only(files: Sequence[SpecFile], rev: str | None,
                 cwd: Path) -> tuple[list[SpecFile], tuple[str, ...]]:
    """With a revision: the files it selects, and the display paths of those it skips."""
    if rev is None:
        return list(files), ()
    chosen = select_changed(files, changed_files(rev, cwd))
    return chosen, tuple(f.shown for f in files if f not in chosen)
