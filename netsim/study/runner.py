"""The one replication runner: (scenario, seed) tasks on any executor, results as they finish.

Every many-run path goes through :func:`run_replications`: the paired comparison
(:func:`netsim.compare`), the sweep (:func:`netsim.sweep`), the report and the teaching page.
The executor is any :class:`concurrent.futures.Executor`: a local process pool by default, this
process for one worker, or a ``dask.distributed.Client().get_executor()``. A task's result
depends only on its scenario and seed, never on which worker ran it or when, so the order in
which results arrive never matters to what is computed from them.
"""

from __future__ import annotations

import os
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from typing import Any, Literal, NamedTuple

from netsim.scenario.schema import Scenario

__all__ = [
    "Keep",
    "Outcome",
    "Task",
    "error_text",
    "open_executor",
    "replicate",
    "run_group",
    "run_one",
    "run_replications",
]

#: What a task sends back: its summary alone (a comparison, a sweep) or the whole result.
Keep = Literal["summary", "result"]


class Task(NamedTuple):
    """One replication to run: a scenario, its seed, and the caller's tag for the result."""

    scenario: Scenario
    seed: int
    tag: Any = None


class Outcome(NamedTuple):
    """A finished task: its ``value`` (summary dict or ``RunResult``), or the ``error`` it
    raised, and the seconds from submitting it to its result arriving (paired tasks sent to
    a worker together, :func:`run_group`, arrive together)."""

    task: Task
    value: Any
    error: BaseException | None
    seconds: float

    @property
    def tag(self) -> Any:
        """The task's tag."""
        return self.task.tag


def run_one(
    scenario: Scenario,
    seed: int,
    keep: Keep = "summary",
    trace: bool = False,
    kernels: str | None = None,
) -> Any:
    """One replication: the unit of work sent to executors (a module-level function, so that
    process pools and Dask can pickle it).

    Parameters
    ----------
    scenario : Scenario
    seed : int
    keep : {"summary", "result"}
        ``"summary"``: :func:`netsim.sim.model.summarise`'s dict, without building the result's
        tables; ``"result"``: :func:`netsim.simulate`'s ``RunResult``.
    trace : bool
        Record the attendance trace (``keep="result"`` only).
    kernels : str, optional
        ``"numpy"`` or ``"numba"``; by default the environment's (``NETSIM_KERNELS``),
        resolved in the process that runs the task.

    Returns
    -------
    dict or RunResult
    """
    from netsim.sim.model import simulate, summarise

    if keep == "summary":
        return summarise(scenario, seed=seed, kernels=kernels)
    return simulate(scenario, seed=seed, trace=trace, kernels=kernels)


class _InProcess(Executor):
    """This process as an executor: what one worker means, without process start-up costs.

    :func:`run_replications` runs its tasks one by one, so that each result (and progress)
    arrives as soon as it is done; ``submit`` is for other callers.
    """

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        fut: Future[Any] = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except Exception as exc:  # a task's failure, as a worker would report it
            fut.set_exception(exc)
        return fut


class _Pool(ProcessPoolExecutor):
    """A process pool the runner opened itself (:func:`open_executor`): it sends paired
    tasks to a worker together (:func:`run_group`), whoever passes it on."""


def _end_with_parent(interval: float = 0.5) -> None:
    """Make this worker process exit soon after the process that started it is gone.

    A pool's workers wait on a queue that their killed parent (``kill -9``) can no longer
    close, and would finish their task and then wait for minutes, or for ever; a daemon
    thread notices the parent's end (the worker is handed to another parent) and exits.
    """
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(1)

    threading.Thread(target=watch, name="netsim-end-with-parent", daemon=True).start()


@contextmanager
def open_executor(
    workers: int | None = None, executor: Executor | None = None
) -> Iterator[Executor]:
    """The executor to run on, for several calls of :func:`run_replications`.

    Parameters
    ----------
    workers : int, optional
        Without ``executor``: a process pool of this many workers (by default one per core),
        or this process when that is one; shut down (pending tasks cancelled) on leaving.
        :func:`run_replications` sends paired tasks to such a pool's workers together, as to
        the pool it opens itself.
    executor : concurrent.futures.Executor, optional
        Used as it is and left open: its owner shuts it down.

    Yields
    ------
    concurrent.futures.Executor
    """
    if executor is not None:
        yield executor
        return
    n = workers or os.cpu_count() or 1
    own: Executor = _InProcess() if n == 1 else _Pool(max_workers=n, initializer=_end_with_parent)
    try:
        yield own
    finally:
        own.shutdown(wait=True, cancel_futures=True)


def run_replications(
    tasks: Iterable[Task],
    *,
    executor: Executor | None = None,
    workers: int | None = None,
    keep: Keep = "summary",
    trace: bool = False,
    kernels: str | None = None,
    errors: Literal["raise", "record"] = "raise",
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[Outcome]:
    """Run every task; yield each :class:`Outcome` as it finishes.

    Parameters
    ----------
    tasks : iterable of Task
        ``(scenario, seed, tag)``; the tag comes back with the result, to place it.
    executor : concurrent.futures.Executor, optional
        Any executor (a ``dask.distributed.Client().get_executor()`` too), left open. By
        default one is opened for these tasks as :func:`open_executor` does with ``workers``.
    workers : int, optional
        Without ``executor``: processes (by default one per core); one runs here, in turn.
    keep, trace, kernels
        What each task returns and how it runs (:func:`run_one`).
    errors : {"raise", "record"}
        ``"raise"``: the first failure that arrives is raised (and the tasks not started are
        cancelled); ``"record"``: a failed task is yielded with its ``error`` and the others
        go on.
    progress : callable, optional
        ``progress(done, total)``, once per task, after the caller has taken its outcome.

    Yields
    ------
    Outcome
        In the order the tasks finish, which may differ from run to run; place results by
        ``tag``. The next task in this process (one worker) starts only when the caller
        asks for the next outcome, so a caller that saves each outcome before asking has
        saved every finished task whenever the run is stopped.
    """
    todo = list(tasks)
    own = executor is None or isinstance(executor, _Pool)
    if own and (executor is not None or (workers or os.cpu_count() or 1) > 1):
        _load_kernels(kernels)
    with open_executor(workers, executor) as ex:
        if isinstance(ex, _InProcess):
            finished: Iterator[Outcome] = _one_by_one(todo, keep, trace, kernels)
        else:
            # Paired tasks go to a worker of the runner's own pool together (opened here, or
            # by open_executor for a comparison or a sweep); an executor of the caller's own
            # gets one task at a time, as it asked for.
            size = GROUP if own else 1
            finished = _as_they_finish(ex, todo, keep, trace, kernels, size)
        for done, outcome in enumerate(finished, start=1):
            if outcome.error is not None and errors == "raise":
                raise outcome.error
            yield outcome
            if progress is not None:
                progress(done, len(todo))


def _load_kernels(kernels: str | None) -> None:
    """Load the kernels the tasks will ask for here, before the pool's workers start: where
    workers are forked (Linux) they inherit the loaded compiled code instead of each loading
    it (a few tenths of a second each). A bad choice is left for the tasks to report."""
    from netsim.errors import NetsimError
    from netsim.sim.kernels import backend

    try:
        backend(kernels)
    except NetsimError:
        pass


def _one_by_one(
    todo: Sequence[Task], keep: Keep, trace: bool, kernels: str | None
) -> Iterator[Outcome]:
    from netsim.sim.model import sharing

    # Paired tasks follow each other: their organisation is built once. One block per task,
    # carrying what is kept, so that no block is open while the caller holds the generator
    # (which may be closed in another context).
    kept: dict[Any, Any] = {}
    for task in todo:
        t0 = time.perf_counter()
        try:
            with sharing(kept):
                value = run_one(task.scenario, task.seed, keep, trace, kernels)
        except Exception as exc:  # a task's failure, as a worker would report it
            yield Outcome(task, None, exc, time.perf_counter() - t0)
        else:
            yield Outcome(task, value, None, time.perf_counter() - t0)


#: Paired tasks sent to a worker together at most (a comparison's pairs, a sweep point's).
GROUP = 4


def run_group(
    tasks: Sequence[tuple[Scenario, int]],
    keep: Keep = "summary",
    trace: bool = False,
    kernels: str | None = None,
) -> list[tuple[Any, BaseException | None]]:
    """Several replications in one worker, one after the other: the unit of work the runner
    sends to executors (a module-level function, so that process pools and Dask can pickle
    it).

    The tasks of a group share a seed (paired replications of several scenarios), so they
    share the organisation and the daily random numbers (:func:`netsim.sim.model.sharing`):
    each result is what :func:`run_one` gives, to the bit, at less cost.

    Parameters
    ----------
    tasks : sequence of (Scenario, int)
        Each replication's scenario and seed.
    keep, trace, kernels
        As :func:`run_one`.

    Returns
    -------
    list of (value, error)
        Per task in order, its value (and ``None``), or ``None`` and the exception it raised.
    """
    from netsim.sim.model import sharing

    out: list[tuple[Any, BaseException | None]] = []
    with sharing():
        for scenario, seed in tasks:
            try:
                out.append((run_one(scenario, seed, keep, trace, kernels), None))
            except Exception as exc:  # a task's failure, reported with the task
                out.append((None, exc))
    return out


def _groups(todo: Sequence[Task], size: int) -> list[list[Task]]:
    """Consecutive tasks with the same seed, at most ``size`` at a time."""
    groups: list[list[Task]] = []
    for task in todo:
        if groups and groups[-1][0].seed == task.seed and len(groups[-1]) < size:
            groups[-1].append(task)
        else:
            groups.append([task])
    return groups


def _as_they_finish(
    ex: Executor, todo: Sequence[Task], keep: Keep, trace: bool, kernels: str | None, size: int
) -> Iterator[Outcome]:
    # Paired tasks sent together share their organisation and random numbers in the worker,
    # and a group costs one round trip.
    futures: dict[Future[Any], tuple[list[Task], float]] = {}
    for group in _groups(todo, size):
        t0 = time.perf_counter()
        payload = [(task.scenario, task.seed) for task in group]
        futures[ex.submit(run_group, payload, keep, trace, kernels)] = (group, t0)
    for fut in as_completed(futures):
        group, t0 = futures.pop(fut)
        exc = fut.exception()
        results = fut.result() if exc is None else [(None, exc)] * len(group)
        seconds = time.perf_counter() - t0
        for task, (value, error) in zip(group, results, strict=True):
            yield Outcome(task, value, error, seconds)


def replicate(
    scenarios: Sequence[Scenario],
    *,
    reps: int | range,
    seed: int,
    executor: Executor | None = None,
    workers: int | None = None,
    keep: Keep = "summary",
    trace: bool = False,
    kernels: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[list[Any]]:
    """Replication ``r`` of every scenario with seed ``seed + r``: paired replications.

    Scenarios that share an organisation share it, and the days of time pressure, replication
    by replication (common random numbers), so differences between them are paired.

    Parameters
    ----------
    scenarios : sequence of Scenario
    reps : int or range
        Replications ``0 .. reps - 1``, or the replications in the range.
    seed : int
        Seed of replication 0.
    executor, workers, keep, trace, kernels, progress
        As :func:`run_replications`; the first failure is raised.

    Returns
    -------
    list of list
        Per scenario, its replications' summaries or results in replication order.

    Examples
    --------
    >>> from netsim.scenario.load import parse_scenario
    >>> sc = parse_scenario({"name": "empty", "organisation": {"employees": 100}})
    >>> runs = replicate([sc], reps=2, seed=5, workers=1)
    >>> [s["seed"] for s in runs[0]]
    [5, 6]
    """
    wanted = range(reps) if isinstance(reps, int) else reps
    tasks = [
        Task(sc, seed + r, (i, k)) for k, r in enumerate(wanted) for i, sc in enumerate(scenarios)
    ]
    out: list[list[Any]] = [[None] * len(wanted) for _ in scenarios]
    for outcome in run_replications(
        tasks,
        executor=executor,
        workers=workers,
        keep=keep,
        trace=trace,
        kernels=kernels,
        progress=progress,
    ):
        i, k = outcome.tag
        out[i][k] = outcome.value
    return out


def error_text(exc: BaseException) -> str:
    """A failed task's error on one line (its type and message, at most 2000 characters)."""
    last = traceback.format_exception_only(type(exc), exc)[-1].strip()
    return last[:2000]
