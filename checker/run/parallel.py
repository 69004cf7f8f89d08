"""Independent jobs in local worker processes or on a Dask cluster, results in job order.

A job carries its transition system itself (frozen dataclasses, pickled by multiprocessing or
Dask: our own data, never spec text), so a worker needs no spec file and does exactly what a
serial run does for that instance (checker/run/runner.py `_run_job`).
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

J = TypeVar("J")
R = TypeVar("R")


def map_ordered(fn: Callable[[J], R], jobs: Sequence[J], workers: int = 1,
                dask_address: str | None = None) -> Iterator[R]:
    """fn over jobs: serially, in `workers` local processes, or on a Dask cluster; in job order."""
    if dask_address is not None:
        yield from _dask(fn, jobs, dask_address)
        return
    if workers <= 1 or len(jobs) <= 1:
        yield from map(fn, jobs)
        return
    ctx = mp.get_context("spawn")   # a fresh interpreter per worker: no z3 state crosses a fork
    with ctx.Pool(min(workers, len(jobs))) as pool:
        yield from pool.imap(fn, jobs, chunksize=1)


def _dask(fn: Callable[[J], R], jobs: Sequence[J], address: str) -> Iterator[R]:
    from distributed import Client  # only users of --dask need dask installed
    with Client(address) as client:
        futures = client.map(fn, list(jobs), pure=False)
        for f in futures:
            yield f.result()
