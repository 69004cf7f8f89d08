"""A hypothesis strategy for small random specs with bounded sequences (NOTE(seqs) in
model/seqs.py), as spec text, through the whole front end.

Shape: N = 2 or 3 instances of a machine `p` over a symmetric set P (two control states), a
queue `fifo: seq[P, K]` (K = 1..3) that a first transition appends to, sometimes a buffer `buf: seq[0..2, 2]` and a map of
sequences `box: P -> seq[bool, 2]`; transitions with an optional parameter `q: P` whose guards
and effects are drawn from atoms over those: appends, tails, heads, indexes, comparisons with
literals, and sometimes an append, tail, head or index with no guard, so that a step reads
outside a sequence (a `range` violation); invariants over lengths, elements and comparisons,
some of them reading outside a sequence where the state allows it.
"""

from __future__ import annotations

from hypothesis import strategies as st


def _atoms(have: set[str], q: bool) -> list[str]:
    out = ["len(fifo) < K", "len(fifo) > 0 and head(fifo) == self", "fifo == []", "len(fifo) > 0",
           "p[self].pc == s0", "fifo != [self]"]
    if q:
        out += ["len(fifo) > 1 and fifo[1] == q", "q != self", "fifo == [q]"]
    if "buf" in have:
        out += ["len(buf) < 2", "len(buf) > 0 and buf[0] == 1", "buf == [0, 2]", "len(tail(buf)) == 1"]
    if "box" in have:
        out += ["len(box[self]) < 2", "len(box[self]) > 0 and head(box[self])"]
        out += ["box[q] == box[self]", "len(box[q]) == 0"] if q else []
    return out


def _effects(have: set[str], q: bool) -> dict[str, list[str]]:
    pool = {"fifo": ["append(fifo, self)", "tail(fifo)", "[]", "append(tail(fifo), self)"] + (
        ["append(fifo, q)", "[q]"] if q else [])}
    if "buf" in have:
        pool["buf"] = ["append(buf, 1)", "append(buf, 2)", "tail(buf)", "[]", "[buf[0]]"]
    if "box" in have:
        pool["box[self]"] = ["append(box[self], true)", "tail(box[self])", "[false]"]
        if q:
            pool["box[q]"] = ["append(box[q], len(fifo) > 0)"]
    return pool


@st.composite
def seq_specs(draw: st.DrawFn) -> str:
    """The text of a spec (see the module doc)."""
    pick = lambda xs: draw(st.sampled_from(xs))  # noqa: E731
    have = set(draw(st.lists(st.sampled_from(["buf", "box"]), unique=True, max_size=2)))
    n, k = draw(st.integers(2, 3)), draw(st.integers(1, 3))
    lines = ["      t0:", "        from: s0", "        to: s1", '        guard: "len(fifo) < K"',
             "        effect:", '          "fifo": "append(fifo, self)"']   # something always happens
    for t in range(1, draw(st.integers(2, 4))):
        q = draw(st.booleans())
        atoms = _atoms(have, q)
        guard = " and ".join(f"({pick(atoms)})" for _ in range(draw(st.integers(1, 2))))
        pool = _effects(have, q)
        chosen = draw(st.lists(st.sampled_from(sorted(pool)), unique=True, min_size=1, max_size=2))
        if "box[q]" in chosen and "box[self]" in chosen:   # q may be self: one write per cell
            chosen.remove("box[q]")
        lines += [f"      t{t}:", f"        from: {pick(['s0', 's1'])}", f"        to: {pick(['s0', 's1'])}"]
        lines += ["        params: {q: P}"] if q else []
        lines += [f'        guard: "{guard}"', "        effect:"]
        lines += [f'          "{key}": "{pick(pool[key])}"' for key in chosen]
    invs = ["len(fifo) < K", "fifo == [] or any(p[v].pc == s1 for v in P)", "len(fifo) == 0 or head(fifo) != fifo[0]",
            "all(fifo != [v, v] for v in P)", "len(fifo) < 2 or fifo[0] != fifo[1]"]
    invs += ["len(buf) < 2", "buf != [1, 1]"] if "buf" in have else []
    invs += ["all(len(box[v]) < 2 for v in P)", "all(len(box[v]) == 0 or head(box[v]) for v in P)"] \
        if "box" in have else []
    chosen_invs = draw(st.lists(st.sampled_from(invs), unique=True, min_size=1, max_size=3))
    var_lines = ['  fifo: {type: "seq[P, K]", init: "[]"}']
    var_lines += ['  buf: {type: "seq[0..2, 2]", init: "[1]"}'] if "buf" in have else []
    var_lines += ['  box: {type: "P -> seq[bool, 2]", init: "[]"}'] if "box" in have else []
    return "\n".join([
        "spec: gen_seq", "params:", f"  N: {{default: {n}}}", f"  K: {{default: {k}}}",
        "types:", "  P: {index: N, symmetric: true}", "vars:", *var_lines,
        "machines:", "  p:", "    instances: P", "    states: [s0, s1]", "    init: s0",
        "    transitions:", *lines,
        "properties:", *(f'  inv{j}: {{invariant: "{x}"}}' for j, x in enumerate(chosen_invs)), ""])
