"""Results: the CSV, the markdown tables for bench/README.md, and the ratios against SPIN."""

from __future__ import annotations

import csv
import os
import platform
import statistics
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bench.seam import Measurement

TARGET = 10.0            # seamcheck explicit search time within 10x of SPIN without POR
MEANINGFUL_S = 0.1       # SPIN searches shorter than this are mostly process start-up
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"

COLUMNS = ["model", "size", "tool", "status", "states", "transitions", "search_s", "total_s",
           "states_per_s", "verdict", "depth", "note"]


@dataclass(frozen=True)
class Row:
    model: str
    size: str
    m: Measurement

    def cells(self) -> list[str]:
        m = self.m
        return [self.model, self.size, m.tool, m.status, _s(m.states), _s(m.transitions), _f(m.search_s),
                _f(m.total_s), _f(m.states_per_s, 0), m.verdict, _s(m.depth), m.note]


def _s(x: object) -> str:
    return "" if x is None else str(x)


def _f(x: float | None, digits: int = 4) -> str:
    return "" if x is None else f"{x:.{digits}f}"


def read_csv(path: Path) -> list[Row]:
    """The rows of a results.csv written by write_csv (to re-render the tables)."""
    def num(x: str, kind: type) -> float | int | None:
        return kind(x) if x else None

    rows = []
    with path.open(newline="") as f:
        for d in csv.DictReader(f):
            m = Measurement(d["tool"], d["status"], num(d["states"], int), num(d["transitions"], int),  # type: ignore[arg-type]
                            num(d["search_s"], float), num(d["total_s"], float), d["verdict"],  # type: ignore[arg-type]
                            num(d["depth"], int), d["note"])  # type: ignore[arg-type]
            rows.append(Row(d["model"], d["size"], m))
    return rows


def previous_run(readme: Path) -> tuple[str, list[str]]:
    """The command and machine lines of the results section already in the README."""
    text = readme.read_text() if readme.exists() else ""
    block = text.split(BEGIN, 1)[1].split(END, 1)[0] if BEGIN in text else ""
    lines = block.split("### Target", 1)[0].splitlines()
    command = next((ln for ln in lines if ln.startswith("python ")), "python bench/run.py")
    return command, [ln[2:] for ln in lines if ln.startswith("- ")]


def write_csv(rows: Iterable[Row], path: Path) -> None:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for r in rows:
            w.writerow(r.cells())


def machine(spin_version: str | None) -> list[str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import z3
        z3v = z3.get_version_string()
    except ImportError:
        z3v = "not installed"
    gcc = subprocess.run(["gcc", "--version"], capture_output=True, text=True, check=False).stdout.splitlines()
    return [f"nproc: {os.cpu_count()}", f"CPU: {cpu}", f"OS: {platform.platform()}",
            f"Python: {platform.python_version()}", f"z3: {z3v}", f"SPIN: {spin_version or 'not available'}",
            f"gcc: {gcc[0] if gcc else 'not available'}", f"load average at start: {load_average()}"]


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


@dataclass
class Line:
    """One model at one size: every tool's measurement."""

    model: str
    size: str
    by_tool: dict[str, Measurement]

    def get(self, tool: str) -> Measurement | None:
        return self.by_tool.get(tool)

    def done(self, tool: str) -> Measurement | None:
        m = self.by_tool.get(tool)
        return m if m is not None and m.status == "done" else None

    def agreement(self) -> str:
        a, b = self.done("seam"), self.done("spin")
        if a is None or b is None:
            return "-"
        return "yes" if a.states == b.states else f"MISMATCH ({a.states} vs {b.states})"

    def ratio(self, num: str, den: str) -> float | None:
        a, b = self.done(num), self.done(den)
        if a is None or b is None or not a.search_s or not b.search_s:
            return None
        return a.search_s / b.search_s


def lines(rows: list[Row]) -> list[Line]:
    out: dict[tuple[str, str], Line] = {}
    for r in rows:
        out.setdefault((r.model, r.size), Line(r.model, r.size, {})).by_tool[r.m.tool] = r.m
    return list(out.values())


def _cell(m: Measurement | None, what: str) -> str:
    if m is None:
        return ""
    if m.status != "done":
        part = f" ({m.states:,} st)" if m.states else ""
        return f"{m.status}{part}" if what == "s" else ""
    if what == "states":
        return f"{m.states:,}" if m.states is not None else ""
    return f"{m.search_s:.3f}" if m.search_s is not None else ""


def _r(x: float | None) -> str:
    if x is None:
        return ""
    return f"{x:.2f}x" if x < 1 else f"{x:.1f}x"


def explicit_table(ls: list[Line]) -> list[str]:
    head = ["model", "size", "states", "SPIN states", "agree", "seamcheck s", "seamcheck st/s",
            "sym states", "sym s", "SPIN s", "SPIN POR states", "SPIN POR s", "seam/SPIN", "seam/SPIN-POR",
            "sym/SPIN"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for ln in ls:
        if not any(t in ln.by_tool for t in ("seam", "seam-sym", "spin", "spin-por")):
            continue
        seam, spin, por, sym = ln.get("seam"), ln.get("spin"), ln.get("spin-por"), ln.get("seam-sym")
        sps = f"{seam.states_per_s:,.0f}" if seam is not None and seam.status == "done" and seam.states_per_s else ""
        na = sym is not None and sym.status == "unavailable"
        symst = "n/a" if na else _cell(sym, "states")
        syms = "n/a" if na else _cell(sym, "s")
        out.append("| " + " | ".join([
            ln.model, ln.size, _cell(seam, "states"), _cell(spin, "states"), ln.agreement(), _cell(seam, "s"), sps,
            symst, syms, _cell(spin, "s"), _cell(por, "states"), _cell(por, "s"),
            _r(ln.ratio("seam", "spin")), _r(ln.ratio("seam", "spin-por")), _r(ln.ratio("seam-sym", "spin"))]) + " |")
    return out


def smt_table(ls: list[Line]) -> list[str]:
    head = ["model", "size", "engine", "verdict", "depth / k", "s", "s per depth", "note"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for ln in ls:
        for eng in ("bmc", "kind", "pdr"):
            m = ln.get(eng)
            if m is None:
                continue
            per = ""
            if eng == "bmc" and m.depth is not None and m.search_s:
                per = f"{m.search_s / (m.depth + 1):.3f}"
            s = f"{m.search_s:.2f}" if m.search_s is not None else m.status
            out.append("| " + " | ".join([ln.model, ln.size, eng, m.verdict or m.status, _s(m.depth), s, per,
                                          m.note.replace("|", "/")[:80]]) + " |")
    return out


def _size_key(size: str) -> dict[str, int]:
    return {k: int(v) for k, v in (p.split("=") for p in size.split() if "=" in p)}


def _frontier(sizes: list[str]) -> list[str]:
    """The finished sizes no other finished size is at least as large as in every parameter."""
    keys = [_size_key(s) for s in sizes]

    def below(a: dict[str, int], b: dict[str, int]) -> bool:
        return a != b and all(a.get(k, 0) <= b.get(k, 0) for k in set(a) | set(b))

    return [s for s, k in zip(sizes, keys) if not any(below(k, o) for o in keys)]


def reach_table(ls: list[Line], tools: list[str]) -> list[str]:
    """The largest sizes each tool finished, per model (several where sizes have two parameters)."""
    models = list(dict.fromkeys(ln.model for ln in ls))
    out = ["| model | " + " | ".join(tools) + " |", "|" + "---|" * (len(tools) + 1)]
    for model in models:
        cells = []
        for t in tools:
            mine = [ln for ln in ls if ln.model == model and ln.get(t) is not None]
            done = [ln.size for ln in mine if ln.done(t)]
            if done:
                cells.append(", ".join(_frontier(done)))
            elif not mine or all(ln.get(t).status == "unavailable" for ln in mine):  # type: ignore[union-attr]
                cells.append("n/a" if mine else "")
            else:
                cells.append("none")
        out.append(f"| {model} | " + " | ".join(cells) + " |")
    return out


@dataclass(frozen=True)
class Verdict10x:
    met: bool | None
    rows: int
    median: float | None
    worst: float | None
    worst_at: str
    por_median: float | None
    sym_median: float | None

    def sentence(self) -> str:
        if self.met is None:
            return (f"Target (seamcheck explicit within {TARGET:.0f}x of SPIN without POR): not assessable: "
                    f"no run where both finished and SPIN's search took at least {MEANINGFUL_S} s.")
        word = "MET" if self.met else "NOT MET"
        return (f"Target (seamcheck explicit search within {TARGET:.0f}x of SPIN's without POR): **{word}**. "
                f"Over the {self.rows} runs where both finished and SPIN's search took at least {MEANINGFUL_S} s, "
                f"seamcheck/SPIN search time is {self.median:.1f}x at the median and {self.worst:.1f}x at worst "
                f"({self.worst_at}); against SPIN with POR the median is {_r(self.por_median) or 'n/a'}; "
                f"seamcheck with symmetry reduction against SPIN without POR: {_r(self.sym_median) or 'n/a'} "
                f"(median where the spec declares a symmetric set).")


def _median(xs: list[float]) -> float | None:
    return statistics.median(xs) if xs else None


def target(ls: list[Line]) -> Verdict10x:
    def big(ln: Line, den: str) -> bool:
        m = ln.done(den)
        return m is not None and (m.search_s or 0) >= MEANINGFUL_S

    pairs = [(ln.ratio("seam", "spin"), ln) for ln in ls if big(ln, "spin") and ln.ratio("seam", "spin")]
    por = [r for ln in ls if big(ln, "spin-por") and (r := ln.ratio("seam", "spin-por"))]
    sym = [r for ln in ls if big(ln, "spin") and (r := ln.ratio("seam-sym", "spin"))]
    if not pairs:
        return Verdict10x(None, 0, None, None, "", _median(por), _median(sym))
    worst, at = max(pairs, key=lambda p: p[0] or 0)
    rs = [r for r, _ in pairs if r is not None]
    return Verdict10x(max(rs) <= TARGET, len(rs), _median(rs), worst, f"{at.model} {at.size}",
                      _median(por), _median(sym))


def _elements(size: str) -> int:
    """The symmetric set's size of a swept size: V (TDX vCPUs) or N (symlock processes)."""
    d = _size_key(size)
    return d.get("V", d.get("N", 0))


def symmetry_sentence(ls: list[Line]) -> str:
    """Issue target: with symmetry reduction, faster than SPIN (no POR) from 4 elements up."""
    wins, losses, open_ = [], [], 0
    for ln in ls:
        sym, spin = ln.get("seam-sym"), ln.get("spin")
        if sym is None or spin is None or sym.status == "unavailable" or _elements(ln.size) < 4:
            continue
        quick = ln.done("spin") is not None and (spin.search_s or 0) < MEANINGFUL_S
        if quick:
            continue                    # start-up, not search (as for the 10x target)
        if ln.done("seam-sym") and ln.done("spin"):
            (wins if (ln.ratio("seam-sym", "spin") or 0) < 1 else losses).append(ln)
        elif ln.done("seam-sym"):
            wins.append(ln)             # SPIN did not finish within the limit
        elif ln.done("spin"):
            losses.append(ln)
        else:
            open_ += 1
    if not wins and not losses:
        return "Target (with symmetry reduction, faster than SPIN from 4 vCPUs up): not assessable in this run."
    word = "MET" if not losses else "NOT MET"
    worst = max((ln.ratio("seam-sym", "spin") or 0 for ln in wins if ln.done("spin")), default=None)
    lost = ", ".join(f"{ln.model} {ln.size}" for ln in losses) or "none"
    return (f"Target (with symmetry reduction, faster than SPIN without POR from 4 vCPUs/processes up): "
            f"**{word}**. Over the runs where SPIN searched at least {MEANINGFUL_S} s or did not finish: faster at {len(wins)} (model, size) pairs (SPIN did not finish at "
            f"{sum(1 for ln in wins if not ln.done('spin'))} of them; slowest ratio where both finished: "
            f"{_r(worst) or 'n/a'}), slower at {len(losses)} ({lost}); neither finished at {open_}.")


def agreement_lines(ls: list[Line]) -> list[str]:
    per: dict[str, list[str]] = {}
    for ln in ls:
        per.setdefault(ln.model, []).append(ln.agreement())
    out = []
    for model, ags in per.items():
        checked = [a for a in ags if a != "-"]
        bad = [a for a in checked if a != "yes"]
        word = "no Promela peer or no size finished by both" if not checked else (
            f"agree at all {len(checked)} sizes both finished" if not bad else f"MISMATCH at {len(bad)} of {len(checked)}")
        out.append(f"- {model}: {word}")
    return out


def markdown(rows: list[Row], header: list[str], command: str) -> str:
    ls = lines(rows)
    verdict = target(ls)
    parts = [BEGIN, "", "### Run", "", "```sh", command, "```", "", *(f"- {h}" for h in header), "",
             "### Target", "", verdict.sentence(), "", symmetry_sentence(ls), "", "### State-count agreement (seamcheck without symmetry vs "
             "SPIN -DNOREDUCE)", "", *agreement_lines(ls), "", "### Explicit state: seamcheck vs SPIN", "",
             "Times are seconds of search (seamcheck: `explore`; SPIN: the `pan` process). A status instead of a "
             "time means the run did not finish (st: states stored by then).", "", *explicit_table(ls), "",
             "### How far each tool got (largest size finished)", "",
             *reach_table(ls, ["seam", "seam-sym", "spin", "spin-por", "bmc", "kind", "pdr"]), "",
             "### SMT engines (one property per model, see bench/cases.py)", "", *smt_table(ls), "", END]
    return "\n".join(parts)


def update_readme(path: Path, block: str) -> None:
    text = path.read_text() if path.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text:
        text += f"\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1] if END in rest else ""
    path.write_text(head + block + tail)
