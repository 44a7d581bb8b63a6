"""Where runs execute: in this process, in a local process pool, or on a Dask cluster.

All three follow one protocol, :class:`Executor`: ``imap_unordered(fn, tasks)``
yields ``(task, result)`` pairs as tasks finish, in any order, where a task that
raised yields its exception instead of a result (the caller records it and goes
on). Executors keep only a bounded number of tasks in flight, so memory does not
grow with the size of the experiment, and they never decide *what* is stored:
the caller (``sim.experiment.runner``) writes results as they arrive.

- :class:`SerialExecutor`: one task after the other, in this process (debugging, tiny jobs);
- :class:`ProcessExecutor`: ``concurrent.futures.ProcessPoolExecutor`` on this machine
  (default: all cores). Workers are forked with the model already imported, so
  they start in milliseconds, not the second a fresh interpreter needs; a
  worker that dies fails only the tasks in flight, and a new pool carries on;
  workers exit when the experiment process dies;
- :class:`DaskExecutor`: Dask distributed, either a ``LocalCluster`` bound to
  127.0.0.1 (scratch files inside the results folder) or an existing scheduler
  (``tcp://host:8786``) whose workers can import ``sim``.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Protocol, TypeVar

from sim.errors import ScenarioError

T = TypeVar("T")
R = TypeVar("R")

ENGINES = ("serial", "process", "dask")
WORKER_PRELOAD = ["sim.experiment.runner"]


class Executor(Protocol):
    """Runs tasks somewhere and hands back their results as they finish."""

    name: str
    slots: int  # tasks that can run at the same time

    def imap_unordered(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[tuple[T, R | Exception]]:
        """Run ``fn`` on every task; yield ``(task, result)`` or ``(task, exception)`` as each finishes."""
        ...

    def describe(self) -> str:
        """A short phrase for people, e.g. 'process pool, 2 workers'."""
        ...

    def close(self) -> None:
        """Stop workers and release resources (idempotent)."""
        ...


def default_workers() -> int:
    """Cores available to this process."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class SerialExecutor:
    """Runs tasks one after the other in this process."""

    name = "serial"
    slots = 1

    def imap_unordered(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[tuple[T, R | Exception]]:
        for task in tasks:
            try:
                result: R | Exception = fn(task)
            except Exception as exc:  # recorded by the caller; the batch goes on
                result = exc
            yield task, result

    def describe(self) -> str:
        return "serial (this process)"

    def close(self) -> None:
        pass

    def __enter__(self) -> SerialExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _main_process_gone(pid: int) -> bool:
    """True when process ``pid`` no longer runs (exited, or a zombie waiting to be reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return False


def _watch_main(pid: int) -> None:
    while not _main_process_gone(pid):
        time.sleep(1.0)
    os._exit(1)


def freeze_long_lived() -> None:
    """Set aside from the garbage collector everything a worker holds before its first run: the modules, the
    compiled code and what the preload made, objects that live as long as the worker. Left in, every full
    collection the runs' short-lived objects set off walks them all (measured in docs/SPEED.md); frozen, a full
    collection walks only what the runs made. The numbers do not change."""
    gc.freeze()


def _worker_init(main_pid: int) -> None:
    """Start-up of a pool worker: default SIGTERM, exit if the experiment process dies (e.g. SIGKILL) instead of
    lingering as an orphan, and what it inherited frozen (:func:`freeze_long_lived`)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=_watch_main, args=(main_pid,), daemon=True, name="watch-main").start()
    freeze_long_lived()


def _noop() -> None:
    return None


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A plain process pool for the scripts of experiments/ that map a function over their tasks, its workers
    started by the fork server (spawn where there is none), never forked from the script's process: by then it may
    run other threads (pyarrow's pools, in a test session), whose locks a forked worker would inherit held by no
    one. A script's function reaches the workers by its module's name."""
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method))


class ProcessExecutor:
    """A local pool of worker processes (``concurrent.futures``), ``workers`` of them.

    Workers are forked from this process when it runs no other Python thread
    (instant start, with what ``preload`` did here first, e.g. importing the
    model and loading its compiled code), else started by a fork server that
    imports the runner. Either way they exit if this process dies.
    """

    name = "process"

    def __init__(self, workers: int | None = None, start_method: str | None = None, in_flight: int = 2,
                 preload: Callable[[], None] | None = None):
        self.workers = max(int(workers or default_workers()), 1)
        self.preload = preload
        self.slots = self.workers
        self.start_method = start_method
        self.in_flight = max(in_flight, 1) * self.workers
        self._pool: ProcessPoolExecutor | None = None
        self.method_used: str | None = None

    def _method(self) -> str:
        if self.start_method:
            return self.start_method
        methods = multiprocessing.get_all_start_methods()
        # fork is unsafe while other Python threads may hold locks; then use the fork server.
        if "fork" in methods and sys.platform == "linux" and threading.active_count() == 1:
            return "fork"
        return "forkserver" if "forkserver" in methods else "spawn"

    def _new_pool(self) -> ProcessPoolExecutor:
        method = self.method_used = self._method()
        ctx = multiprocessing.get_context(method)
        if method == "forkserver":
            ctx.set_forkserver_preload(WORKER_PRELOAD)
        elif method == "fork" and self.preload is not None:
            try:
                self.preload()
            except Exception:  # only a head start: a model that cannot run fails in the runs, which record why
                pass
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx, initializer=_worker_init,
                                   initargs=(os.getpid(),))

    def start(self) -> None:
        """Start the workers now (before this process starts threads or opens files workers should not inherit)."""
        if self._pool is None:
            self._pool = self._new_pool()
            self._submit(_noop).result()

    def _submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        assert self._pool is not None
        with warnings.catch_warnings():
            # Forking happens only when no other Python thread runs (see _method); CPython still warns
            # about the idle native thread pools of OpenBLAS and Arrow, which have fork handlers and
            # which workers do not share.
            warnings.filterwarnings("ignore", message=".*use of fork\\(\\) may lead to deadlocks",
                                    category=DeprecationWarning)
            return self._pool.submit(fn, *args)

    def imap_unordered(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[tuple[T, R | Exception]]:
        it = iter(tasks)
        pending: dict[Future, T] = {}
        exhausted = False
        if self._pool is None:
            self._pool = self._new_pool()
        while True:
            while not exhausted and len(pending) < self.in_flight:
                try:
                    task = next(it)
                except StopIteration:
                    exhausted = True
                    break
                pending[self._submit(fn, task)] = task
            if not pending:
                return
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            broken = False
            for fut in finished:
                task = pending.pop(fut)
                try:
                    result: R | Exception = fut.result()
                except BrokenProcessPool as exc:
                    broken = True
                    result = exc
                except Exception as exc:
                    result = exc
                yield task, result
            if broken:
                # A worker died (killed, out of memory): the tasks in flight are lost; fail them and go on.
                for fut, task in list(pending.items()):
                    fut.cancel()
                    yield task, RuntimeError("a worker process died while this batch was running")
                pending.clear()
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()

    def describe(self) -> str:
        return f"process pool, {self.workers} worker{'s' if self.workers != 1 else ''}"

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> ProcessExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def local_worker_config(dashboard: bool) -> dict[str, Any]:
    """Dask settings for the workers of our own LocalCluster (a cluster at an address keeps its own).

    - glibc's adaptive memory thresholds, not the fixed ``MALLOC_TRIM_THRESHOLD_=65536`` Dask's
      nanny sets by default: a fixed threshold turns the adaptive ones off, so every array above
      128 kB is mapped from the system and given back when freed. In a thread, where a Dask worker
      runs its tasks, a default run took 20-60% longer that way (a plain thread with and without the
      setting, side by side); the Dask section of ``benchmarks/bench_experiments.py`` measures it.
    - Dask's statistical profiler (a thread sampling every worker's stack every 10 ms) only when the
      dashboard that shows it runs.
    """
    config: dict[str, Any] = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
    if not dashboard:
        config["distributed.worker.profile.enabled"] = False
    return config


class DaskExecutor:
    """Dask distributed: a LocalCluster on 127.0.0.1, or an existing scheduler at ``address``."""

    name = "dask"

    def __init__(self, address: str | None = None, workers: int | None = None,
                 scratch: str | Path | None = None, dashboard: bool = False, in_flight: int = 2,
                 preload: Callable[[], None] | None = None):
        import dask
        from dask.distributed import Client, LocalCluster

        self.address = address
        self._cluster = None
        self._scratch: Path | None = None
        if address:
            try:
                _probe(address)
                self._client = Client(address, timeout="15s")
            except (OSError, TimeoutError) as exc:
                raise ScenarioError(f"--scheduler {address}: expected a reachable Dask scheduler, found {type(exc).__name__}: "
                                    f"{str(exc).splitlines()[0] if str(exc) else 'no answer'}") from None
        else:
            n = max(int(workers or default_workers()), 1)
            kwargs: dict[str, Any] = {}
            if scratch is not None:
                if not Path(scratch).exists():
                    self._scratch = Path(scratch)  # ours: removed on close
                Path(scratch).mkdir(parents=True, exist_ok=True)
                kwargs["local_directory"] = str(scratch)
            with dask.config.set(local_worker_config(dashboard)):
                self._cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                                             dashboard_address="127.0.0.1:8787" if dashboard else None,
                                             silence_logs=logging.ERROR, **kwargs)
            self._client = Client(self._cluster)
        if preload is not None:
            try:  # on every worker now, as the process pool does before forking (not on the first runs' clock)
                self._client.run(preload)
            except Exception:  # only a head start: a model that cannot run fails in the runs, which record why
                pass
        if self._cluster is not None:  # our own workers only: a shared scheduler's are not ours to change
            self._client.run(freeze_long_lived)
        threads = sum(self._client.nthreads().values()) or 1
        self.slots = threads
        self.in_flight = max(in_flight, 1) * threads

    @property
    def dashboard_link(self) -> str | None:
        """URL of the Dask dashboard, when one runs."""
        try:
            return self._client.dashboard_link
        except Exception:  # dashboard off
            return None

    def imap_unordered(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[tuple[T, R | Exception]]:
        from dask.distributed import as_completed

        it = iter(tasks)
        pending: dict[Any, T] = {}

        def submit() -> Any | None:
            try:
                task = next(it)
            except StopIteration:
                return None
            fut = self._client.submit(fn, task, pure=False)  # pure=False: never de-duplicated
            pending[fut] = task
            return fut

        first = [f for f in (submit() for _ in range(self.in_flight)) if f is not None]
        if not first:
            return
        queue = as_completed(first)
        for fut in queue:
            task = pending.pop(fut)
            try:
                result: R | Exception = fut.result()
            except Exception as exc:  # includes KilledWorker
                result = exc
            fut.release()
            yield task, result
            nxt = submit()
            if nxt is not None:
                queue.add(nxt)

    def describe(self) -> str:
        if self.address:
            return f"Dask cluster at {self.address}, {self.slots} worker thread(s)"
        return f"Dask local cluster, {self.slots} worker{'s' if self.slots != 1 else ''}"

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None
        if self._scratch is not None:
            import shutil

            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _probe(address: str, timeout: float = 5.0) -> None:
    """Fail fast (OSError) when nothing listens at a tcp:// scheduler address, instead of retrying for long."""
    import socket
    from urllib.parse import urlsplit

    if "://" in address and not address.startswith("tcp://"):
        return  # other protocols (tls, ucx, inproc): let Dask decide
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.hostname and parts.port:
        socket.create_connection((parts.hostname, parts.port), timeout=timeout).close()


def make_executor(engine: str = "process", workers: int | None = None, scheduler: str | None = None,
                  scratch: str | Path | None = None, dashboard: bool = False,
                  preload: Callable[[], None] | None = None) -> Executor:
    """The executor for ``engine`` ('serial', 'process' or 'dask'); ``scheduler`` implies Dask; ``preload``
    is done where workers start (see :class:`ProcessExecutor` and :class:`DaskExecutor`)."""
    if scheduler:
        engine = "dask"
    if engine == "serial":
        return SerialExecutor()
    if engine == "process":
        return ProcessExecutor(workers, preload=preload)
    if engine == "dask":
        return DaskExecutor(scheduler, workers, scratch, dashboard, preload=preload)
    raise ValueError(f"engine: expected one of {', '.join(ENGINES)}, found {engine!r}")
