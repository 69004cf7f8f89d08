"""Where the time of `seamcheck check specs/tdx/teardown.yaml -p V=3 -p P=3` goes, variant by variant.

    python bench/tdx_suite.py                      # every variant, every property (liveness too)
    python bench/tdx_suite.py --safety v19 v6_16   # only the safety properties, two variants
    python bench/tdx_suite.py --root DIR           # the same run with the checkout at DIR (before/after)

Each variant is one `cli.py check ... --variant X --json` process of the checkout at --root; its
CPU time (user + sys) and peak RSS come from /usr/bin/time, so they stay meaningful on a
loaded machine, where wall time does not. Per variant it prints one markdown table row: states of
each search phase (its name and wall seconds as the JSON reports them), CPU s, peak RSS, wall s,
and the properties as expected. The load average is printed before and after (docs/performance.md).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
SPEC = "specs/tdx/teardown.yaml"


def variants_and_safety() -> tuple[list[str], list[str]]:
    sys.path.insert(0, str(HERE))
    from model.load import load_spec

    systems = load_spec(HERE / SPEC, ("V=1", "P=2"))
    safety = [p.name for p in systems[0].properties if not p.temporal]
    return [ts.variant for ts in systems if ts.variant is not None], safety


def run(root: Path, variant: str, props: list[str], params: list[str], timeout: float) -> dict[str, object]:
    cmd = [sys.executable, "cli.py", "check", SPEC, *(a for p in params for a in ("-p", p)), "--variant", variant,
           "--json", *(a for p in props for a in ("--property", p))]
    t0 = time.monotonic()
    with tempfile.NamedTemporaryFile("r") as tf:
        timed = ["/usr/bin/time", "-f", "%U %S %M", "-o", tf.name, "timeout", str(timeout), *cmd]
        out = subprocess.run(timed, cwd=root, capture_output=True, text=True).stdout
        user, sys_, rss = tf.read().split()[-3:]
    row: dict[str, object] = {"variant": variant, "wall_s": round(time.monotonic() - t0, 1),
                              "cpu_s": round(float(user) + float(sys_), 1), "rss_mb": int(rss) // 1024}
    if out:
        doc = json.loads(out)
        phases = {(ph["name"], ph["states"]): ph["time_s"] for r in doc["results"]
                  for ph in r.get("facts", {}).get("phases", [])}
        row |= {"exit": doc["exit"], "phases": [f"{n} {s:,} ({t:.0f} s)" for (n, s), t in phases.items()],
                "as_expected": f"{sum(r['as_expected'] for r in doc['results'])}/{len(doc['results'])}"}
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("variants", nargs="*")
    ap.add_argument("--root", type=Path, default=HERE, help="the checkout to measure")
    ap.add_argument("--safety", action="store_true", help="only the safety properties")
    ap.add_argument("-p", dest="params", action="append", default=[], help="NAME=VALUE (default V=3, P=3)")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per variant")
    args = ap.parse_args()
    every, safety = variants_and_safety()
    print(f"load average {os.getloadavg()}, {os.cpu_count()} cores, root {args.root}")
    print("| variant | states (phase, wall s) | CPU s | peak RSS MB | wall s | as expected |")
    print("|---|---|---:|---:|---:|---|")
    total = 0.0
    for v in args.variants or every:
        r = run(args.root, v, safety if args.safety else [], args.params or ["V=3", "P=3"], args.timeout)
        total += float(r.get("cpu_s", 0.0))  # type: ignore[arg-type]
        print(f"| {v} | {'; '.join(r.get('phases', ['timeout']))} | {r.get('cpu_s')} | {r.get('rss_mb')} "  # type: ignore[arg-type]
              f"| {r['wall_s']} | {r.get('as_expected', '-')} |", flush=True)
    print(f"total CPU {total:.0f} s; load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
