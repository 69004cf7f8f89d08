"""Golden tests: every malformed spec in tests/errors gives its exact located message and exit 2."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main

ERRORS = Path(__file__).resolve().parent.parent / "errors"
CASES = sorted(p.name for p in ERRORS.glob("*.yaml"))


def test_corpus_is_not_empty() -> None:
    assert len(CASES) >= 15


def _args(path: Path) -> list[str]:
    first = path.read_bytes().split(b"\n", 1)[0].decode("utf-8", "replace")
    return shlex.split(first[len("# args:"):]) if first.startswith("# args:") else []


@pytest.mark.parametrize("name", CASES)
def test_error_message(name: str, golden, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ERRORS.parent)
    path = Path("errors") / name
    result = CliRunner().invoke(main, ["check", str(path), *_args(ERRORS / name)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    golden(f"errors/{name[:-5]}.expected", result.stderr)
