"""Independent jobs in local worker processes or on a Dask cluster, results in job order.

A job carries its transition system itself (frozen dataclasses, pickled by multiprocessing or
Dask: our own data, never spec text), so a worker needs no spec file and does exactly what a
serial run does for that instance (checker/run/runner.py `_run_job`).

Workers never see Ctrl-C (NOTE(interrupt) in checker/core/budget.py): they start with SIGINT
ignored, so the terminal's SIGINT reaches only the parent, which stops them (`stop`) and
reports what was finished.
"""

from __future__ import annotations

import multiprocessing as mp
import signal
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import TypeVar

from checker.core.budget import interrupt, sigint_ignored

J = TypeVar("J")
R = TypeVar("R")
POLL_S = 0.2     # how often a waiting parent looks at `stop`
CONNECT_S = 10   # how long a Dask client waits for its scheduler


def _never() -> bool:
    return False


def ignore_sigint() -> None:
    """In a worker: SIGINT is the parent's to handle (multiprocessing may reinstate Python's
    handler while the worker starts, so it is ignored again here)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def map_ordered(fn: Callable[[J], R], jobs: Sequence[J], workers: int = 1, dask_address: str | None = None,
                stop: Callable[[], bool] = _never) -> Iterator[R | None]:
    """fn over jobs: serially, in `workers` local processes, or on a Dask cluster; in job order.
    Once `stop()` is true (or on KeyboardInterrupt) the workers are stopped: the jobs finished
    by then still give their results, the others None."""
    if dask_address is not None:
        yield from _dask(fn, jobs, dask_address, stop)
        return
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            yield None if stop() else fn(job)
        return
    ctx = mp.get_context("spawn")   # a fresh interpreter per worker: no z3 state crosses a fork
    with sigint_ignored():
        pool = ctx.Pool(min(workers, len(jobs)), initializer=ignore_sigint)
    try:
        pending = [pool.apply_async(fn, (job,)) for job in jobs]
        pool.close()
        for ar in pending:
            _wait(ar.ready, partial(ar.wait, POLL_S), stop)
            yield ar.get() if ar.ready() else None
    finally:
        pool.terminate()
        pool.join()


def _wait(done: Callable[[], bool], a_while: Callable[[], object], stop: Callable[[], bool]) -> None:
    """Until done() or stop(); Ctrl-C here is an interrupt of the run (NOTE(interrupt))."""
    while not done() and not stop():
        try:
            a_while()
        except KeyboardInterrupt:
            interrupt()
            if stop is _never:
                raise


def _dask_wait(wait: Callable[..., object], future: object) -> None:
    try:
        wait([future], timeout=POLL_S)
    except TimeoutError:       # not done yet: the caller looks at `stop` and waits again
        pass


def _dask(fn: Callable[[J], R], jobs: Sequence[J], address: str, stop: Callable[[], bool]) -> Iterator[R | None]:
    from distributed import (
        Client,  # only users of --dask need dask installed
        wait,
    )
    with Client(address, timeout=CONNECT_S) as client:   # a scheduler gone since --dask was checked
        futures = client.map(fn, list(jobs), pure=False)
        try:
            for f in futures:
                _wait(f.done, partial(_dask_wait, wait, f), stop)
                yield f.result() if f.done() else None
        finally:
            client.cancel(futures)


def dask_problem(address: str, timeout_s: float) -> str | None:
    """Why no Dask scheduler can be used at `address` (checked within timeout_s), or None."""
    try:
        import asyncio

        from distributed.comm import connect
        from distributed.comm.addressing import parse_address, parse_host_port
        from distributed.security import Security
    except ImportError:
        return "needs dask's 'distributed' package (pip install 'seamcheck[dask]')"
    try:
        scheme, where = parse_address(address, strict=False)
        host_port = parse_host_port(where) if scheme in ("tcp", "tls") else None
    except ValueError as e:
        return f"{address!r} is not a Dask scheduler address ({e}); expected tcp://HOST:PORT"
    try:
        if host_port is not None:          # a refused connection fails at once, not after the timeout
            import socket
            socket.create_connection(host_port, timeout=timeout_s).close()

        async def handshake() -> None:        # as a Client connects (with the configured TLS, if any)
            comm = await connect(address, timeout=timeout_s, **Security().get_connection_args("client"))
            await comm.close()
        asyncio.run(handshake())
    except Exception as e:  # noqa: BLE001 - whatever fails, there is no scheduler at this address
        return f"no Dask scheduler answered at {address!r} within {timeout_s:g} s ({type(e).__name__}: {str(e)[:200]})"
    return None
