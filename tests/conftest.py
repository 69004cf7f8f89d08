"""Shared fixtures: golden files (regenerate with --update-golden) and the repository root."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`slow` tests are left out of the default run, as the marker says (pyproject.toml): they
    run when `-m` selects them (`pytest -m slow`), so the README's `python -m pytest` stays a
    few minutes on 2 cores."""
    m = config.getoption("-m", default="") or ""
    if "slow" in m and "not slow" not in m:
        return
    skip = pytest.mark.skip(reason="slow: run with `pytest -m slow`")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def golden(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """golden(name, text): compare text with tests/golden/<name>, or rewrite it."""
    update = request.config.getoption("--update-golden")

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if update or not path.exists():
            if not update and not path.exists() and request.config.getoption("--update-golden") is False:
                # a missing golden file is a failure, not a silent pass
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
                pytest.fail(f"golden file {name} was missing; written now, re-run to compare")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            return
        assert text == path.read_text(), f"output differs from golden {name} (use --update-golden)"

    return check


@pytest.fixture(autouse=True)
def _no_interrupt_carried_over():  # type: ignore[no-untyped-def]
    """A Ctrl-C is run-wide (NOTE(interrupt) in checker/core/budget.py); a test that simulates
    one must not end the checks of the tests after it."""
    from checker.core.budget import clear_interrupt
    clear_interrupt()
    yield
    clear_interrupt()
