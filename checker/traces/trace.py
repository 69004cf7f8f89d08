"""Traces as data: states and the actions between them. Printers live in checker/export/.

A Trace of depth k has k+1 states and k actions (NOTE(depth) in model/ir.py). actions[i] is the
index into ts.actions of the action fired from states[i] to states[i+1]. `loop`, when set, is
the index of the state where the lasso's loop starts: the last state equals states[loop] (it is
repeated, so every loop step is recorded), and the behaviour goes round states[loop:] for ever.
When loop is the last index, the loop has no step: a state with nothing enabled stutters.
"""

from __future__ import annotations

from dataclasses import dataclass

from model.ir import TransitionSystem

State = tuple[int, ...]


@dataclass(frozen=True)
class Trace:
    states: tuple[State, ...]
    actions: tuple[int, ...]
    loop: int | None = None

    @property
    def depth(self) -> int:
        return len(self.actions)

    def labels(self, ts: TransitionSystem) -> tuple[str, ...]:
        return tuple(ts.actions[a].label.render() for a in self.actions)
