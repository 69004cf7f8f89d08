"""Liveness: SPIN's acceptance-cycle search against seamcheck's fair-cycle search, in one run.

    python bench/liveness.py                               # every TDX variant, V=1 and V=2 (P=2, K=2)
    python bench/liveness.py --sizes 1,2,1 2,2,2 --variants v6_16 v19 --time-limit 60

Per (variant, size) the Promela twin bench/peers/tdx_teardown.pml is built once with
-DLIVENESS (its `ltl L1` and `ltl L2` blocks become never claims) and `pan -a -N PROP` runs with
`-f` (SPIN's weak fairness, per process) and without; `-A -E` leave assertion and end-state
checks to the safety runs. seamcheck runs `explore(ts, [PROP])` (the explicit engine: every
plain state and edge, then the fair SCCs under the spec's per-transition fairness). Each run is
a child process of its own (clean heap), killed after the time limit. SPIN stops at its first
acceptance cycle, seamcheck decides the property on the whole graph; the ratio is seamcheck's
time over `pan -a -f`'s. bench/README.md says what the two fairness notions differ in.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cases import PEERS, TDX_SPEC, tdx_defines, tdx_variants  # noqa: E402

PROPS = ("L1", "L2")


def _seam_child(variant: str, size: tuple[int, int, int], prop: str, out: mp.Queue) -> None:  # type: ignore[type-arg]
    from checker.core.verdict import Proved, Violated
    from checker.explicit.search import explore
    from model.load import load_spec

    v, p, k = size
    [ts] = load_spec(TDX_SPEC, (f"V={v}", f"P={p}", f"K={k}"), variant)
    t0 = time.monotonic()
    res = explore(ts, [prop])
    verdict = res.verdict(prop)
    word = "violated" if isinstance(verdict, Violated) else "holds" if isinstance(verdict, Proved) else "unknown"
    out.put((word, time.monotonic() - t0, res.states))


def seam(variant: str, size: tuple[int, int, int], prop: str, limit: float) -> tuple[str, float, int | None]:
    q: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    child = mp.Process(target=_seam_child, args=(variant, size, prop, q))
    child.start()
    child.join(limit)
    if child.is_alive():
        child.kill()
        child.join()
        return "timeout", limit, None
    return q.get() if not q.empty() else ("error", 0.0, None)


def build(variant: str, size: tuple[int, int, int], work: Path) -> None:
    v, p, k = size
    defines = [f"-D{a}={b}" for a, b in tdx_defines(tdx_variants()[variant])]
    subprocess.run(["spin", f"-DV={v}", f"-DP={p}", f"-DK={k}", "-DLIVENESS=1", *defines, "-a",
                    str(PEERS / "tdx_teardown.pml")], cwd=work, check=True, capture_output=True)
    # -f needs a fairness counter per process: V vCPUs, vm, cpuhp, td, the monitor, the claim
    subprocess.run(["gcc", "-O2", "-w", "-DVECTORSZ=4096", "-DMEMLIM=8000", f"-DNFAIR={v + 5}", "-o", "pan", "pan.c"],
                   cwd=work, check=True, capture_output=True)


def pan(work: Path, prop: str, fair: bool, limit: float) -> tuple[str, float, int | None]:
    cmd = ["./pan", "-a", *(["-f"] if fair else []), "-A", "-E", "-N", prop, "-m1000000", "-w20"]
    t0 = time.monotonic()
    try:
        out = subprocess.run(cmd, cwd=work, capture_output=True, text=True, timeout=limit).stdout
    except subprocess.TimeoutExpired:
        return "timeout", limit, None
    took = time.monotonic() - t0
    stored = next((int(float(ln.split()[0])) for ln in out.splitlines() if "states, stored" in ln), None)
    if "acceptance cycle" in out:
        return "violated", took, stored
    if "errors: 0" in out and "max search depth too small" not in out:
        return "holds", took, stored
    return "error", took, stored


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="*", default=["1,2,2", "2,2,2"], help="V,P,K triples")
    ap.add_argument("--variants", nargs="*", help="TDX variants (default: every one)")
    ap.add_argument("--time-limit", type=float, default=60.0)
    args = ap.parse_args(argv)
    sizes = [tuple(int(x) for x in s.split(",")) for s in args.sizes]
    variants = args.variants or list(tdx_variants())
    print("| variant | V,P,K | prop | seamcheck | SPIN -a -f | SPIN -a (no fairness) | seam s | SPIN -f s | seam / SPIN -f |")
    print("|---|---|---|---|---|---|---|---|---|")
    for variant in variants:
        for size in sizes:
            with tempfile.TemporaryDirectory(prefix="seamlive-") as d:
                work = Path(d)
                build(variant, size, work)  # type: ignore[arg-type]
                for prop in PROPS:
                    s_word, s_t, s_n = seam(variant, size, prop, args.time_limit)  # type: ignore[arg-type]
                    f_word, f_t, f_n = pan(work, prop, True, args.time_limit)
                    u_word, _, _ = pan(work, prop, False, args.time_limit)
                    ratio = f"{s_t / f_t:.1f}x" if f_t > 0 and "timeout" not in (s_word, f_word) else ""
                    print(f"| {variant} | {','.join(map(str, size))} | {prop} | {s_word} ({s_n} states) "
                          f"| {f_word} ({f_n} stored) | {u_word} | {s_t:.2f} | {f_t:.2f} | {ratio} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
