"""An independent oracle for hand-written models: plain BFS over a successor function."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable, Iterable


def bfs_count(init: Hashable, succ: Callable[[Hashable], Iterable[Hashable]]) -> tuple[int, int]:
    """(distinct states, transitions) reachable from init: written without seamcheck."""
    seen = {init}
    queue = deque([init])
    edges = 0
    while queue:
        s = queue.popleft()
        for t in succ(s):
            edges += 1
            if t not in seen:
                seen.add(t)
                queue.append(t)
    return len(seen), edges
