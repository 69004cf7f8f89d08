"""`ci --changed-since REV`: the specs a change touched (NOTE(includes) in checker/gate/gate.py)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

from checker.gate.cases import GateError

# ---- --changed-since ---------------------------------------------------------------------------

def changed_files(rev: str, cwd: Path) -> set[Path]:
    """Files changed since `rev` (committed or not) plus untracked files, as absolute paths."""
    top = Path(_git(["rev-parse", "--show-toplevel"], cwd).strip())
    diff = _git(["diff", "--name-only", rev, "--"], cwd)           # relative to the top
    untracked = _git(["ls-files", "--others", "--exclude-standard", "--full-name"], cwd)
    return {(top / n).resolve() for n in (diff + untracked).splitlines() if n}


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


def select_changed(files: Sequence[tuple[Path, str]], changed: set[Path],
                   includes: Callable[[Path], set[Path]] = includes_of) -> list[tuple[Path, str]]:
    """The specs that changed or (transitively) include a changed file."""
    def touched(p: Path, seen: frozenset[Path] = frozenset()) -> bool:
        p = p.resolve()
        if p in changed:
            return True
        return any(touched(q, seen | {p}) for q in includes(p) if q.resolve() not in seen)
    return [(p, s) for p, s in files if touched(p)]


def changed_only(files: Sequence[tuple[Path, str]], rev: str | None,
                 cwd: Path) -> tuple[list[tuple[Path, str]], tuple[str, ...]]:
    """With a revision: the files it selects, and the display paths of those it skips."""
    if not rev:
        return list(files), ()
    chosen = select_changed(files, changed_files(rev, cwd))
    return chosen, tuple(s for p, s in files if (p, s) not in chosen)
