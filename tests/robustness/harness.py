"""Shared checks for the robustness tests: an input yields a result or a located SpecError, never
a traceback. `outcome` runs a front-end call and classifies what came back."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from fuzzstats import TRIED

from model.diagnostics import SpecError, render_all

T = TypeVar("T")
CODE = re.compile(r"SC[1-5][0-9][0-9]")


def check_error(e: SpecError, path: str | None, located: bool = True) -> None:
    """A well-formed SpecError: diagnostics with codes, messages and (when `located`) a span
    inside `path`; and rendering it never fails."""
    assert e.diagnostics, "a SpecError without diagnostics"
    for d in e.diagnostics:
        assert CODE.fullmatch(d.code), d
        assert d.message.strip(), d
        if located:
            assert d.span is not None, f"unlocated: {d}"
        if d.span is not None:
            assert d.span.line >= 1 and d.span.col >= 1, d
            if path is not None:
                assert d.span.file == path, d
    text = render_all(e.diagnostics, e.sources)
    assert "Traceback" not in text


def outcome(target: str, fn: Callable[[], T], path: str | None = "<fuzz>", located: bool = True) -> T | SpecError:
    """Run fn: its result, or the SpecError it raised (checked); any other exception propagates
    and fails the test (hypothesis then shrinks the input)."""
    TRIED[target] += 1
    try:
        return fn()
    except SpecError as e:
        check_error(e, path, located)
        return e
