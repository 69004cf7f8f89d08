"""Every command shown in README.md and docs/*.md runs and prints what the doc shows.

The runner and the placeholder syntax are in tests/docs_examples.py (docs/examples.md); after an
intended change of output, `python -m tests.docs_examples --update` rewrites the docs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.docs_examples import (
    Block,
    Directives,
    blocks,
    check_usage,
    commands,
    doc_files,
    lint,
    matches,
    parse_directives,
    rewrite,
    run_doc,
    updated,
)

DOCS = doc_files()
HINT = "\n(after an intended output change: python -m tests.docs_examples --update)"


def _slow_selected(config: pytest.Config) -> bool:
    m = config.getoption("-m", default="") or ""
    return "slow" in m and "not slow" not in m


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
def test_doc_examples(doc: Path, tmp_path: Path) -> None:
    got = run_doc(doc, tmp_path, slow=False)
    assert not got.problems, "\n\n".join(got.problems) + HINT


@pytest.mark.slow
@pytest.mark.parametrize("doc", [d for d in DOCS if any(b.directives.slow for b in blocks(d))],
                         ids=lambda d: d.name)
def test_doc_slow_examples(doc: Path, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    if not _slow_selected(request.config):
        pytest.skip("examples marked <!-- docs-test: slow -->: run with `pytest -m slow`")
    got = run_doc(doc, tmp_path, slow=True)
    assert got.outcomes, "a slow block ran no command"
    assert not got.problems, "\n\n".join(got.problems) + HINT


def test_docs_show_commands() -> None:
    """The docs have examples at all: a broken extractor must not pass by finding none."""
    found = {d.name: sum(len(commands(b)) for b in blocks(d) if b.lang in ("console", "sh")
                         and not b.directives.skip) for d in DOCS}
    assert found["README.md"] >= 8 and found["cli.md"] >= 12, found


# ---- the placeholder syntax ---------------------------------------------------------------------

def test_placeholders() -> None:
    assert matches(["a", "…", "z"], ["a", "z"])                       # … stands for no line
    assert matches(["a", "…", "z"], ["a", "b", "c", "z"])             # or for several
    assert not matches(["a", "…", "z"], ["a", "b"])
    assert matches(["explicit: 32 states, <num> states/s"], ["explicit: 32 states, 59,249 states/s"])
    assert not matches(["explicit: 32 states, <num> states/s"], ["explicit: 34 states, 59 states/s"])
    assert matches(["took <time> in all"], ["took 0.25s in all"])
    assert matches(["took <time> in all"], ["took 12 ms in all"])
    assert not matches(["took <time> in all"], ["took a while in all"])
    assert matches(["spec counter. …"], ["spec counter. A bounded counter."])
    assert not matches(["spec counter. …"], ["spec other. A bounded counter."])
    assert not matches(["a (b)"], ["a (b) and more"])                  # whole lines, regex-escaped
    assert not matches(["a"], ["a", "b"])


def test_update_keeps_placeholders_and_replaces_what_changed() -> None:
    shown = ("head", "  explicit: 20 states, <num> states/s", "…", "4 properties: 4 as expected")
    real = ["head", "  explicit: 20 states, 1,234 states/s", "x", "y", "5 properties: 5 as expected"]
    assert updated(shown, real) == ["head", "  explicit: 20 states, <num> states/s", "…",
                                    "5 properties: 5 as expected"]
    assert updated((), ["a 3.5s run", "b 12 states/s"]) == ["a <time> run", "b <num> states/s"]


def _doc(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "x.md"
    p.write_text(text)
    return p


def test_unmarked_commands_fail(tmp_path: Path) -> None:
    doc = _doc(tmp_path, "```\n$ seamcheck check specs/x.yaml\n```\n\n```yaml\nrun: seamcheck ci\n```\n"
                         "\n<!-- docs-test: skip (a workflow) -->\n```yaml\nrun: seamcheck ci\n```\n")
    problems = lint(list(blocks(doc)))
    assert [p.split(":")[1] for p in problems] == ["2", "6"]


def test_markers(tmp_path: Path) -> None:
    assert parse_directives("slow; files a.json b:c/d.yaml", "x") == Directives(True, None, False,
                                                                                 ("a.json", "b:c/d.yaml"))
    assert parse_directives("skip (installs it)", "x").skip == "installs it"
    for bad in ("skip", "skip no parens", "fast", "files"):
        with pytest.raises(ValueError, match="unknown docs-test directive"):
            parse_directives(bad, "x")
    with pytest.raises(ValueError, match="no block after it"):
        list(blocks(_doc(tmp_path, "<!-- docs-test: slow -->\n")))
    with pytest.raises(ValueError, match="right before a block"):
        list(blocks(_doc(tmp_path, "<!-- docs-test: slow -->\ntext\n```sh\nseamcheck --help\n```\n")))


def test_commands_and_exit_notes(tmp_path: Path) -> None:
    doc = _doc(tmp_path, "```console\n$ seamcheck ci specs | tail -1   # cached; exit 1\nlast\n\n"
                         "$ seamcheck show \\\n    specs/a.yaml\nout\n```\n")
    (b,) = blocks(doc)
    c1, c2 = commands(b)
    assert (c1.argv, c1.pipes, c1.exit, c1.output) == (("seamcheck", "ci", "specs"), (("tail", 1),), 1, ("last",))
    assert (c2.argv, c2.exit, c2.output, c2.line) == (("seamcheck", "show", "specs/a.yaml"), 0, ("out",), 4)
    bad = _doc(tmp_path, "```sh\npip install seamcheck\n```\n")
    with pytest.raises(ValueError, match="only seamcheck commands"):
        commands(next(blocks(bad)))


def test_usage_blocks_name_real_options() -> None:
    good = Block(Path("x.md"), 1, "", ("seamcheck check SPEC...   # a summary: options not listed",
                                       "seamcheck graph SPEC [-p NAME=VALUE]... [--variant V] [-f dot|graphml]",
                                       "                [--max-states N] [-o OUT]"), Directives(usage=True))
    assert check_usage(good) == []
    bad = Block(Path("x.md"), 1, "", ("seamcheck check SPEC [--no-such-option]", "seamcheck frobnicate X",
                                      "seamcheck graph SPEC [-p NAME=VALUE]... [-f dot|svg]"),
                Directives(usage=True))
    got = check_usage(bad)
    # (the lists of left-out options grow with the CLI: only their start is pinned here)
    assert [g.split(" leaves out ")[0] for g in got] == [
        "x.md:2: `check` has no option --no-such-option",
        "x.md:2: the synopsis of `check`",
        "x.md:3: no command `frobnicate`",
        "x.md:4: -f takes dot|graphml, the doc says dot|svg",
        "x.md:4: the synopsis of `graph`",
    ]
    assert {"--depth", "--param", "--variant"} <= set(got[1].split(" leaves out ")[1].split(", "))
    assert {"--max-states", "--output", "--variant"} <= set(got[4].split(" leaves out ")[1].split(", "))


def test_a_wrong_output_fails_and_update_fixes_it(tmp_path: Path) -> None:
    doc = _doc(tmp_path, "Intro.\n\n```console\n$ seamcheck check specs/examples/counter.yaml --no-trace\n"
                         "specs/examples/counter.yaml\n  explicit: 99 states\n```\n\n"
                         "```sh\nseamcheck check specs/no/such.yaml\n```\n")
    got = run_doc(doc, tmp_path / "run", slow=False)
    assert len(got.problems) == 2
    assert "output differs" in got.problems[0] and "-  explicit: 99 states" in got.problems[0]
    assert "exit 2, the doc says 0" in got.problems[1]
    assert rewrite(doc, got.outcomes)
    text = doc.read_text()
    assert "seamcheck check specs/no/such.yaml   # exit 2\n" in text
    assert re.search(r"explicit: \d+ states, \d+ transitions, .*<num> states/s", text)
    assert not run_doc(doc, tmp_path / "again", slow=False).problems
