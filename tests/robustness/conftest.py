"""Robustness tests: the large fuzz budget runs only with `pytest -m fuzz`; inputs tried are counted.

Every fuzz target counts the inputs it tried; at the end of the session the counts are written to
tests/robustness/.fuzz-stats/<budget>.json (ignored by git) for docs/robustness.md.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fuzzstats import TRIED

STATS_DIR = Path(__file__).resolve().parent / ".fuzz-stats"


def fuzz_selected(config: pytest.Config) -> bool:
    m = config.getoption("-m", default="") or ""
    return "fuzz" in m and "not fuzz" not in m


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if fuzz_selected(config):
        return
    skip = pytest.mark.skip(reason="large fuzz budget: run with `pytest -m fuzz`")
    here = Path(__file__).resolve().parent
    for item in items:
        if "fuzz" in item.keywords and here in Path(str(item.path)).resolve().parents:
            item.add_marker(skip)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not TRIED:
        return
    budget = "large" if fuzz_selected(session.config) else "normal"
    STATS_DIR.mkdir(exist_ok=True)
    data = {"budget": budget, "inputs_tried": dict(sorted(TRIED.items())), "total": sum(TRIED.values())}
    (STATS_DIR / f"{budget}.json").write_text(json.dumps(data, indent=2) + "\n")
