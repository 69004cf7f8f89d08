"""A hypothesis strategy for small random specs with a `symmetric` index set, as spec text.

They go through the whole front end (the type checker's symmetry rules, the lowering), which is
what BMC's symmetry breaking relies on (NOTE(automorphism) in checker/symmetry/automorphism.py). Shape:
N = 2 or 3 instances of a machine `p` over the symmetric set P (three control states, a local
`peer: P?`), some of: a global counter, a global bool, an `owner: P?`, maps `P -> bool` and
`P -> C`; transitions with an optional parameter `q: P`, guards and effects drawn from atoms
over those; invariants over all instances, counts and the owner; step properties on one
transition; the built-in deadlock and range; and sometimes an `eventually` property (a lasso
search, which symmetry breaking must leave alone).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

STATES = ("s0", "s1", "s2")


@dataclass
class _Spec:
    draw: st.DrawFn
    have: set[str] = field(default_factory=set)

    def pick(self, xs: list[str]) -> str:
        return self.draw(st.sampled_from(xs))

    def atoms(self, q: bool) -> list[str]:
        out = ["true", "peer == none", "peer != none", "p[self].pc == s0"]
        if q:
            out += ["q != self", "peer == q", "p[q].pc == s1", "p[q].pc != p[self].pc"]
        if "g" in self.have:
            out += ["g < 3", "g > 0", "g == 2"]
        if "b" in self.have:
            out += ["b", "not b"]
        if "owner" in self.have:
            out += ["owner == none", "owner == self", "owner != self"] + (["owner == q"] if q else [])
        if "flag" in self.have:
            out += ["flag[self]", "not flag[self]", "all(flag[v] for v in P)", "count(flag[v] for v in P) <= 1"]
            out += ["not flag[q]"] if q else []
        if "col" in self.have:
            out += ["col[self] == RED", "any(col[v] == GREEN for v in P)"]
            out += ["col[q] != col[self]"] if q else []
        return out

    def guard(self, q: bool) -> str:
        atoms = self.atoms(q)
        parts = [self.pick(atoms) for _ in range(self.draw(st.integers(0, 2)))] or ["true"]
        return f" {self.pick(['and', 'or'])} ".join(f"({a})" for a in parts)

    def effects(self, q: bool) -> dict[str, str]:
        pool: dict[str, list[str]] = {"peer": ["none", "self"] + (["q"] if q else [])}
        if "g" in self.have:
            pool["g"] = ["min(g + 1, 3)", "max(g - 1, 0)", "0", "g + 1", "g + 1"]   # g + 1 may leave the range
        if "b" in self.have:
            pool["b"] = ["not b", "true"]
        if "owner" in self.have:
            pool["owner"] = ["self", "none"] + (["q"] if q else [])
        if "flag" in self.have:
            pool["flag[self]"] = ["true", "false", "not flag[self]"]
            if q:
                pool["flag[q]"] = ["not flag[q]", "flag[self]"]
        if "col" in self.have:
            pool["col[self]"] = ["GREEN", "BLUE", "RED"]
            if q:
                pool["col[q]"] = ["col[self]"]
        keys = sorted(pool)
        chosen = self.draw(st.lists(st.sampled_from(keys), unique=True, max_size=2))
        if q and "flag[self]" in chosen and "flag[q]" in chosen:   # q may be self: one write per cell
            chosen.remove("flag[q]")
        if q and "col[self]" in chosen and "col[q]" in chosen:
            chosen.remove("col[q]")
        return {k: self.pick(pool[k]) for k in chosen}

    def invariants(self) -> list[str]:
        out = ["count(p[v].pc == s2 for v in P) <= 1", "any(p[v].pc == s0 for v in P)",
               "all(p[v].peer == none or p[v].pc != s1 for v in P)", "all(p[v].pc != s2 for v in P)",
               "count(p[v].pc == s1 for v in P) < N", "not any(p[v].pc == s1 and p[v].peer != none for v in P)"]
        if "g" in self.have:
            out += ["g < 2", "g != 3 or b" if "b" in self.have else "g <= 2"]
        if "owner" in self.have:
            out += ["all(p[v].pc == s2 => owner == v for v in P)", "owner == none or count(p[v].pc == s1 for v in P) < 2"]
        if "flag" in self.have:
            out += ["count(flag[v] for v in P) < N", "all(flag[v] => p[v].pc != s2 for v in P)"]
        if "col" in self.have:
            out += ["all(col[v] != BLUE for v in P)", "not all(col[v] == GREEN for v in P)"]
        return out


def _yaml(s: _Spec, n: int, transitions: list[str], props: list[str]) -> str:
    var_lines = {
        "g": '  g: {type: "0..3", init: 0}',
        "b": "  b: {type: bool, init: false}",
        "owner": '  owner: {type: "P?", init: none}',
        "flag": '  flag: {type: "P -> bool", init: false}',
        "col": '  col: {type: "P -> C", init: RED}',
    }
    vars_ = [var_lines[v] for v in sorted(s.have)] or ["  unused: {type: bool, init: false}"]
    return "\n".join([
        "spec: gen_sym",
        "params:",
        f"  N: {{default: {n}}}",
        "types:",
        "  P: {index: N, symmetric: true}",
        "  C: [RED, GREEN, BLUE]",
        "vars:", *vars_,
        "machines:",
        "  p:",
        "    instances: P",
        f"    states: [{', '.join(STATES)}]",
        "    init: s0",
        f"    terminal: [{s.pick(list(STATES))}]",
        "    vars:",
        '      peer: {type: "P?", init: none}',
        "    transitions:", *transitions,
        "properties:", *props, ""])


def _transition(s: _Spec, k: int) -> tuple[str, bool]:
    q = s.draw(st.booleans())
    src, dst = s.pick(list(STATES)), s.pick(list(STATES))
    lines = [f"      t{k}:", f"        from: {src}", f"        to: {dst}"]
    if q:
        lines.append("        params: {q: P}")
    lines.append(f'        guard: "{s.guard(q)}"')
    eff = s.effects(q)
    if eff:
        lines.append("        effect:")
        lines += [f'          "{key}": "{val}"' for key, val in eff.items()]
    return "\n".join(lines), q


@st.composite
def symmetric_specs(draw: st.DrawFn) -> str:
    """The text of a spec (see the module doc)."""
    s = _Spec(draw, set(draw(st.lists(st.sampled_from(["g", "b", "owner", "flag", "col"]), unique=True,
                                      min_size=1, max_size=3))))
    n = draw(st.integers(2, 3))
    made = [_transition(s, k) for k in range(draw(st.integers(2, 4)))]
    props = []
    for k, inv in enumerate(draw(st.lists(st.sampled_from(s.invariants()), unique=True, min_size=1, max_size=2))):
        props.append(f'  inv{k}: {{invariant: "{inv}"}}')
    t = draw(st.integers(0, len(made) - 1))
    props.append(f'  step0: {{step: "not ({s.pick(s.atoms(made[t][1])[1:])})", on: [p.t{t}]}}')
    if draw(st.booleans()):
        props.append(f'  ev: {{eventually: "any(p[v].pc == {s.pick(list(STATES[1:]))} for v in P)"}}')
    return _yaml(s, n, [m for m, _ in made], props)


# ---- two symmetric sets and a rigid map between them (issue 16: TDX's LPs and packages) -------

@st.composite
def two_set_specs(draw: st.DrawFn) -> str:
    """A spec over two symmetric sets P (machine instances) and Q with a rigid map `home: P -> Q`
    (never written, `init: any`, sometimes `initially:` every Q has a P), a written `at: P -> Q?`,
    `used: Q -> bool` and a scalar `last: Q?`; transitions with optional parameters `q: P` and
    `j: Q`. Permuting P alone would break `home`; only P and Q permuted together are symmetries."""
    pick = lambda xs: draw(st.sampled_from(xs))  # noqa: E731
    n, m = draw(st.integers(2, 3)), draw(st.integers(1, 2))
    lines = []
    for k in range(draw(st.integers(2, 4))):
        q, j = draw(st.booleans()), draw(st.booleans())
        atoms = ["at[self] == none", "at[self] == home[self]", "used[home[self]]", "not used[home[self]]",
                 "last == home[self]", "last == none", "p[self].pc == s0"]
        if q:
            atoms += ["home[q] == home[self]", "at[q] == at[self]", "p[q].pc == s1", "q != self"]
        if j:
            atoms += ["home[self] == j", "not used[j]", "at[self] == j", "any(home[v] == j and p[v].pc == s1 for v in P)"]
        guard = " and ".join(f"({pick(atoms)})" for _ in range(draw(st.integers(1, 2))))
        pool = {"at[self]": ["home[self]", "none"] + (["j"] if j else []) + (["at[q]"] if q else []),
                "last": ["home[self]", "none", "at[self]"] + (["j"] if j else []),
                "used[home[self]]": ["true", "false", "not used[home[self]]"]}
        if j:
            pool["used[j]"] = ["true", "not used[j]"]
        chosen = draw(st.lists(st.sampled_from(sorted(pool)), unique=True, min_size=1, max_size=2))
        if "used[j]" in chosen and "used[home[self]]" in chosen:    # one write per cell
            chosen.remove("used[j]")
        params = ", ".join(x for x, on in (("q: P", q), ("j: Q", j)) if on)
        lines += [f"      t{k}:", f"        from: {pick(list(STATES))}", f"        to: {pick(list(STATES))}"]
        lines += [f"        params: {{{params}}}"] if params else []
        lines += [f'        guard: "{guard}"', "        effect:"]
        lines += [f'          "{key}": "{pick(pool[key])}"' for key in chosen]
    invs = draw(st.lists(st.sampled_from([
        "all(at[v] == none or at[v] == home[v] for v in P)", "count(p[v].pc == s2 for v in P) <= 1",
        "not all(used[j] for j in Q)", "last == none or any(home[v] == last for v in P)",
        "all(p[v].pc != s2 or at[v] != none for v in P)", "count(at[v] != none for v in P) == 0"]),
        unique=True, min_size=1, max_size=3))
    onto = draw(st.booleans())
    return "\n".join([
        "spec: gen_sym2", "params:", f"  N: {{default: {n}}}", f"  M: {{default: {m}}}",
        "types:", "  P: {index: N, symmetric: true}", "  Q: {index: M, symmetric: true}",
        "vars:", '  home: {type: "P -> Q", init: any}', '  at: {type: "P -> Q?", init: none}',
        '  used: {type: "Q -> bool", init: false}', '  last: {type: "Q?", init: none}',
        *(['initially: "all(any(home[v] == j for v in P) for j in Q)"'] if onto else []),
        "machines:", "  p:", "    instances: P", f"    states: [{', '.join(STATES)}]", "    init: s0",
        "    transitions:", *lines,
        "properties:", *(f'  inv{k}: {{invariant: "{x}"}}' for k, x in enumerate(invs)), ""])
