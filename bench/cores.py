"""seamcheck and SPIN on one core and on several, in one run: `python bench/cores.py`.

For each model and size, one after the other and each in a child process: seamcheck's explicit
search (`explore(..., cores=1)` and `cores=N`, checker/explicit/vector_par.py) and SPIN's pan
(`-DSAFETY -DNOREDUCE`, without and with `-DNCORE=N`). Prints one markdown row per size with
the search times, the speed-up of each tool (1 core / N cores, measured back to back) and the
load average before the row, and checks that the four state counts agree. A tool goes on to a
larger size only while it finished every smaller one within --time-limit. With --repeat K each
seamcheck search runs K times (alternating 1 and N cores) and the row shows, per search, the run
that took the least CPU time: on a loaded machine a run's CPU time grows with what the other
processes do to the caches, and the least is the closest to the search's own cost.

    python bench/cores.py                                 # dining, symlock, filter, tdx; 2 cores
    python bench/cores.py --only symlock --sizes 7 8 --time-limit 150 --repeat 3
    python bench/cores.py --only tdx --sizes V=3,P=2
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import seam, spin  # noqa: E402
from bench.cases import ROOT, TDX_SPEC, Model, Run, Size, run_of, tdx_defines, tdx_variants  # noqa: E402
from bench.seam import Measurement  # noqa: E402

EX = ROOT / "specs" / "examples"
TDX_VARIANT = "v6_16"           # the search goes past its expected violations (pan -c0), so it is complete
FAMILIES: dict[str, tuple[Model, list[Size]]] = {
    "dining": (Model("dining", "naive", EX / "dining.yaml", "deadlock", (), "dining.pml", (("ORDERED", "0"),)),
               [(("N", n),) for n in (12, 14, 15, 16, 17, 18)]),
    "symlock": (Model("symlock", None, ROOT / "bench" / "specs" / "symlock.yaml", "mutex", (), "symlock.pml"),
                [(("N", n),) for n in (6, 7, 8)]),
    "filter": (Model("filter", None, ROOT / "bench" / "specs" / "filter_twin.yaml", "mutex", (), "filter.pml"),
               [(("N", n),) for n in (4, 5, 6)]),
    "tdx": (Model("tdx", TDX_VARIANT, TDX_SPEC, "S1", (), "tdx_teardown.pml",
                  tdx_defines(tdx_variants()[TDX_VARIANT]) if TDX_SPEC.exists() else ()),
            [(("V", v), ("P", p)) for v, p in ((2, 2), (3, 2), (3, 3), (4, 2))]),
}


def size_of(family: str, text: str) -> Size:
    """`7` (the family's one parameter) or `V=3,P=2`."""
    if "=" not in text:
        return ((FAMILIES[family][1][0][0][0], int(text)),)
    return tuple((k, int(v)) for k, v in (kv.split("=") for kv in text.split(",")))


def measure_size(run: Run, cores: int, limit: float, skip: set[str], repeat: int = 1) -> dict[str, Measurement]:
    """The four searches of one size (the tools in `skip` left out)."""
    got: dict[str, Measurement] = {}
    tools = ("seam", f"seam-{cores}c")
    for k in range(repeat):           # the seamcheck searches, alternating; per search the least CPU
        for tool in tools:
            if tool in skip:
                got[tool] = Measurement(tool, "skipped")
                continue
            m = seam.explicit(run, limit, False, cores if tool.endswith("c") else 1)
            if m.status != "done":
                skip.add(tool)
            if k == 0 or m.status != "done" or sum(_cpu(m)) < sum(_cpu(got[tool])):
                got[tool] = m
    for tool in ("spin", f"spin-{cores}c"):
        if tool in skip:
            got[tool] = Measurement(tool, "skipped")
            continue
        estimate = next((m.states for m in got.values() if m.states), 1_000_000)
        got[tool] = spin.measure(run, False, limit, estimate, cores if tool.endswith("c") else 1)
        if got[tool].status != "done":
            skip.add(tool)
    return got


def _t(m: Measurement) -> str:
    return f"{m.search_s:.2f}" if m.status == "done" and m.search_s is not None else m.status


def _ratio(a: Measurement, b: Measurement) -> str:
    ok = a.status == b.status == "done" and a.search_s and b.search_s
    return f"{a.search_s / b.search_s:.2f}x" if ok else "-"  # type: ignore[operator]


def _cpu(m: Measurement) -> list[float]:
    """The CPU seconds bench.seam noted: [the search] on one core, [coordinator, workers] on several."""
    hit = re.search(r"cpu ([\d.]+)(?:\+([\d.]+))?", m.note)
    return [float(x) for x in hit.groups() if x is not None] if hit and m.status == "done" else []


def cpu_bound(s1: Measurement, sn: Measurement, cores: int) -> str:
    """Serial CPU time over the busiest process's CPU time in the N-core run (the workers' time
    shared evenly among cores - 1 processes): the speed-up on N otherwise idle cores, were no
    process ever left waiting for another. Independent of the machine's load."""
    one, many = _cpu(s1), _cpu(sn)
    if len(one) != 1 or len(many) != 2:
        return "-"
    return f"{one[0] / max(many[0], many[1] / (cores - 1)):.2f}x"


def row(name: str, label: str, got: dict[str, Measurement], cores: int, load: float) -> str:
    s1, sn, p1, pn = (got[t] for t in ("seam", f"seam-{cores}c", "spin", f"spin-{cores}c"))
    counts = {m.states for m in got.values() if m.status == "done"}
    states = f"{counts.pop():,}" if len(counts) == 1 else ("MISMATCH " + str(sorted(counts)) if counts else "-")
    return (f"| {name} | {label} | {states} | {_t(s1)} | {_t(sn)} | {_ratio(s1, sn)} | {cpu_bound(s1, sn, cores)} "
            f"| {_t(p1)} | {_t(pn)} | {_ratio(p1, pn)} | {_ratio(p1, s1)} | {_ratio(pn, sn)} | {load:.1f} |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--time-limit", type=float, default=150.0, help="seconds per search and tool")
    ap.add_argument("--only", nargs="*", default=list(FAMILIES))
    ap.add_argument("--sizes", nargs="*", help="sizes of the one family given with --only: 7 or V=3,P=2")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each seamcheck search (the least CPU shown)")
    ap.add_argument("--seam-only", action="store_true", help="leave SPIN out")
    args = ap.parse_args()
    if not args.seam_only and spin.ensure_spin() is None:
        print("SPIN or gcc missing", file=sys.stderr)
        return 2
    # imported here, before the searches' child processes are forked, so that their CPU times
    # are the search's and not numpy's and the engine's first import
    import checker.explicit.search  # noqa: F401
    import checker.explicit.vector_par  # noqa: F401
    c = args.cores
    print(f"{os.cpu_count()} cores; load before the run {os.getloadavg()[0]:.1f}; seamcheck runs {args.repeat}")
    print(f"| model | size | states | seam 1 core s | seam {c} cores s | seam speed-up | seam CPU-bound speed-up "
          f"| spin 1 core s | spin {c} cores s | spin speed-up | spin/seam 1 core | spin/seam {c} cores | load |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    mismatch = False
    for fam in args.only:
        model, sizes = FAMILIES[fam]
        skip: set[str] = {"spin", f"spin-{c}c"} if args.seam_only else set()
        for size in [size_of(fam, t) for t in args.sizes] if args.sizes else sizes:
            load = os.getloadavg()[0]
            got = measure_size(run_of(model, size), c, args.time_limit, skip, args.repeat)
            line = row(model.name, " ".join(f"{k}={v}" for k, v in size), got, c, load)
            mismatch |= "MISMATCH" in line
            print(line, flush=True)
            if len(skip) == 4:
                break
    return 1 if mismatch else 0


if __name__ == "__main__":
    sys.exit(main())
