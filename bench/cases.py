"""The benchmark catalogue: which models, at which sizes, with which Promela peer.

A Model is one spec variant; its sizes are swept in order and each tool goes on to a larger size
only while it finished every smaller one (see `dominated`). Promela peers live in bench/peers/
and take the same parameters as `-D` defines.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT / "bench" / "peers"
TDX_SPEC = ROOT / "specs" / "tdx" / "teardown.yaml"

Size = tuple[tuple[str, int], ...]      # swept parameters, e.g. (("V", 2), ("P", 3))


@dataclass(frozen=True)
class Model:
    family: str                          # e.g. "dining", "tdx"
    variant: str | None                  # the spec's variant name (None: no variants)
    spec: Path
    prop: str                            # the property the SMT engines are asked about
    sizes: tuple[Size, ...] = ((),)
    pml: str | None = None               # file in bench/peers/
    defines: tuple[tuple[str, str], ...] = ()   # fixed -D defines selecting the variant
    fixed: tuple[tuple[str, str], ...] = ()     # fixed seamcheck parameter overrides

    @property
    def name(self) -> str:
        return f"{self.family}/{self.variant}" if self.variant else self.family


@dataclass(frozen=True)
class Run:
    """One model at one size."""

    model: Model
    size: Size
    overrides: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        return " ".join(f"{k}={v}" for k, v in self.size) or "-"

    def spin_defines(self) -> list[str]:
        pairs = [*self.model.defines, *((k, str(v)) for k, v in self.size),
                 *self.model.fixed]
        return [f"-D{k}={v}" for k, v in pairs]


def run_of(model: Model, size: Size) -> Run:
    ov = tuple(f"{k}={v}" for k, v in model.fixed) + tuple(f"{k}={v}" for k, v in size)
    return Run(model, size, ov)


def dominated(size: Size, failed: list[Size]) -> bool:
    """A size at least as large (in every swept parameter) as one a tool did not finish."""
    mine = dict(size)
    return any(all(mine.get(k, 0) >= v for k, v in f) for f in failed)


def _sizes(name: str, values: range) -> tuple[Size, ...]:
    return tuple(((name, n),) for n in values)


def tdx_variants(spec: Path = TDX_SPEC) -> dict[str, dict[str, str]]:
    """The spec's `variants:` section as {name: {param: value}} (a light read of the YAML)."""
    import yaml

    doc = yaml.safe_load(spec.read_text())
    return {k: {p: str(v).lower() for p, v in (vals or {}).items()}
            for k, vals in (doc.get("variants") or {}).items()}


DESIGN = {"v6_16": 0, "v19": 1, "normal_way": 2, "terminate_vm": 3, "mainline": 4}
BOOL_DEFINES = {"atomic_init": "ATOMIC_INIT", "skip_migration_flush": "SKIP_MIGRATION_FLUSH",
                "v19_no_free_disassociate": "V19_NO_FREE_DISASSOCIATE", "hotplug": "HOTPLUG",
                "fix_f1": "FIX_F1", "f1_flag_at_create": "F1_FLAG_AT_CREATE", "fix_f3": "FIX_F3"}


def tdx_defines(params: dict[str, str]) -> tuple[tuple[str, str], ...]:
    out = [("DESIGN", str(DESIGN[params.get("design", "v6_16")]))]
    out += [(d, "1" if params[p] == "true" else "0") for p, d in BOOL_DEFINES.items() if p in params]
    return tuple(out)


def promela_encodes(params: dict[str, str]) -> bool:
    """bench/peers/tdx_teardown.pml encodes the designs in DESIGN and the BOOL_DEFINES switches:
    every variant of the spec (issue 15's mainline, fixes F1 and F3 and the F1 mutant included)."""
    return params.get("design", "v6_16") in DESIGN and set(params) <= set(BOOL_DEFINES) | {"design"}


def tdx_sizes(vmax: int, pmax: int) -> tuple[Size, ...]:
    """(V, P) in order of growing state space: P outer, V inner."""
    return tuple((("V", v), ("P", p)) for p, v in itertools.product(range(2, pmax + 1), range(1, vmax + 1)))


def examples(quick: bool) -> list[Model]:
    ex = ROOT / "specs" / "examples"
    top = 6 if quick else 12
    models = [
        Model("counter", None, ex / "counter.yaml", "below_limit", _sizes("N", range(1, 5)), "counter.pml"),
        *(Model("peterson", v, ex / "peterson.yaml", "mutex", ((),), "peterson.pml", (("MUTANT", str(m)),))
          for v, m in (("peterson", 0), ("flag_only", 1), ("turn_first", 2))),
        *(Model("dining", v, ex / "dining.yaml", "forks_held_by_users", _sizes("N", range(2, 7)), "dining.pml",
                (("ORDERED", str(o)),)) for v, o in (("naive", 0), ("ordered", 1))),
        *(Model("retry", v, ex / "retry.yaml", "deadlock", ((),), "retry.pml", (("CAN_QUIT", str(q)),))
          for v, q in (("fair", 0), ("unfair", 0), ("quitter", 1))),
        *(Model("spinlock", v, ex / "spinlock.yaml", "mutex", ((),), "spinlock.pml")
          for v in ("unfair", "weak", "strong")),
        Model("symlock", None, ROOT / "bench" / "specs" / "symlock.yaml", "mutex",
              _sizes("N", range(1, top + 1)), "symlock.pml"),
    ]
    return models


def tdx(quick: bool, only: list[str] | None = None) -> list[Model]:
    if not TDX_SPEC.exists():
        return []
    variants = tdx_variants()
    names = [v for v in variants if (only is None or v in only) and promela_encodes(variants[v])]
    if quick:
        names = [v for v in names if v == "v6_16"] or names[:1]
    sizes = tdx_sizes(3, 2) if quick else tdx_sizes(6, 4)
    return [Model("tdx", v, TDX_SPEC, "S1", sizes, "tdx_teardown.pml", tdx_defines(variants[v]))
            for v in names]


def catalogue(quick: bool, families: list[str] | None = None,
              tdx_variants_only: list[str] | None = None) -> list[Model]:
    models = examples(quick) + tdx(quick, tdx_variants_only)
    return [m for m in models if families is None or m.family in families]


def widened_text(spec: Path, size: Size) -> tuple[str, bool]:
    """The spec's text with each swept parameter's declared `max:` raised to the swept value.

    The sweep goes past a spec's declared range (TDX: V <= 3) to show how far each tool gets;
    raising `max` changes nothing else. Returns (text, whether anything was raised)."""
    text = spec.read_text()
    raised = False
    for name, value in size:
        pat = re.compile(rf"^(\s+{name}:\s*\{{.*?\bmax:\s*)(\d+)", re.MULTILINE)
        m = pat.search(text)
        if m and int(m.group(2)) < value:
            text = text[: m.start(2)] + str(value) + text[m.end(2):]
            raised = True
    return text, raised
