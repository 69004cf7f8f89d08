"""docs/findings/r6.md shows only what seamcheck prints: every block after a
`<!-- command: seamcheck ... -->` marker is that command's output, run here as
`python cli.py ...` from the repository root. Only timings are normalised (`N states/s`).
`pytest tests/test_finding_r6.py --update-golden` rewrites the blocks from the commands.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "findings" / "r6.md"
BLOCK = re.compile(r"<!-- command: (seamcheck [^\n]*?) -->\n```text\n(.*?)```\n", re.S)
RATE = re.compile(r"[\d,]+ states/s")


def _normalise(text: str) -> str:
    return RATE.sub("N states/s", text)


def _run(command: str) -> str:
    argv = shlex.split(command)
    assert argv[0] == "seamcheck"
    out = subprocess.run([sys.executable, "cli.py", *argv[1:]], cwd=ROOT, capture_output=True, text=True,
                         check=False)
    assert out.returncode == 0, (command, out.stderr)   # every verdict as the spec expects
    return _normalise(out.stdout)


def _blocks() -> list[tuple[str, str]]:
    return BLOCK.findall(DOC.read_text())


def test_the_document_names_its_commands() -> None:
    commands = [c for c, _ in _blocks()]
    assert len(commands) == 6
    assert commands[0].endswith("--format race-lp")   # the race, one lane per LP
    assert commands[1].endswith("--format race")      # the same race, one column per thread


@pytest.mark.parametrize("index", range(6))
def test_block_matches_its_command(index: int, request: pytest.FixtureRequest) -> None:
    command, shown = _blocks()[index]
    printed = _run(command)
    if request.config.getoption("--update-golden"):
        text = DOC.read_text()
        start = text.index(f"<!-- command: {command} -->\n```text\n") + len(f"<!-- command: {command} -->\n```text\n")
        end = text.index("```\n", start)
        DOC.write_text(text[:start] + printed + text[end:])
        return
    assert shown == printed, f"docs/findings/r6.md is out of date for: {command} (use --update-golden)"
