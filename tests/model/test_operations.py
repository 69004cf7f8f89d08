"""Operations with guarded outcomes: checks in order, errors as outcomes, may_fail, store, result.

tests/specs/ops.yaml is compared with an independent Python model of the same contract.
"""

from __future__ import annotations

from pathlib import Path

from checker.core.verdict import Proved, Violated
from checker.explicit.search import explore
from checker.traces.replay import validate
from model.load import load_spec
from tests.oracle import bfs_count

SPEC = Path(__file__).resolve().parent.parent / "specs" / "ops.yaml"


def independent(v: int, p: int) -> tuple[int, int]:
    """(states, transitions) of the ops contract, written without seamcheck."""
    init = ("KC", (None,) * v, 0, "SUCCESS", ("run",) * v, "idle")

    def succ(s):  # type: ignore[no-untyped-def]
        life, assoc, n, _last, pcs, tpc = s
        for i in range(v):
            if pcs[i] != "run":
                continue
            for lp in range(p):
                a = list(assoc)
                if life != "KC":
                    yield (life, assoc, n, "KNC", pcs, tpc)
                elif assoc[i] not in (None, lp):
                    yield (life, assoc, n, "ASSOCIATED", pcs, tpc)
                else:
                    a[i] = lp
                    yield (life, tuple(a), n + (assoc[i] is None), "SUCCESS", pcs, tpc)
            for lp in range(p):
                a = list(assoc)
                if life != "KC":
                    yield (life, assoc, n, "KNC", pcs, tpc)
                elif assoc[i] != lp:
                    yield (life, assoc, n, "NOT_ASSOCIATED", pcs, tpc)
                else:
                    a[i] = None
                    yield (life, tuple(a), n - 1, "SUCCESS", pcs, tpc)
                yield (life, assoc, n, "BUSY", pcs, tpc)
            yield (life, assoc, n, s[3], pcs[:i] + ("gone",) + pcs[i + 1:], tpc)
        if tpc == "idle" and all(x == "gone" for x in pcs):
            if life != "KC" or n != 0:
                yield (life, assoc, n, s[3], pcs, "leaked")
            else:
                yield ("BLOCKED", assoc, n, s[3], pcs, "done")

    return bfs_count(init, succ)


def test_ops_state_space_matches_independent_model() -> None:
    for v, p in [(1, 1), (1, 2), (2, 2), (2, 3)]:
        [ts] = load_spec(SPEC, (f"V={v}", f"P={p}"))
        r = explore(ts)
        assert (r.states, r.transitions) == independent(v, p), (v, p)


def test_ops_verdicts_and_shortest_traces() -> None:
    [ts] = load_spec(SPEC)
    r = explore(ts)
    assert (r.states, r.transitions, r.diameter) == (175, 1015, 6)
    for name in ("count_matches", "blocked_means_flushed", "flush_clears", "deadlock", "range"):
        assert isinstance(r.verdict(name), Proved), name
    fd = r.verdict("flushdone_never_fails")
    assert isinstance(fd, Violated) and fd.trace.depth == 4
    assert ts.actions[fd.trace.actions[-1]].label.render() == "teardown.flushdone()"
    en = r.verdict("enter_never_refused")
    assert isinstance(en, Violated) and en.trace.depth == 2
    for v in (fd, en):
        validate(ts, v.trace, v.prop)


def test_may_fail_is_a_separate_labelled_outcome() -> None:
    [ts] = load_spec(SPEC, ("V=1", "P=1"))
    labels = [a.label.render() for a in ts.actions]
    assert "vcpu[0].flush(p=0)" in labels
    assert "vcpu[0].flush(p=0) -> TDX_OPERAND_BUSY" in labels
    assert ts.statuses == ("SUCCESS", "TDX_TD_KEYS_NOT_CONFIGURED", "TDX_VCPU_ASSOCIATED",
                           "TDX_VCPU_NOT_ASSOCIATED", "TDX_OPERAND_BUSY", "TDX_LIFECYCLE_STATE_INCORRECT",
                           "TDX_FLUSHVP_NOT_DONE")
