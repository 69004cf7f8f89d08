"""The benchmark runner: seamcheck and SPIN side by side, in one run on one machine.

    python bench/run.py                  # everything, 60 s per run (see bench/README.md)
    python bench/run.py --quick          # a smoke run of about two minutes
    python bench/run.py --only dining symlock --time-limit 20

Writes bench/results.csv and the results section of bench/README.md, and prints one line per
measurement, then the ratios. Exit status 1 when a state count disagrees with SPIN's.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import cases, report, seam, spin  # noqa: E402
from bench.cases import Model, Run, Size  # noqa: E402
from bench.seam import Measurement  # noqa: E402

TOOLS = ["seam", "seam-sym", "spin", "spin-por", "bmc", "kind", "pdr"]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=None, help="seconds per run and tool (default 60; 10 with --quick)")
    ap.add_argument("--quick", action="store_true", help="small sizes, the v6_16 TDX variant only (~2 minutes)")
    ap.add_argument("--only", nargs="*", help="model families (counter peterson dining retry spinlock symlock tdx)")
    ap.add_argument("--tdx-variants", nargs="*", help="TDX variants (default: every one in the spec)")
    ap.add_argument("--tools", nargs="*", default=TOOLS, choices=TOOLS, help="tools to measure")
    ap.add_argument("--smt-tdx-variants", nargs="*", help="TDX variants the SMT engines run on (default: all)")
    ap.add_argument("--bmc-depth", type=int, default=None, help="BMC / k-induction bound (default 30; 10 with --quick)")
    ap.add_argument("--csv", type=Path, default=ROOT / "bench" / "results.csv")
    ap.add_argument("--readme", type=Path, default=ROOT / "bench" / "README.md")
    ap.add_argument("--no-readme", action="store_true", help="do not touch bench/README.md")
    ap.add_argument("--render-only", action="store_true",
                    help="measure nothing: re-render the README tables from --csv (after a report change)")
    a = ap.parse_args(argv)
    a.time_limit = a.time_limit or (10.0 if a.quick else 60.0)
    a.bmc_depth = a.bmc_depth or (10 if a.quick else 30)
    return a


class Sweep:
    """Runs every tool over one model's sizes, each tool stopping where it stopped finishing."""

    def __init__(self, args: argparse.Namespace, have_spin: bool):
        self.args, self.have_spin = args, have_spin
        self.rows: list[report.Row] = []

    def model(self, m: Model) -> None:
        failed: dict[str, list[Size]] = {t: [] for t in self.args.tools}
        if "seam-sym" in failed and not seam.has_symmetry(cases.run_of(m, m.sizes[min(1, len(m.sizes) - 1)])):
            failed.pop("seam-sym")
            self._record(cases.run_of(m, m.sizes[0]), Measurement("seam-sym", "unavailable",
                                                                  note="no symmetric index set in the spec"))
        spin_counts: list[int] = []
        for size in self._sizes(m):
            run = cases.run_of(m, size)
            got: dict[str, Measurement] = {}
            for tool in failed:
                if cases.dominated(size, failed[tool]) or self._skip(tool, m, size):
                    continue
                est = self._estimate(got, spin_counts)
                got[tool] = self._measure(tool, run, est)
                self._record(run, got[tool])
                if got[tool].status not in ("done", "unavailable"):
                    failed[tool].append(size)
            if "spin" in got and got["spin"].status == "done" and got["spin"].states:
                spin_counts.append(got["spin"].states)

    def _sizes(self, m: Model) -> tuple[Size, ...]:
        if self.args.quick and m.family != "tdx":
            return m.sizes[:5] if m.family == "symlock" else m.sizes[:3]
        return m.sizes

    def _skip(self, tool: str, m: Model, size: Size) -> bool:
        if tool.startswith("spin") and not self.have_spin:
            return True
        smt_only = self.args.smt_tdx_variants
        if tool in ("bmc", "kind", "pdr") and m.family == "tdx" and smt_only is not None and m.variant not in smt_only:
            return True
        # in quick mode the SMT engines run on the smallest size only
        return self.args.quick and tool in ("bmc", "kind", "pdr") and size != m.sizes[0]

    @staticmethod
    def _estimate(got: dict[str, Measurement], spin_counts: list[int]) -> int:
        """The expected state count, to size SPIN's hash table and depth limit."""
        seam_done = got.get("seam")
        if seam_done is not None and seam_done.status == "done" and seam_done.states:
            return seam_done.states
        if len(spin_counts) >= 2 and spin_counts[-2] > 0:
            growth = max(2.0, spin_counts[-1] / spin_counts[-2])
            return int(spin_counts[-1] * growth * 1.5)
        return max(30 * spin_counts[-1], 1 << 20) if spin_counts else 1 << 22

    def _measure(self, tool: str, run: Run, est: int) -> Measurement:
        lim = self.args.time_limit
        if tool in ("seam", "seam-sym"):
            return seam.explicit(run, lim, symmetry=tool == "seam-sym")
        if tool in ("spin", "spin-por"):
            return spin.measure(run, reduce=tool == "spin-por", limit_s=lim, estimate=est)
        return seam.smt(run, tool, lim, self.args.bmc_depth)

    def _record(self, run: Run, m: Measurement) -> None:
        self.rows.append(report.Row(run.model.name, run.label, m))
        report.write_csv(self.rows, self.args.csv)     # a run cut short keeps what it measured
        states = f"{m.states:,}" if m.states is not None else "-"
        secs = f"{m.search_s:.3f}s" if m.search_s is not None else "-"
        extra = f" {m.verdict}" if m.verdict and m.verdict != "complete" else ""
        print(f"  {run.model.name:34} {run.label:10} {m.tool:9} {m.status:11} {states:>12} states {secs:>10}"
              f"{extra}{'  ' + m.note if m.note else ''}", flush=True)


def command_line(argv: list[str] | None) -> str:
    args = sys.argv[1:] if argv is None else argv
    return " ".join(["python bench/run.py", *args])


def render_only(args: argparse.Namespace) -> int:
    rows = report.read_csv(args.csv)
    command, header = report.previous_run(args.readme)
    report.update_readme(args.readme, report.markdown(rows, header, command))
    return summarize(rows)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.render_only:
        return render_only(args)
    spin_version = spin.ensure_spin() if any(t.startswith("spin") for t in args.tools) else None
    header = report.machine(spin_version)
    for h in header:
        print(h)
    t0 = time.monotonic()
    sweep = Sweep(args, spin_version is not None)
    for m in cases.catalogue(args.quick, args.only, args.tdx_variants):
        print(f"{m.name}:", flush=True)
        sweep.model(m)
    header.append(f"time limit per run: {args.time_limit:g} s; BMC / k-induction bound {args.bmc_depth}; "
                  f"whole run {time.monotonic() - t0:.0f} s; load average at the end: {report.load_average()}")
    report.write_csv(sweep.rows, args.csv)
    block = report.markdown(sweep.rows, header, command_line(argv))
    if not args.no_readme:
        report.update_readme(args.readme, block)
    return summarize(sweep.rows)


def summarize(rows: list[report.Row]) -> int:
    ls = report.lines(rows)
    print()
    print(report.target(ls).sentence())
    print(report.symmetry_sentence(ls))
    bad = [ln for ln in ls if ln.agreement().startswith("MISMATCH")]
    for ln in bad:
        print(f"!!! STATE COUNT MISMATCH: {ln.model} {ln.size}: {ln.agreement()}", file=sys.stderr)
    for line in report.agreement_lines(ls):
        print(line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
