"""Which actions a symmetry-reduced search stands for: one orbit key per action.

NOTE(action-orbits): a search reduced over symmetric sets visits one canonical state per orbit,
so it sees an action enabled only where the canonical representative enables it. The system is
invariant under every permutation g of those sets (that is what makes the reduction sound, NOTE
(symmetry) in canon.py), so action a is enabled in a reachable state t exactly when g(a) is
enabled in g(t); hence a is enabled somewhere in the full state space exactly when some action of
its orbit is enabled at some canonical state. Under the full symmetric group of each set, two
actions are in one orbit exactly when they are the same transition and outcome and their
symmetric values (instance, then arguments) have the same equality pattern per set: renaming
each set's values by first occurrence gives that key. Coverage facts such as "never enabled"
must be read per orbit, or a reduced search reports transitions as dead that fire in the full
space (p[0].rel() never enabled because every canonical state puts the releasing process last).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from model.ir import ActionLabel, TransitionSystem
from model.sorts import IndexSort, OptionSort, Sort


def action_orbits(ts: TransitionSystem, sets: Sequence[str]) -> tuple[Hashable, ...]:
    """An orbit key per action of ts under the permutations of the named symmetric sets; with
    no set named every action is its own orbit."""
    if not sets:
        return tuple(range(len(ts.actions)))
    named = set(sets)
    inst = {m.name: ts.vars[m.pc_slots[0]].key_sort for m in ts.machines
            if m.instances is not None and m.pc_slots}
    return tuple(_key(a.label, named, inst.get(a.label.machine)) for a in ts.actions)


def _key(label: ActionLabel, named: set[str], inst_sort: Sort | None) -> Hashable:
    seen: dict[tuple[str, int], int] = {}

    def rename(sort: Sort | None, value: int | None) -> object:
        s = sort.inner if isinstance(sort, OptionSort) else sort
        if value is None or value < 0 or not isinstance(s, IndexSort) or s.name not in named:
            return value
        return ("sym", s.name, seen.setdefault((s.name, value), sum(k[0] == s.name for k in seen)))

    instance = rename(inst_sort, label.instance)
    args = tuple((a.name, rename(a.sort, a.value)) for a in label.args)
    return (label.machine, label.transition, label.outcome, instance, args)
