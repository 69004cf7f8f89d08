"""DOT captions and Mermaid notes are wrapped (long property docs made 3,900-pixel images)."""

from __future__ import annotations

import re

import pytest
from export_cases import CASES, TDX_CASES, Case, load

from checker.export import render
from checker.export.dot import CAPTION_WIDTH
from checker.export.mermaid import NOTE_WIDTH

LONG_DOC = TDX_CASES[1]   # S5: a 90-character doc


@pytest.mark.parametrize("case", CASES + TDX_CASES, ids=lambda c: c.name)
def test_dot_caption_lines_fit(case: Case) -> None:
    ts, trace, ctx = load(case)
    label = re.search(r'^  label="(.*)";$', render("dot", ts, trace, case.prop, ctx), re.M)
    assert label is not None
    lines = label.group(1).split("\\l")
    assert lines[-1] == "" and all(len(x.replace("\\\\", "\\")) <= CAPTION_WIDTH for x in lines)


@pytest.mark.parametrize("case", CASES + TDX_CASES, ids=lambda c: c.name)
def test_mermaid_notes_fit(case: Case) -> None:
    ts, trace, ctx = load(case)
    for line in render("mermaid", ts, trace, case.prop, ctx).splitlines():
        if line.lstrip().startswith("Note"):
            note = line.split(": ", 1)[1]
            assert all(len(x) <= NOTE_WIDTH + 1 for x in note.split("<br/>")), line


def test_long_doc_is_wrapped_not_cut() -> None:
    ts, trace, ctx = load(LONG_DOC)
    mmd = render("mermaid", ts, trace, LONG_DOC.prop, ctx)
    assert "Note over vm,module: VIOLATED S5: no vCPU SEAMCALL<br/>(VP.CREATE/INIT/ENTER/WR/FLUSH) after " \
           "VPFLUSHDONE succeeded<br/>(R2, R7)" in mmd
    dot = render("dot", ts, trace, LONG_DOC.prop, ctx)
    assert "S5 violated (no vCPU SEAMCALL\\l(VP.CREATE/INIT/ENTER/WR/FLUSH) after VPFLUSHDONE succeeded\\l" in dot
