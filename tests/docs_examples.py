"""The commands shown in README.md and docs/*.md, run and compared with the output the docs show.

    python -m tests.docs_examples            # check every doc (fast examples), print what differs
    python -m tests.docs_examples --update   # rewrite the shown outputs and exit codes to the real ones
    python -m tests.docs_examples --slow --update docs/cli.md   # include slow examples, one file

tests/test_docs.py runs the same check in the test suite. The syntax is in docs/examples.md:

- A fenced block tagged `console` is a transcript: `$ seamcheck ...` lines are commands, the lines
  after one (up to the next `$ ` line) its output (stdout and stderr, as a terminal shows them).
- A fenced block tagged `sh` holds commands without output; only their exit codes are checked.
- A command's trailing comment may state its exit code, `# exit 1` (default 0). A command may end
  in `| tail -N` or `| head -N`: the output is cut as those would cut it.
- In shown output: a line `…` stands for any number of lines (none included); `…` inside a line
  for any text on that line; `<time>` for a duration (`0.4s`, `12 ms`), `<num>` for a number
  (`59,249`, `0.25`); `<tmp>` is the scratch directory the examples run in, `<repo>` the checkout.
- An HTML comment right before a block says how to treat it: `<!-- docs-test: slow -->` (run only
  under `pytest -m slow`), `<!-- docs-test: skip (why) -->` (not run; the reason is required),
  `<!-- docs-test: usage -->` (a synopsis: each `seamcheck ...` line must name real commands and
  options, checked against the CLI), `<!-- docs-test: files SRC[:DEST]... -->` (copy these files of
  the checkout into the scratch directory, at DEST or under their own name). Directives combine with `;`.
- Any other block with a line that starts a seamcheck command is an error, so nothing drifts
  untested.

The examples of one doc run in order in one scratch directory holding copies of specs/ and
tests/specs/, in-process through click's CliRunner (cli.main), with NO_COLOR set.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shlex
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
COPIED = ("specs", "tests/specs")          # what every scratch directory holds
ELLIPSIS = "…"
PLACEHOLDERS = {
    ELLIPSIS: r".*?",
    "<time>": r"\d+(?:\.\d+)?\s?(?:ms|s|min|h)",
    "<num>": r"\d[\d,]*(?:\.\d+)?",
}
# what --update writes in place of varying parts of new output lines (timings and rates)
AUTO = ((re.compile(r"\d[\d,]*(?:\.\d+)? states/s"), "<num> states/s"),
        (re.compile(r"(?<![\w.])\d+(?:\.\d+)?\s?(?:ms|s)(?![\w/])"), "<time>"))
MARKER = re.compile(r"^\s*<!--\s*docs-test:\s*(.*?)\s*-->\s*$")
FENCE = re.compile(r"^(\s*)(```+)\s*([\w+-]*)")
COMMAND_LINE = re.compile(r"^\s*(?:\$\s+|-?\s*run:\s*)?seamcheck(?:\s|$)")
EXIT_NOTE = re.compile(r"\bexit (\d+)\b")
PIPE = re.compile(r"^(head|tail)\s+(?:-n\s*)?-?(\d+)$")


@dataclass(frozen=True)
class Directives:
    slow: bool = False
    skip: str | None = None        # the reason
    usage: bool = False
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class Block:
    doc: Path
    line: int                      # 1-based line of the opening fence
    lang: str
    body: tuple[str, ...]          # the lines between the fences
    directives: Directives


@dataclass(frozen=True)
class Command:
    """One command of a block: where it is in the doc and what it should do."""
    line: int                      # 0-based index in the doc of the command's (first) line
    text: str                      # the command line(s) as shown, without `$ `
    argv: tuple[str, ...]
    pipes: tuple[tuple[str, int], ...]
    exit: int
    output: tuple[str, ...] | None   # None: a `sh` command, output not shown
    out_span: tuple[int, int] = (0, 0)   # doc line indices [start, end) of the shown output


@dataclass
class Outcome:
    command: Command
    exit: int
    output: list[str] = field(default_factory=list)
    problem: str | None = None


# ---- reading the docs ---------------------------------------------------------------------------

def doc_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def parse_directives(text: str, where: str) -> Directives:
    d = Directives()
    for part in (p.strip() for p in text.split(";") if p.strip()):
        word, _, rest = part.partition(" ")
        if word == "slow" and not rest:
            d = Directives(True, d.skip, d.usage, d.files)
        elif word == "usage" and not rest:
            d = Directives(d.slow, d.skip, True, d.files)
        elif word == "skip" and re.fullmatch(r"\(.+\)", rest.strip()):
            d = Directives(d.slow, rest.strip()[1:-1], d.usage, d.files)
        elif word == "files" and rest.split():
            d = Directives(d.slow, d.skip, d.usage, d.files + tuple(rest.split()))
        else:
            raise ValueError(f"{where}: unknown docs-test directive {part!r} "
                             "(slow, skip (reason), usage, files SRC[:DEST]...)")
    return d


def blocks(doc: Path) -> Iterator[Block]:
    """The fenced blocks of a doc, each with the directives of the marker right before it."""
    lines = doc.read_text().splitlines()
    pending: tuple[int, str] | None = None
    i = 0
    while i < len(lines):
        m, fence = MARKER.match(lines[i]), FENCE.match(lines[i])
        if m:
            pending = (i, m.group(1))
        elif fence:
            end = _closing(lines, i, fence.group(2))
            where = f"{doc.name}:{i + 1}"
            d = parse_directives(pending[1], where) if pending else Directives()
            yield Block(doc, i + 1, fence.group(3), tuple(lines[i + 1:end]), d)
            pending, i = None, end
        elif lines[i].strip() and pending is not None:
            raise ValueError(f"{doc.name}:{pending[0] + 1}: a docs-test marker must come right before a block")
        i += 1
    if pending is not None:
        raise ValueError(f"{doc.name}:{pending[0] + 1}: a docs-test marker with no block after it")


def _closing(lines: list[str], start: int, ticks: str) -> int:
    for j in range(start + 1, len(lines)):
        if lines[j].strip() == ticks:
            return j
    raise ValueError(f"unclosed code fence at line {start + 1}")


def commands(block: Block) -> list[Command]:
    """The commands of a `console` or `sh` block, with their shown output (console only)."""
    base = block.line            # doc index of the first body line
    out: list[Command] = []
    i, body = 0, block.body
    while i < len(body):
        raw = body[i]
        if block.lang == "console" and not raw.startswith("$ "):
            if raw.strip():
                raise ValueError(f"{block.doc.name}:{base + i + 1}: output before any `$ ` command")
            i += 1
            continue
        if block.lang == "sh" and (not raw.strip() or raw.lstrip().startswith("#")):
            i += 1
            continue
        start = i
        text = raw[2:] if block.lang == "console" else raw
        while text.endswith("\\") and i + 1 < len(body):
            i += 1
            text = text[:-1].rstrip() + " " + body[i].strip()
        i += 1
        shown: tuple[str, ...] | None = None
        out_start = i
        if block.lang == "console":
            while i < len(body) and not body[i].startswith("$ "):
                i += 1
            shown = _trim(body[out_start:i])
        out.append(_command(block, base + start, text, shown,
                            (base + out_start, base + out_start + len(shown or ()))))
    return out


def _trim(lines: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    got = [s.rstrip() for s in lines]
    while got and not got[-1]:
        got.pop()
    return tuple(got)


def _command(block: Block, line: int, text: str, shown: tuple[str, ...] | None,
             out_span: tuple[int, int]) -> Command:
    where = f"{block.doc.name}:{line + 1}"
    m = re.search(r"\s#(?:\s|$)", text)
    code, comment = (text[:m.start()], text[m.start():]) if m else (text, "")
    stages = [s.strip() for s in code.split(" | ")]
    argv = tuple(shlex.split(stages[0]))
    if not argv or argv[0] != "seamcheck":
        raise ValueError(f"{where}: only seamcheck commands can run here ({text.strip()!r}); "
                         "mark the block `<!-- docs-test: skip (reason) -->`")
    pipes = []
    for s in stages[1:]:
        m = PIPE.match(s)
        if not m:
            raise ValueError(f"{where}: unsupported pipe {s!r} (only `| head -N`, `| tail -N`)")
        pipes.append((m.group(1), int(m.group(2))))
    note = EXIT_NOTE.search(comment)
    return Command(line, text, argv, tuple(pipes), int(note.group(1)) if note else 0, shown, out_span)


# ---- matching shown output with real output -----------------------------------------------------

def line_pattern(shown: str) -> re.Pattern[str]:
    parts = re.split("(" + "|".join(re.escape(p) for p in PLACEHOLDERS) + ")", shown)
    return re.compile("".join(PLACEHOLDERS.get(p, re.escape(p)) for p in parts) + r"\Z")


def matches(shown: tuple[str, ...] | list[str], real: list[str]) -> bool:
    """Does the real output fit the shown one, placeholders and `…` lines included?"""
    pats = [None if s.strip() == ELLIPSIS else line_pattern(s) for s in shown]
    ok = [[False] * (len(real) + 1) for _ in range(len(pats) + 1)]
    ok[len(pats)][len(real)] = True
    for i in range(len(pats) - 1, -1, -1):
        for j in range(len(real), -1, -1):
            p = pats[i]
            if p is None:
                ok[i][j] = ok[i + 1][j] or (j < len(real) and ok[i][j + 1])
            else:
                ok[i][j] = j < len(real) and bool(p.match(real[j])) and ok[i + 1][j + 1]
    return ok[0][0]


def updated(shown: tuple[str, ...], real: list[str]) -> list[str]:
    """The shown output brought up to date: lines that still match (placeholders, `…`) are kept,
    the others replaced by the real lines (timings and rates as placeholders). An edit-distance
    alignment: keep or absorb by `…` costs (almost) nothing, drop, insert or replace costs 1."""
    n, m = len(shown), len(real)
    pats = [None if s.strip() == ELLIPSIS else line_pattern(s) for s in shown]
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    move: dict[tuple[int, int], str] = {}
    cost[n][m] = 0.0
    for i in range(n, -1, -1):
        for j in range(m, -1, -1):
            if i == n and j == m:
                continue
            options: list[tuple[float, str]] = []
            p = pats[i] if i < n else None
            if i < n and p is None:
                options.append((cost[i + 1][j], "end…"))
                if j < m:
                    options.append((cost[i][j + 1] + 1e-3, "absorb"))
            if i < n and p is not None and j < m and p.match(real[j]):
                options.append((cost[i + 1][j + 1], "keep"))
            if i < n and p is not None:
                options.append((cost[i + 1][j] + 1, "drop"))
            if j < m:
                options.append((cost[i][j + 1] + 1, "insert"))
            if i < n and p is not None and j < m:
                options.append((cost[i + 1][j + 1] + 1, "replace"))
            cost[i][j], move[i, j] = min(options, key=lambda o: o[0])
    return _walk(shown, real, move)


def _walk(shown: tuple[str, ...], real: list[str], move: dict[tuple[int, int], str]) -> list[str]:
    out: list[str] = []
    i = j = 0
    while (i, j) in move:
        step = move[i, j]
        if step == "end…":
            if not out or out[-1] != shown[i]:
                out.append(shown[i])
            i += 1
        elif step == "absorb":
            if not out or out[-1] != shown[i]:
                out.append(shown[i])
            j += 1
        elif step == "keep":
            out.append(shown[i])
            i, j = i + 1, j + 1
        elif step == "drop":
            i += 1
        else:
            out.append(auto_placeholders(real[j]))
            i, j = (i + 1, j + 1) if step == "replace" else (i, j + 1)
    return out


def auto_placeholders(line: str) -> str:
    for rx, repl in AUTO:
        line = rx.sub(repl, line)
    return line


# ---- running ------------------------------------------------------------------------------------

def scratch(doc_blocks: list[Block], where: Path) -> Path:
    """A scratch copy of what the examples need: specs/, tests/specs/ and the files they name."""
    where.mkdir(parents=True, exist_ok=True)
    for rel in COPIED:
        shutil.copytree(ROOT / rel, where / rel, dirs_exist_ok=True)
    for b in doc_blocks:
        for f in b.directives.files:
            src, _, dest = f.partition(":")
            (where / (dest or Path(src).name)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / src, where / (dest or Path(src).name))
    return where


def run(cmd: Command, cwd: Path) -> Outcome:
    """Run one command in-process (click's CliRunner on cli.main) in cwd."""
    from click.testing import CliRunner

    import cli

    old = Path.cwd()
    os.chdir(cwd)
    try:
        r = CliRunner().invoke(cli.main, list(cmd.argv[1:]), prog_name="seamcheck",
                               env={"NO_COLOR": "1", "COLUMNS": "80"}, catch_exceptions=True)
    finally:
        os.chdir(old)
    text = r.output.replace(str(cwd.resolve()), "<tmp>").replace(str(cwd), "<tmp>").replace(str(ROOT), "<repo>")
    lines = [s.rstrip() for s in text.splitlines()]
    for kind, k in cmd.pipes:
        lines = lines[:k] if kind == "head" else lines[-k:]
    out = Outcome(cmd, r.exit_code, list(_trim(lines)))
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        out.problem = f"raised {r.exception!r}"
    elif r.exit_code != cmd.exit:
        out.problem = f"exit {r.exit_code}, the doc says {cmd.exit}"
    elif cmd.output is not None and not matches(cmd.output, out.output):
        out.problem = "output differs"
    return out


def check_usage(block: Block) -> list[str]:
    """Each `seamcheck ...` entry of a synopsis (with its indented continuation lines) names real
    commands and options, an option's `a|b|c` lists exactly its choices, and a full synopsis (one
    with an option in `[...]`) shows every option of its command."""
    problems = []
    for k, entry in _usage_entries(block):
        where = f"{block.doc.name}:{block.line + k + 1}"
        cmd, words = _subcommand(entry.split()[1:])
        params = {o: p for p in cmd.params for o in (*p.opts, *p.secondary_opts)}
        rest = " ".join(words)
        for opt in re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", rest):
            if opt not in params and opt != "--help":
                problems.append(f"{where}: `{cmd.name}` has no option {opt}")
        for opt, shown in re.findall(r"(?<![\w-])(--?[\w-]+)[ =]([\w-]+(?:\|[\w-]+)+)", rest):
            choices = getattr(params[opt].type, "choices", None) if opt in params else None
            if choices is not None and set(shown.split("|")) != set(choices):
                problems.append(f"{where}: {opt} takes {'|'.join(choices)}, the doc says {shown}")
        if "[-" in rest:           # a full synopsis (not a one-line summary): every option shown
            shown_opts = set(re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", rest))
            missing = sorted(p.opts[-1] for p in cmd.params
                             if p.opts and p.opts[0].startswith("-") and not shown_opts & {*p.opts, *p.secondary_opts})
            if missing:
                problems.append(f"{where}: the synopsis of `{cmd.name}` leaves out {', '.join(missing)}")
        if words and re.fullmatch(r"[a-z][a-z-]*", words[0]) and isinstance(cmd, click.Group):
            problems.append(f"{where}: no command `{words[0]}`")
    return problems


def _usage_entries(block: Block) -> list[tuple[int, str]]:
    """(index, text) of each `seamcheck ...` line, joined with the indented lines under it."""
    entries: list[tuple[int, str]] = []
    open_ = False
    for k, line in enumerate(block.body):
        text = line.split("#")[0]
        if COMMAND_LINE.match(line):
            entries.append((k, text))
            open_ = True
        elif open_ and line[:1].isspace() and line.strip():
            entries[-1] = (entries[-1][0], entries[-1][1] + " " + text)
        else:
            open_ = False
    return entries


def _subcommand(words: list[str]) -> tuple[click.Command, list[str]]:
    """The click command that words name (cli.main for none), and the words after its name."""
    import cli

    cmd: click.Command = cli.main
    while words and isinstance(cmd, click.Group) and words[0] in cmd.commands:
        cmd = cmd.commands[words.pop(0)]
    return cmd, words


def lint(doc_blocks: list[Block]) -> list[str]:
    """Blocks that show a seamcheck command but would not be run, and are not marked."""
    problems = []
    for b in doc_blocks:
        if b.lang in ("console", "sh") or b.directives.skip or b.directives.usage:
            continue
        for k, line in enumerate(b.body):
            if COMMAND_LINE.match(line):
                problems.append(f"{b.doc.name}:{b.line + k + 1}: a seamcheck command in a block that is not "
                                "run: tag it ```console or ```sh, or mark it <!-- docs-test: usage --> or "
                                "<!-- docs-test: skip (reason) -->")
    return problems


@dataclass
class DocRun:
    problems: list[str] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)


def run_doc(doc: Path, where: Path, slow: bool | None) -> DocRun:
    """Run a doc's examples: fast ones (slow=False), slow ones only (True) or all (None)."""
    result = DocRun()
    try:
        doc_blocks = list(blocks(doc))
        to_run = [(b, commands(b)) for b in doc_blocks
                  if b.lang in ("console", "sh") and not b.directives.skip and not b.directives.usage
                  and (slow is None or b.directives.slow == slow)]
    except ValueError as e:
        result.problems.append(str(e))
        return result
    result.problems += lint(doc_blocks)
    if slow is not True:
        for b in doc_blocks:
            result.problems += check_usage(b) if b.directives.usage else []
    cwd = scratch(doc_blocks, where)
    for _, cmds in to_run:
        for c in cmds:
            o = run(c, cwd)
            result.outcomes.append(o)
            if o.problem:
                result.problems.append(_report(doc, o))
    return result


def _report(doc: Path, o: Outcome) -> str:
    head = f"{doc.name}:{o.command.line + 1}: `{o.command.text.strip()}`: {o.problem}"
    if o.command.output is None or o.problem != "output differs":
        return head + ("\n" + "\n".join(o.output[-20:]) if o.problem and "exit" in o.problem else "")
    diff = difflib.unified_diff(list(o.command.output), updated(o.command.output, o.output),
                                "shown", "real", lineterm="", n=2)
    return head + "\n" + "\n".join(diff)


# ---- --update -----------------------------------------------------------------------------------

def rewrite(doc: Path, outcomes: list[Outcome]) -> bool:
    """Write the real outputs and exit codes into the doc; True if it changed."""
    lines = doc.read_text().splitlines(keepends=False)
    # bottom-up, so that the earlier spans stay valid
    for o in sorted(outcomes, key=lambda o: o.command.line, reverse=True):
        c = o.command
        if c.output is not None and not matches(c.output, o.output):
            lines[c.out_span[0]:c.out_span[1]] = updated(c.output, o.output)
        if o.exit != c.exit:          # the note goes on the command's last line
            last = c.out_span[0] - 1
            lines[last] = _with_exit(lines[last], o.exit)
    text = "\n".join(lines) + "\n"
    changed = text != doc.read_text()
    doc.write_text(text)
    return changed


def _with_exit(line: str, code: int) -> str:
    if EXIT_NOTE.search(line):
        new = EXIT_NOTE.sub(f"exit {code}", line) if code else re.sub(r"[;,]?\s*\bexit \d+\b", "", line)
        return re.sub(r"\s+#\s*$", "", new)
    if not code:
        return line
    return f"{line}; exit {code}" if re.search(r"\s#\s", line) else f"{line}   # exit {code}"


def _fresh(where: Path) -> Path:
    shutil.rmtree(where, ignore_errors=True)     # a verdict cache left there would change outputs
    return where


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.docs_examples", description=__doc__.splitlines()[0])
    ap.add_argument("docs", nargs="*", type=Path, help="docs to check (default: README.md and docs/*.md)")
    ap.add_argument("--update", action="store_true", help="rewrite shown outputs and exit codes to the real ones")
    ap.add_argument("--slow", action="store_true", help="also run the examples marked slow")
    ap.add_argument("--scratch", type=Path, default=Path("/tmp/seamcheck-docs"), help="where to run them")
    args = ap.parse_args(argv)
    failed = False
    for doc in [d.resolve() for d in args.docs] or doc_files():
        got = run_doc(doc, _fresh(args.scratch / doc.stem), None if args.slow else False)
        if args.update and rewrite(doc, got.outcomes):
            print(f"updated {doc.relative_to(ROOT)}")
            got = run_doc(doc, _fresh(args.scratch / doc.stem), None if args.slow else False)
        for p in got.problems:
            print(p, file=sys.stderr)
        failed |= bool(got.problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
