"""The one replication runner: results that depend only on (scenario, seed), whichever executor
ran them and in whatever order they finished; progress once per task; failures reported."""

from __future__ import annotations

import threading
from concurrent.futures import Executor, Future

import pandas as pd
import pytest

from netsim.study.runner import Task, error_text, replicate, run_replications
from tests.conftest import small_scenario

LEADERS = {
    "purpose": "leader_forum",
    "select": {"roles": ["leader"]},
    "enrollment": "automatic",
    "interval_weeks": 2,
    "quorum": 3,
}


def _scenario(name: str, **net):
    sc = small_scenario(leaders={**LEADERS, **net})
    return sc.model_copy(
        update={"name": name, "simulation": sc.simulation.model_copy(update={"years": 0.25})}
    )


A = _scenario("a")
B = _scenario("b", enrollment="voluntary", participation=0.9)
#: A scenario that loads always runs, so a failing task is a fault: here a scenario changed in
#: Python past its validation (model_copy does not validate) to fewer employees than the board.
NEVER = A.model_copy(
    update={"name": "never", "organisation": A.organisation.model_copy(update={"employees": 3})}
)
TASKS = [Task(sc, seed, (sc.name, seed)) for seed in (1, 2, 3) for sc in (A, B)]


class _InOrder(Executor):
    """Runs nothing until every task is submitted, then finishes them one at a time in
    ``order``: the next one only when ``step`` is called (from the runner's progress)."""

    def __init__(self, n: int, order: list[int]) -> None:
        self._n, self._order = n, order
        self._pending: list[tuple[Future, object, tuple]] = []
        self._go = threading.Semaphore(0)

    def submit(self, fn, /, *args, **kwargs):
        fut: Future = Future()
        self._pending.append((fut, fn, args))
        if len(self._pending) == self._n:
            threading.Thread(target=self._finish, daemon=True).start()
        return fut

    def step(self, done: int, total: int) -> None:
        self._go.release()

    def _finish(self) -> None:
        for k in self._order:
            fut, fn, args = self._pending[k]
            try:
                fut.set_result(fn(*args))
            except Exception as exc:
                fut.set_exception(exc)
            self._go.acquire(timeout=60)


def _table(outcomes) -> pd.DataFrame:
    rows = sorted(outcomes, key=lambda o: o.tag)
    return pd.DataFrame([o.value for o in rows], index=[o.tag for o in rows])


def test_results_are_the_same_with_one_or_two_workers_and_in_any_completion_order():
    serial = list(run_replications(TASKS, workers=1))
    pooled = list(run_replications(TASKS, workers=2))
    assert len(serial) == len(pooled) == len(TASKS)
    assert all(o.error is None for o in serial + pooled)
    pd.testing.assert_frame_equal(_table(serial), _table(pooled))
    assert [o.value["seed"] for o in serial] == [t.seed for t in TASKS]

    for order in ([5, 4, 3, 2, 1, 0], [3, 0, 5, 1, 4, 2]):
        ex = _InOrder(len(TASKS), order)
        arrived = list(run_replications(TASKS, executor=ex, progress=ex.step))
        assert [o.tag for o in arrived] == [TASKS[k].tag for k in order]
        pd.testing.assert_frame_equal(_table(arrived), _table(serial))


def test_whole_results_agree_with_summaries_and_do_not_depend_on_workers():
    summaries = replicate([A, B], reps=2, seed=4, workers=1)
    one = replicate([A, B], reps=2, seed=4, workers=1, keep="result")
    two = replicate([A, B], reps=2, seed=4, workers=2, keep="result")
    for i in range(2):
        for r in range(2):
            assert one[i][r].summary == pytest.approx(summaries[i][r], nan_ok=True)
            assert one[i][r].summary == pytest.approx(two[i][r].summary, nan_ok=True)
            pd.testing.assert_frame_equal(one[i][r].meetings, two[i][r].meetings)
            pd.testing.assert_frame_equal(one[i][r].weekly, two[i][r].weekly)
    assert [[s["seed"] for s in runs] for runs in summaries] == [[4, 5], [4, 5]]
    assert [s["seed"] for s in replicate([A], reps=range(2, 4), seed=4, workers=1)[0]] == [6, 7]


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_is_called_once_per_task(workers):
    calls = []
    outcomes = list(
        run_replications(TASKS, workers=workers, progress=lambda d, t: calls.append((d, t)))
    )
    assert len(outcomes) == len(TASKS)
    assert calls == [(k, len(TASKS)) for k in range(1, len(TASKS) + 1)]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failing_task_is_reported_without_losing_the_others(workers):
    tasks = [*TASKS[:3], Task(NEVER, 1, ("never", 1)), *TASKS[3:], Task(NEVER, 2, ("never", 2))]
    calls = []
    outcomes = list(
        run_replications(
            tasks, workers=workers, errors="record", progress=lambda d, t: calls.append(d)
        )
    )
    assert sorted(o.tag for o in outcomes) == sorted(t.tag for t in tasks)
    assert calls == list(range(1, len(tasks) + 1))
    failed = [o for o in outcomes if o.error is not None]
    assert sorted(o.tag for o in failed) == [("never", 1), ("never", 2)]
    assert all(o.value is None and isinstance(o.error, IndexError) for o in failed)
    assert all(error_text(o.error).startswith("IndexError: ") for o in failed)
    done = [o for o in outcomes if o.error is None]
    pd.testing.assert_frame_equal(_table(done), _table(run_replications(TASKS, workers=1)))

    with pytest.raises(IndexError):
        list(run_replications(tasks, workers=workers))


def test_the_kernels_asked_for_run_the_task_and_are_recorded():
    (outcome,) = run_replications([Task(A, 2)], workers=1, keep="result", kernels="numpy")
    assert outcome.value.kernels == "numpy"
    (numba,) = run_replications([Task(A, 2)], workers=1, keep="result", kernels="numba")
    assert numba.value.kernels == "numba"
    assert numba.value.summary == outcome.value.summary
    (bad,) = run_replications([Task(A, 2)], workers=1, kernels="gpu", errors="record")
    assert "kernels: must be one of numpy, numba" in error_text(bad.error)


def test_paired_tasks_in_one_group_share_their_organisation_and_give_the_same_results():
    from netsim.sim import model
    from netsim.study.runner import run_group, run_one

    built = []
    real = model.build_organisation

    def counting(*args, **kwargs):
        built.append(1)
        return real(*args, **kwargs)

    model.build_organisation = counting
    try:
        grouped = run_group([(A, 5), (B, 5), (A, 6)], keep="result")
        assert len(built) == 2  # seed 5's organisation once for A and B, then seed 6's
        alone = [run_one(sc, seed, keep="result") for sc, seed in ((A, 5), (B, 5), (A, 6))]
    finally:
        model.build_organisation = real
    assert [error for _, error in grouped] == [None] * 3
    for (got, _), expected in zip(grouped, alone, strict=True):
        assert got.summary.keys() == expected.summary.keys()
        for key, x in got.summary.items():  # equal to the bit, or both NaN
            y = expected.summary[key]
            assert x == y or (x != x and y != y), key
        pd.testing.assert_frame_equal(got.meetings, expected.meetings, check_exact=True)
        pd.testing.assert_frame_equal(got.weekly, expected.weekly, check_exact=True)
    failed = run_group([(NEVER, 1), (A, 1)])
    assert isinstance(failed[0][1], IndexError) and failed[1][1] is None


def test_a_pool_opened_by_the_runner_gets_paired_tasks_together_whoever_passes_it_on():
    from netsim.study.runner import open_executor

    def sent(outcomes):  # paired tasks sent together arrive together, with one time
        by_seed: dict[int, set[float]] = {}
        for o in outcomes:
            by_seed.setdefault(o.task.seed, set()).add(o.seconds)
        return sorted(len(times) for times in by_seed.values())

    with open_executor(workers=2) as ex:  # as compare and sweep open theirs
        pooled = list(run_replications(TASKS, executor=ex))
    assert sent(pooled) == [1, 1, 1]
    pd.testing.assert_frame_equal(_table(pooled), _table(run_replications(TASKS, workers=1)))
    # An executor of the caller's own gets one task at a time.
    ex = _InOrder(len(TASKS), list(range(len(TASKS))))
    assert len(list(run_replications(TASKS, executor=ex, progress=ex.step))) == len(TASKS)
    assert len(ex._order) == len(TASKS)
