"""A state's variables as a user reads them: one line per scalar slot, one per set (its
membership cells together, `votes = {0, 1}`, NOTE(sets)) and one per sequence (its length and
element slots together, `q = [1, 2]`, NOTE(seqs)). Every trace exporter shows values through
`rows`, so the text, DOT, Mermaid, race and markdown formats cannot disagree on them."""

from __future__ import annotations

from model.ir import TransitionSystem
from model.seqs import is_seq


def render_value(ts: TransitionSystem, slot: int, value: int) -> str:
    return ts.vars[slot].sort.render(value)


def rows(ts: TransitionSystem, state: tuple[int, ...]) -> list[tuple[str, str, tuple[int, ...]]]:
    """(name, shown value, slots) per line of a state: one per slot, one per set, whose
    cells (`votes[0]`, `votes[1]`) are shown together as `votes = {0, 1}` (NOTE(sets)), and one
    per sequence, whose length and slots are shown as `q = [1, 2]` (NOTE(seqs))."""
    out: list[tuple[str, str, tuple[int, ...]]] = []
    sets: dict[str, int] = {}
    seqs = seq_slots(ts)
    for i, v in enumerate(ts.vars):
        if i in seqs:
            name, slots = seqs[i]
            if slots[0] == i:
                out.append((name, show_seq(ts, slots, state), slots))
            continue
        if not v.set_elem:
            out.append((v.name, render_value(ts, i, state[i]), (i,)))
            continue
        cut = v.name.rindex("[")
        name, elem = v.name[:cut], v.name[cut + 1:-1]
        if name not in sets:
            sets[name] = len(out)
            out.append((name, "", ()))
        _, shown, slots = out[sets[name]]
        shown = shown + (", " if shown and state[i] else "") + (elem if state[i] else "")
        out[sets[name]] = (name, shown, (*slots, i))
    return [(n, "{" + x + "}" if ts.vars[sl[0]].set_elem else x, sl) for n, x, sl in out]


def seq_slots(ts: TransitionSystem) -> dict[int, tuple[str, tuple[int, ...]]]:
    """Slot -> (the sequence's display name, its length slot then its element slots) for every
    slot of a sequence (NOTE(seqs) in model/seqs.py: a record of fields `len`, `0`, `1`, ...)."""
    groups: dict[str, list[int]] = {}
    for i, v in enumerate(ts.vars):
        if v.record and "." in v.name:
            groups.setdefault(v.name[:v.name.rindex(".")], []).append(i)
    out: dict[int, tuple[str, tuple[int, ...]]] = {}
    for name, slots in groups.items():
        tails = [ts.vars[s].name[len(name) + 1:] for s in slots]
        if is_seq(tuple(tails)):
            out.update((s, (name, tuple(slots))) for s in slots)
    return out


def show_seq(ts: TransitionSystem, slots: tuple[int, ...], state: tuple[int, ...]) -> str:
    n, cap = state[slots[0]], len(slots) - 1
    if not 0 <= n <= cap:   # a step out of range (NOTE(seq-checks) in model/writes.py)
        return f"<length {n}, outside 0..{cap}>"
    return "[" + ", ".join(ts.vars[s].sort.render(state[s]) for s in slots[1:n + 1]) + "]"


def changed(ts: TransitionSystem, pre: tuple[int, ...], post: tuple[int, ...]) -> tuple[tuple[str, str], ...]:
    """(name, shown value) of every line of `rows` whose slots differ between pre and post."""
    return tuple((n, x) for n, x, slots in rows(ts, post) if any(pre[i] != post[i] for i in slots))
