"""The TDX spec's lemmas (specs/tdx/teardown.yaml, `lemmas:`): true, and enough.

True: every lemma is an invariant of every variant, by the explicit engine's exhaustive search
(a wrong lemma would make k-induction prove anything). Enough: with them, k-induction proves
the holding safety properties at k <= 1 (docs/encoding.md, "Proofs of the properties that
hold"), and without the lemma that carries a proof it no longer does.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from checker.core.budget import Budget
from checker.core.verdict import Proved, Unknown
from checker.explicit.search import explore
from checker.smt import kind
from model.ir import TransitionSystem
from model.load import load_spec

SPEC = Path(__file__).resolve().parents[2] / "specs" / "tdx" / "teardown.yaml"
VARIANTS = list(yaml.safe_load(SPEC.read_text())["variants"])
BUDGET = Budget(max_depth=1, rlimit=50_000_000)   # per z3 call (largest used: ~1.1M); no clock


def _load(variant: str, *size: str) -> TransitionSystem:
    [ts] = load_spec(SPEC, size or ("V=2", "P=2"), variant=variant)
    return ts


@pytest.mark.parametrize("size", [("V=2", "P=3"), ("V=2", "P=3", "K=1"), ("V=1", "P=2", "hotplug=false")])
@pytest.mark.parametrize("variant", VARIANTS)
def test_every_lemma_is_an_invariant(variant: str, size: tuple[str, ...]) -> None:
    ts = _load(variant, *size)
    names = [lem.name for lem in ts.lemmas]
    assert len(names) == 38
    got = explore(replace(ts, properties=ts.lemmas), names)
    assert got.complete
    assert {n: type(got.verdict(n)).__name__ for n in names} == {n: "Proved" for n in names}


# the flagship and the properties the v19 review argued about, in the designs where they hold
PROOFS = [
    ("v6_16", p) for p in ("S1", "S4_list", "S5", "S6", "S7", "S7_vcpu", "S8", "freed_off_list",
                           "no_stale_list", "deadlock", "range")
] + [
    ("v6_16_atomic_init", "S1p"), ("v6_16_atomic_init", "S4"), ("v6_16_atomic_init", "S3"),
    ("v19_atomic_init", "S1p"), ("v19_atomic_init", "S4_flush"), ("v19", "freed_off_list"),
    ("terminate_vm_atomic_init", "S1p"), ("normal_way", "S5"), ("mut_v19_no_free_disassociate", "S2"),
    # the fixes (docs/tdx.md section 5c): F1 holds everything, F2 (v6_16_atomic_init) too, F3 only
    # makes the leak loud; mainline's tdx_vcpu_free early branch never fires on the destroy path
    ("f1_flush_flag", "S1p"), ("f1_flush_flag", "S4"), ("f1_flush_flag", "flush_ok"),
    ("v6_16_atomic_init", "loud_leak"), ("f3_loud_leak", "loud_leak"), ("mainline", "free_unloaded"),
]


@pytest.mark.parametrize(("variant", "prop"), PROOFS)
def test_kinduction_proves_with_the_lemmas(variant: str, prop: str) -> None:
    ts = _load(variant, "V=3", "P=3")
    assert ts.prop(prop).expect in ("holds", None)   # range (built in) has no expect
    v = kind.check(ts, prop, BUDGET)
    assert isinstance(v, Proved), v
    assert dict(v.provenance.stats)["k"] <= 1
    assert dict(v.provenance.stats)["lemmas"] == len(ts.lemmas)


def test_without_assoc_belief_s1p_is_not_inductive() -> None:
    ts = _load("v6_16_atomic_init", "V=3", "P=3")
    # leak_path rests on assoc_belief in the atomic-INIT designs, so it goes too
    fewer = replace(ts, lemmas=tuple(lem for lem in ts.lemmas if lem.name not in ("assoc_belief", "leak_path")))
    v = kind.check(fewer, "S1p", BUDGET)
    assert isinstance(v, Unknown)
    assert v.reason == "induction failed at k=1"


def test_without_f1_flag_f1_is_not_inductive() -> None:
    """F1's proof rests on its flag being set before TDH.VP.INIT and never cleared (lemma f1_flag)."""
    ts = _load("f1_flush_flag", "V=2", "P=2")
    fewer = replace(ts, lemmas=tuple(lem for lem in ts.lemmas if lem.name != "f1_flag"))
    v = kind.check(fewer, "S1p", BUDGET)
    assert isinstance(v, Unknown)
    assert v.reason == "lemma 'assoc_belief' not proved: induction failed at k=1"
