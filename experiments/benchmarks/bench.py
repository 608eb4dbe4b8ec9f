"""netsim's performance, measured: netsim and its naive reference side by side.

Writes ``docs/performance.md`` (or ``--out``) with everything it measured in this one run:

- the machine and the versions;
- ``copenhagen_scale`` (45,000 employees, about 2,000 network groups) scaled to 2,000, 10,000
  and 45,000 employees, one simulated year: netsim and ``reference.py`` (the model written the
  naive way) alternating, each run in a fresh subprocess so that its peak RSS is its own;
  build and run timed separately, SimPy events per simulated year, medians of several runs;
- ``auto_enrollment``, two simulated years, per replication (many in one process), with
  the result's tables and, as ``netsim compare``'s worker processes run them, the summary
  only; and the wall time of ``netsim compare auto_enrollment goal_driven --reps 1000
  --workers 2``;
- the exponents of a power law fitted to netsim's cost against employees and against years;
- the daily diffusion step against the memory-bandwidth bound of the same work, with the
  machine's copy bandwidth measured in the same run: measured alone, and timed inside whole
  model runs (where meetings and the week's end leave it colder caches, and the organisation
  without its networks takes the same step); in a model run also against the time its bytes
  take at the rate scattered cache lines arrive, measured in the same run (issue 16's bar);
- the bars of issues 6 and 16, met or not.

Beside the page, ``performance.json`` keeps the same numbers by name. Where one is already
there (the committed run), the script first prints how far each number moved from it and
marks those that moved more than this machine's noise: what "reproduces the table within
noise" means, checked.

netsim runs twice where it matters: with the numpy reference kernels (``NETSIM_KERNELS=numpy``)
and with the compiled ones, the default (``NETSIM_KERNELS=numba``), when numba is installed.

Where the reference would take more than two minutes it runs a shorter horizon (a whole
number of meeting cycles of every network) and its time is extrapolated linearly in days;
the table says so.

Usage::

    python experiments/benchmarks/bench.py                 # the full run (make bench)
    python experiments/benchmarks/bench.py --smoke --out /tmp/perf.md   # tiny, seconds

Benchmarks are not tests: nothing here asserts a timing. ``tests/test_bench.py`` runs the
smoke plan (in-process by default; the real smoke run is marked slow) to check that the
script works and writes its table.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SCENARIOS = REPO / "scenarios"
DOC = REPO / "docs" / "performance.md"

#: copenhagen_scale's sizes of the sampled networks, scaled with the organisation.
FULL = 45_000
SAMPLES = {"sharing": 35_000, "strategy": 400}
#: The reference's shorter horizon: 60 working days hold three meeting cycles of the
#: four-weekly networks and two of the six-weekly one, all starting on day 0.
REFERENCE_DAYS = 60
REFERENCE_BUDGET_S = 120.0
DAYS_PER_YEAR = 220

# The bars of issues 6 and 16. The daily diffusion step's bar (issue 16) is its time in a
# model run against the time its bytes take at the rate scattered cache lines arrive; the
# copy-bandwidth bound (issue 6's bar, 3x) stays on the page as information.
BAR_CPH_S, BAR_CPH_RSS_MB, BAR_RATIO = 1.5, 400.0, 50.0
BAR_REPLICATION_S, BAR_DIFFUSION = 0.1, 1.0


# --------------------------------------------------------------------------- children
# Every measured run happens in a fresh interpreter: ``bench.py --child '{json}'`` prints
# one JSON line and exits, so its peak RSS (ru_maxrss) is that run's alone.


def _scaled(employees: int) -> Any:
    import netsim
    from netsim.scenario.load import with_overrides

    sc = netsim.load_scenario(SCENARIOS / "copenhagen_scale.toml")
    values: dict[str, Any] = {"organisation.employees": employees}
    for name, size in SAMPLES.items():
        values[f"networks.{name}.select.sample"] = max(20, round(size * employees / FULL))
    return with_overrides(sc, values)


def _child(spec: dict[str, Any]) -> dict[str, Any]:
    kind = spec["kind"]
    os.environ["NETSIM_KERNELS"] = spec.get("kernels", "numpy")
    from netsim.sim.kernels import backend

    # The compiled step loads once per process, like an import: timed here, on its own.
    t0 = time.perf_counter()
    backend()
    load_s = time.perf_counter() - t0
    if kind == "netsim":
        from netsim.sim.model import run

        sc = _scaled(spec["employees"])
        r = run(sc, spec["seed"], years=spec["years"])
        out = {
            "load_s": load_s,
            "build_s": r.build_seconds,
            "run_s": r.run_seconds,
            "events": r.events,
            "meetings": len(r.result.meetings),
            "groups": r.result.summary["groups"],
        }
    elif kind == "reference":
        sys.path.insert(0, str(HERE))
        import reference

        sc = _scaled(spec["employees"])
        rr = reference.simulate(sc, spec["seed"], years=spec["days"] / DAYS_PER_YEAR)
        out = {
            "build_s": rr.build_seconds,
            "run_s": rr.run_seconds,
            "events": rr.events,
            "meetings": len(rr.meetings),
        }
    elif kind == "replications":
        import netsim
        from netsim.sim.model import summarise

        sc = netsim.load_scenario(SCENARIOS / "auto_enrollment.toml")
        times, summary_times = [], []
        for rep in range(spec["reps"]):  # the whole result, its tables built
            t0 = time.perf_counter()
            netsim.simulate(sc, seed=spec["seed"] + rep, years=spec["years"])
            times.append(time.perf_counter() - t0)
        for rep in range(spec["reps"]):  # the summary only, as a comparison's workers
            t0 = time.perf_counter()
            summarise(sc, seed=spec["seed"] + rep, years=spec["years"])
            summary_times.append(time.perf_counter() - t0)
        out = {"times_s": times, "summary_times_s": summary_times}
    elif kind == "compare":
        t0 = time.perf_counter()
        subprocess.run(
            [
                sys.executable, "-m", "netsim.cli", "compare",
                str(SCENARIOS / "auto_enrollment.toml"), str(SCENARIOS / "goal_driven.toml"),
                "--reps", str(spec["reps"]), "--workers", "2", "--format", "json",
            ],
            check=True, capture_output=True, cwd=REPO,
        )  # fmt: skip
        out = {"wall_s": time.perf_counter() - t0}
    elif kind == "diffusion":
        out = _diffusion(spec)
    elif kind == "diffusion_in_model":
        out = _diffusion_in_model(spec)
    elif kind == "bandwidth":
        out = _bandwidth(spec["mb"])
    else:
        raise ValueError(kind)
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _diffusion(spec: dict[str, Any]) -> dict[str, Any]:
    """The daily diffusion step (who talks, to whom, what they learn) on a state that has
    run for a while, on fresh random numbers every day, against the bytes it must move.

    Measured per day three ways: numpy one day at a time (``talk``); numpy as the model runs
    it, a week's talks drawn at once and applied day by day (``who_talks``, ``diffuse``),
    its time divided by the days; and the compiled step (``NETSIM_KERNELS=numba``)."""
    import numpy as np

    from netsim.sim import kernels
    from netsim.sim.daily import talk, who_talks
    from netsim.sim.model import run

    state = run(_scaled(spec["employees"]), spec["seed"], years=spec["warmup_years"]).state
    n, topics = state.knowledge.shape
    share = state.scenario.diffusion.gap_share
    rng = np.random.default_rng(spec["seed"])
    week = 5
    ways = ["numpy", "numpy_week"] + (["numba"] if spec["numba"] else [])
    times: dict[str, list[float]] = {w: [] for w in ways}
    needed = []
    for warm_up in [True] + [False] * max(1, spec["days"] // week):
        u = rng.random((week, 2, n))
        pressures = [state.pressure] * week
        for way in ways:  # the same days, from the same knowledge, each way in turn
            saved = state.knowledge.copy()
            t0 = time.perf_counter()
            if way == "numpy_week":
                talks = who_talks(state, pressures, u[:, 0], u[:, 1])
                for learners, sources in talks:
                    kernels.diffuse(state.knowledge, learners, sources, share)
            else:
                for d in range(week):
                    talk(state, u[d, 0], u[d, 1], backend=way)
            if not warm_up:
                times[way].append((time.perf_counter() - t0) / week)
            if way != ways[-1]:
                state.knowledge[:] = saved
        if not warm_up:
            needed += [_bytes_needed(state, u[d, 0], u[d, 1]) for d in range(week)]
    return {"times_s": times, "bytes": needed, "topics": topics, "ties": int(state.w.size)}


def _diffusion_in_model(spec: dict[str, Any]) -> dict[str, Any]:
    """The daily diffusion step timed where the model runs it: inside whole runs (one
    simulated year at ``employees``), amid meetings and the week's end (tie decay,
    forgetting, the weekly record, the next week's random numbers), with the caches as these
    leave them. Per run, the time spent in the step divided by the working days, and (with
    numpy; the compiled step runs the same days) the bytes the step must move on the first
    day of each run of days the model simulates in one step (up to a meeting day or the
    week's end).

    The step is the organisation's and, from the first meeting on, that of the organisation
    without its networks (:class:`netsim.sim.account.Shadow`), which talks on the same days
    with the same numbers: the model's step does both. With numpy, the time in
    :func:`netsim.sim.daily.who_talks_all` (both organisations' talks, drawn in one call) and
    :func:`netsim.sim.kernels.diffuse` (the model draws a run of days' talks at once, so there
    is no single day to time). With the compiled
    kernel, whose one call does a run of days of both, each call is timed whole, as the model
    makes it (the days' pressure included: a stream of ``employees`` numbers a day; from
    10,000 employees the two organisations on two threads, the shadow's on the run's helper
    thread, whose earlier work, such as the next week's random numbers, is waited for
    untimed before each call). The bytes are those both must move (:func:`_bytes_needed`).
    Each run is checked against an untimed run: the same knowledge, to the bit."""
    import numpy as np

    from netsim.sim import daily, kernels, model

    sc = _scaled(spec["employees"])
    years, way = spec["years"], spec["kernels"]
    expected = model.run(sc, spec["seed"], years=years).state.knowledge
    spent = [0.0]
    needed: list[int] = []
    # Each day's time by its place in its run of days: the compiled calls are timed whole (a
    # run of days each), so none since the step does a run of days of both organisations.
    by_position: dict[int, list[float]] = {}

    def timing(f: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            out = f(*args, **kwargs)
            spent[0] += time.perf_counter() - t0
            return out

        return timed

    def sample(state: Any, pressure: Any, u_talk: Any, u_pick: Any) -> None:
        """The bytes of the first of each run of days (untimed), the state as it is then."""
        now, state.pressure = state.pressure, pressure
        needed.append(_bytes_needed(state, u_talk, u_pick, shadow=state.account.shadow))
        state.pressure = now

    if way == "numba":
        days_compiled = daily.days_compiled

        def days(state: Any, first: int, eps: Any, u: Any, shadow: Any = None) -> None:
            if state.helper is not None:
                # What the run's helper thread still has to do from before (the next week's
                # random numbers, the shadow's week's fading and measurements of hours) is not
                # the step: it is done, untimed, first (the thread takes its work in order).
                state.helper.submit(lambda: None).result()
            t0 = time.perf_counter()
            days_compiled(state, first, eps, u, shadow)
            if shadow is not None:  # a large shadow's days run on the helper thread: both timed
                shadow.settle()
            spent[0] += time.perf_counter() - t0

        patches = {(daily, "days_compiled"): days}
    else:
        who_talks_all = timing(daily.who_talks_all)

        def talks(states: Any, pressures: Any, u_talk: Any, u_pick: Any) -> Any:
            out = who_talks_all(states, pressures, u_talk, u_pick)
            # The organisation's (with its shadow's, drawn in the same call).
            sample(states[0], pressures[0], u_talk[0], u_pick[0])
            return out

        patches = {(daily, "who_talks_all"): talks, (kernels, "diffuse"): timing(kernels.diffuse)}
    saved = {key: getattr(*key) for key in patches}
    per_day = []
    try:
        for (module, name), f in patches.items():
            setattr(module, name, f)
        for _ in range(spec["runs"]):
            spent[0] = 0.0
            r = model.run(sc, spec["seed"], years=years)
            if not np.array_equal(r.state.knowledge, expected):
                raise AssertionError("the timed run's knowledge differs from the untimed run's")
            per_day.append(spent[0] / round(years * sc.simulation.days_per_year))
    finally:
        for (module, name), f in saved.items():
            setattr(module, name, f)
    return {"per_day_s": per_day, "bytes": needed, "by_position": by_position}


LINE = 64  # bytes: memory moves whole cache lines


def _bytes_needed(state: Any, u_talk: Any, u_pick: Any, shadow: Any = None) -> int:
    """What any implementation of the day's step must move between memory and the processor,
    in whole cache lines: everybody's pressure, talk number and has-ties flag, streamed; per
    would-be talker their neighbour number, row pointers and the strengths of their row; per
    talker the neighbour's id, their own knowledge row (read and written) and the
    neighbour's (read). Each distinct line is counted once.

    With ``shadow`` (the organisation without its networks, which talks the same day with
    the same numbers), its lines too: the would-be talkers and their rows are the same
    (counted once), and per would-be talker the row's starting strengths, per talker of its
    own the neighbour's id and the two knowledge rows of its own matrix."""
    import numpy as np

    from netsim.sim.kernels import draw_ties

    n, topics = state.knowledge.shape
    prob = state.scenario.diffusion.talk_prob_per_day * (1.0 - state.pressure)
    would = np.flatnonzero((u_talk < prob) & state.has_ties)
    start, end = state.indptr[would], state.indptr[would + 1]
    # The talkers and their neighbours, as the step drew them (ties do not change by talking).
    tie = draw_ties(would, u_pick[would], state.indptr, state.w, long_row=state.long_row)
    talks = tie >= 0
    learners, sources = would[talks], state.indices[tie[talks]]
    ids = tie[talks]

    def distinct_lines(first_byte: Any, end_byte: Any) -> int:
        """Distinct cache lines covered by the byte ranges [first, end)."""
        first, last = first_byte // LINE, (end_byte - 1) // LINE
        count = last - first + 1
        offset = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
        return int(np.unique(np.repeat(first, count) + offset).size)

    streamed = n * (8 + 8 + 1)  # pressure, u_talk, has_ties
    row_bytes = topics * 8
    knowledge_lines = 2 * distinct_lines(learners * row_bytes, learners * row_bytes + row_bytes)
    knowledge_lines += distinct_lines(sources * row_bytes, sources * row_bytes + row_bytes)
    strengths = distinct_lines(start * 8, end * 8)
    if shadow is not None:
        tie0 = draw_ties(would, u_pick[would], state.indptr, shadow.w, long_row=state.long_row)
        talks0 = tie0 >= 0
        learners0, sources0 = would[talks0], state.indices[tie0[talks0]]
        ids = np.concatenate([ids, tie0[talks0]])  # the same array of ids: lines once
        strengths *= 2  # and the starting strengths' rows
        knowledge_lines += 2 * distinct_lines(
            learners0 * row_bytes, learners0 * row_bytes + row_bytes
        ) + distinct_lines(sources0 * row_bytes, sources0 * row_bytes + row_bytes)
    lines = (
        distinct_lines(would * 8, would * 8 + 8)  # u_pick
        + distinct_lines(would * 8, would * 8 + 16)  # indptr[i], indptr[i + 1]
        + strengths  # the rows' strengths
        + distinct_lines(ids * 4, ids * 4 + 4)  # the neighbour's id
        + knowledge_lines
    )
    return streamed + LINE * lines


def _bandwidth(mb: int) -> dict[str, Any]:
    """Copy bandwidth (bytes read plus bytes written per second), best of several copies of
    an array far larger than the caches; and, for comparison, the rate at which the machine
    fetches cache lines scattered over memory (in ascending order, each line's first value,
    with ``np.take``: independent loads), each time right after a copy has flushed the
    caches, from the half of the array the copy's last lines are not in."""
    import numpy as np

    src = np.ones(mb * 2**20 // 8)
    dst = np.empty_like(src)
    per_line = LINE // src.itemsize
    half = src.size // 2 // per_line
    rng = np.random.default_rng(0)
    lines = np.sort(rng.choice(half, min(SCATTERED_LINES, half // 4), replace=False)) * per_line
    best = best_scattered = math.inf
    for _ in range(7):
        t0 = time.perf_counter()
        np.copyto(dst, src)
        best = min(best, time.perf_counter() - t0)
        t0 = time.perf_counter()
        src.take(lines)
        best_scattered = min(best_scattered, time.perf_counter() - t0)
    return {
        "copy_gb_s": 2 * src.nbytes / best / 1e9,
        "scattered_gb_s": lines.size * LINE / best_scattered / 1e9,
        "scattered_lines": int(lines.size),
    }


#: Cache lines fetched to measure the scattered rate (about as many as the daily step's).
SCATTERED_LINES = 50_000


def measure(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter (same environment, OPENBLAS_* included)."""
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(spec)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    if out.returncode != 0:
        raise RuntimeError(f"benchmark child {spec} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- the plan


@dataclass
class Plan:
    sizes: tuple[int, ...]
    netsim_reps: int
    reference_reps: dict[int, int]
    years: float
    year_points: tuple[float, ...]  # horizons for the exponent in years
    year_size: int
    replication_years: float
    replication_reps: int
    replication_runs: int
    diffusion_size: int
    diffusion_days: int
    diffusion_warmup_years: float
    in_model_runs: int  # runs of one simulated year at diffusion_size, per implementation
    bandwidth_mb: int
    compare_reps: int
    smoke: bool


FULL_PLAN = Plan(
    sizes=(2_000, 10_000, 45_000),
    netsim_reps=5,
    reference_reps={2_000: 3, 10_000: 2, 45_000: 1},
    years=1.0,
    year_points=(0.5, 1.0, 2.0),
    year_size=10_000,
    replication_years=2.0,
    replication_reps=20,
    replication_runs=3,
    diffusion_size=45_000,
    diffusion_days=60,
    diffusion_warmup_years=0.25,
    in_model_runs=3,
    bandwidth_mb=512,
    compare_reps=1000,
    smoke=False,
)
SMOKE_PLAN = Plan(
    sizes=(600, 1000),
    netsim_reps=1,
    reference_reps={600: 1, 1000: 1},
    years=0.1,
    year_points=(0.05, 0.1),
    year_size=600,
    replication_years=0.1,
    replication_reps=2,
    replication_runs=1,
    diffusion_size=1000,
    diffusion_days=5,
    diffusion_warmup_years=0.05,
    in_model_runs=1,
    bandwidth_mb=16,
    compare_reps=3,
    smoke=True,
)


def _median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def _fit_exponent(x: Sequence[float], y: Sequence[float]) -> float:
    """Slope of log y against log x (least squares): cost ~ x ** slope."""
    lx, ly = [math.log(v) for v in x], [math.log(v) for v in y]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    sxx = sum((a - mx) ** 2 for a in lx)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly, strict=True)) / sxx


def _has_numba() -> bool:
    import importlib.util

    return importlib.util.find_spec("numba") is not None


def run_plan(plan: Plan, log: Any = print) -> dict[str, Any]:
    seed = 1
    numba = _has_numba()
    if numba:  # compile the step once (cached), so that no measured run pays for it
        measure({"kind": "bandwidth", "mb": 1, "kernels": "numba"})
    days = round(plan.years * DAYS_PER_YEAR)
    rows = []
    # Seconds per employee-day of the reference, from the largest size run in full so far.
    per_employee_day: float | None = None
    for size in plan.sizes:
        nets, refs, fast = [], [], []
        ref_days = days
        if per_employee_day is not None:
            projected = per_employee_day * size * days
            if projected > REFERENCE_BUDGET_S and days > REFERENCE_DAYS:
                ref_days = REFERENCE_DAYS
        for rep in range(max(plan.netsim_reps, plan.reference_reps[size])):
            # Alternate: netsim, reference, netsim, reference, ...
            if rep < plan.netsim_reps:
                nets.append(
                    measure(
                        {"kind": "netsim", "employees": size, "seed": seed, "years": plan.years}
                    )
                )
                took = nets[-1]["build_s"] + nets[-1]["run_s"]
                log(f"netsim    {size:>6} employees: {took:.3f} s")
                if numba:
                    spec = {"kind": "netsim", "employees": size, "seed": seed}
                    fast.append(measure({**spec, "years": plan.years, "kernels": "numba"}))
                    took = fast[-1]["build_s"] + fast[-1]["run_s"]
                    log(f"netsim (numba) {size:>6} employees: {took:.3f} s")
            if rep < plan.reference_reps[size]:
                spec = {"kind": "reference", "employees": size, "seed": seed, "days": ref_days}
                refs.append(measure(spec))
                log(
                    f"reference {size:>6} employees, {ref_days} days: "
                    f"{refs[-1]['build_s'] + refs[-1]['run_s']:.1f} s"
                )
        ref_build = _median([r["build_s"] for r in refs])
        ref_run = _median([r["run_s"] for r in refs]) * days / ref_days
        if ref_days == days:
            per_employee_day = (ref_build + ref_run) / (size * days)
        net_build = _median([r["build_s"] for r in nets])
        net_run = _median([r["run_s"] for r in nets])
        net_total = _median([r["build_s"] + r["run_s"] for r in nets])
        rows.append(
            {
                "employees": size,
                "groups": nets[0]["groups"],
                "netsim_build_s": net_build,
                "netsim_run_s": net_run,
                "netsim_total_s": net_total,
                "netsim_rss_mb": max(r["peak_rss_mb"] for r in nets),
                "netsim_events_per_year": nets[0]["events"] / plan.years,
                "reference_build_s": ref_build,
                "reference_run_s": ref_run,
                "reference_total_s": ref_build + ref_run,
                "reference_days": ref_days,
                "reference_rss_mb": max(r["peak_rss_mb"] for r in refs),
                "reference_events_per_year": _median([r["events"] for r in refs])
                * DAYS_PER_YEAR
                / ref_days,
                "ratio": (ref_build + ref_run) / net_total,
                "netsim_runs": len(nets),
                "reference_runs": len(refs),
                "numba_total_s": _median([r["build_s"] + r["run_s"] for r in fast])
                if fast
                else math.nan,
                "numba_rss_mb": max(r["peak_rss_mb"] for r in fast) if fast else math.nan,
                "numba_load_s": _median([r["load_s"] for r in fast]) if fast else math.nan,
            }
        )

    year_rows = []
    for years in plan.year_points:
        res = [
            measure({"kind": "netsim", "employees": plan.year_size, "seed": seed, "years": years})
            for _ in range(plan.netsim_reps)
        ]
        year_rows.append(
            {
                "years": years,
                "total_s": _median([r["build_s"] + r["run_s"] for r in res]),
                "run_s": _median([r["run_s"] for r in res]),
            }
        )
        took = year_rows[-1]["total_s"]
        log(f"netsim    {plan.year_size:>6} employees, {years} years: {took:.3f} s")

    backends = ["numpy", "numba"] if numba else ["numpy"]
    reps: dict[str, list[float]] = {b: [] for b in backends}
    summary_reps: dict[str, list[float]] = {b: [] for b in backends}
    for _ in range(plan.replication_runs):
        for b in backends:
            got = measure(
                {
                    "kind": "replications",
                    "reps": plan.replication_reps,
                    "seed": seed,
                    "years": plan.replication_years,
                    "kernels": b,
                }
            )
            reps[b] += got["times_s"]
            summary_reps[b] += got["summary_times_s"]
    for b in backends:
        log(
            f"auto_enrollment replication ({b}): {_median(reps[b]):.3f} s, summary only "
            f"{_median(summary_reps[b]):.3f} s"
        )
    compare = {
        b: measure({"kind": "compare", "reps": plan.compare_reps, "kernels": b})["wall_s"]
        for b in backends
    }
    log(f"compare, {plan.compare_reps} paired replications: {compare}")

    memory = measure({"kind": "bandwidth", "mb": plan.bandwidth_mb})
    bandwidth = memory["copy_gb_s"]
    diffusion = measure(
        {
            "kind": "diffusion",
            "employees": plan.diffusion_size,
            "seed": seed,
            "warmup_years": plan.diffusion_warmup_years,
            "days": plan.diffusion_days,
            "numba": numba,
        }
    )
    steps = {way: _median(t) for way, t in diffusion["times_s"].items()}
    step_bytes = _median(diffusion["bytes"])
    bound_s = step_bytes / (bandwidth * 1e9)
    log(f"diffusion step: {steps} s, bound {bound_s * 1e3:.3f} ms")
    in_model: dict[str, tuple[list[float], list[int]]] = {}
    by_position: dict[int, list[float]] = {}
    for _ in range(plan.in_model_runs):  # the implementations alternate, a year each
        for way in ["numpy_week"] + (["numba"] if numba else []):
            got = measure(
                {
                    "kind": "diffusion_in_model",
                    "employees": plan.diffusion_size,
                    "seed": seed,
                    "years": plan.years,
                    "runs": 1,
                    "kernels": "numba" if way == "numba" else "numpy",
                }
            )
            times, sampled = in_model.setdefault(way, ([], []))
            times += got["per_day_s"]
            sampled += got["bytes"]
            for d, t in got["by_position"].items():  # (JSON keys are strings)
                by_position.setdefault(int(d), []).extend(t)
    in_model_bytes = _median(in_model["numpy_week"][1])
    in_model_s = {way: _median(t) for way, (t, _) in in_model.items()}
    log(f"diffusion step in the model: {in_model_s} s, {in_model_bytes / 1e6:.2f} MB a day")

    sizes = [r["employees"] for r in rows]
    return {
        "plan": plan,
        "rows": rows,
        "year_rows": year_rows,
        "exponent_employees_total": _fit_exponent(sizes, [r["netsim_total_s"] for r in rows]),
        "exponent_employees_run": _fit_exponent(sizes, [r["netsim_run_s"] for r in rows]),
        "exponent_years_total": _fit_exponent(
            [y["years"] for y in year_rows], [y["total_s"] for y in year_rows]
        ),
        "exponent_years_run": _fit_exponent(
            [y["years"] for y in year_rows], [y["run_s"] for y in year_rows]
        ),
        "replication_s": {b: _median(r) for b, r in reps.items()},
        "summary_replication_s": {b: _median(r) for b, r in summary_reps.items()},
        "replications": len(reps["numpy"]),
        "compare_s": compare,
        "bandwidth_gb_s": bandwidth,
        "scattered_gb_s": memory["scattered_gb_s"],
        "scattered_lines": memory["scattered_lines"],
        "diffusion_s": steps,
        "diffusion_bytes": step_bytes,
        "diffusion_bound_s": bound_s,
        "in_model_s": in_model_s,
        "in_model_bytes": in_model_bytes,
        "in_model_bound_s": in_model_bytes / (bandwidth * 1e9),
        "in_model_scattered_s": in_model_bytes / (memory["scattered_gb_s"] * 1e9),
        "in_model_by_position_s": {d: _median(t) for d, t in sorted(by_position.items())},
        "diffusion_size": plan.diffusion_size,
        "diffusion_warmup_years": plan.diffusion_warmup_years,
        "diffusion_ties": diffusion["ties"],
    }


# --------------------------------------------------------------------------- the report


def machine() -> dict[str, str]:
    info = {"nproc": str(len(os.sched_getaffinity(0))), "cpu": "unknown", "memory": "unknown"}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory"] = f"{int(line.split()[1]) / 2**20:.1f} GiB"
                break
    except OSError:
        pass
    info["platform"] = platform.platform()
    info["OPENBLAS_CORETYPE"] = os.environ.get("OPENBLAS_CORETYPE", "(not set)")
    return info


def versions() -> dict[str, str]:
    from importlib import metadata

    out = {"python": platform.python_version()}
    for name in ("netsim", "numpy", "scipy", "simpy", "pandas", "pydantic", "numba", "pyarrow"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    try:
        commit = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        commit = ""
    out["commit"] = commit or "unknown"
    return out


def _s(x: float) -> str:
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def _bar(ok: bool) -> str:
    return "met" if ok else "**not met**"


def render(result: dict[str, Any], started: str, took_s: float) -> str:
    plan: Plan = result["plan"]
    rows = result["rows"]
    m, v = machine(), versions()
    lines = [
        "# netsim performance",
        "",
        "<!-- Generated by experiments/benchmarks/bench.py; do not edit, run `make bench`. -->",
        "",
    ]
    if plan.smoke:
        lines += ["**Smoke run** (tiny sizes, one repetition): the numbers mean nothing.", ""]
    lines += [
        f"Every number on this page was measured by one run of `experiments/benchmarks/bench.py` "
        f"on the machine below, started {started} and taking {took_s / 60:.1f} minutes. Each "
        "measured run is a fresh Python process (so its peak RSS is its own); netsim and the "
        "reference alternate; times are medians over the runs counted in the table. The "
        "machine is a shared 2-core VM whose speed varies with its neighbours' load: the same "
        "run can take 20–40 % longer from one minute to the next.",
        "",
        "## Machine and versions",
        "",
        "| | |",
        "| --- | --- |",
        f"| CPU | {m['cpu']}, {m['nproc']} cores available |",
        f"| memory | {m['memory']} |",
        f"| platform | {m['platform']} |",
        f"| OPENBLAS_CORETYPE | {m['OPENBLAS_CORETYPE']} |",
        "| versions | " + ", ".join(f"{k} {val}" for k, val in v.items()) + " |",
        "",
        "## netsim and the naive reference",
        "",
        "`copenhagen_scale` (`scenarios/copenhagen_scale.toml`) scaled to each size (the sampled "
        "networks scaled with it), "
        f"{plan.years:g} simulated year, seed 1. *Build*: the organisation and the run's state; "
        "*run*: the simulation and its results. The reference is "
        "`experiments/benchmarks/reference.py`: the same model written the naive way (a SimPy "
        "process per employee, Python loops over people at meetings), which gives the same "
        "meeting log and knowledge (`tests/test_reference.py`).",
        "",
        "| employees | groups | netsim build (s) | netsim run (s) | netsim total (s) | "
        "netsim peak RSS (MB) | netsim SimPy events / year | reference total (s) | "
        "reference peak RSS (MB) | reference SimPy events / year | reference ÷ netsim |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    notes = []
    for r in rows:
        mark = ""
        if r["reference_days"] != round(plan.years * DAYS_PER_YEAR):
            mark = " *"
            notes.append(
                f"\\* At {r['employees']:,} employees a year of the reference would take more "
                f"than {REFERENCE_BUDGET_S:.0f} s, so it ran {r['reference_days']} working days "
                "(a whole number of meeting cycles of every network, all of which meet on day 0) "
                "and its run time is extrapolated linearly to the year; its build is measured."
            )
        lines.append(
            f"| {r['employees']:,} | {r['groups']:,} | {_s(r['netsim_build_s'])} | "
            f"{_s(r['netsim_run_s'])} | {_s(r['netsim_total_s'])} | {r['netsim_rss_mb']:.0f} | "
            f"{r['netsim_events_per_year']:,.0f} | {_s(r['reference_total_s'])}{mark} | "
            f"{r['reference_rss_mb']:.0f} | {r['reference_events_per_year']:,.0f} | "
            f"{r['ratio']:.0f}× |"
        )
    lines += ["", *notes, ""] if notes else [""]
    lines.append(
        f"Runs per size: netsim {rows[0]['netsim_runs']}, reference "
        + ", ".join(f"{r['reference_runs']} at {r['employees']:,}" for r in rows)
        + "."
    )
    lines += [
        "",
        "Peak RSS counts the pages of shared libraries (numpy's, pandas', numba's LLVM) mapped "
        "into the process, so it depends on what is installed and on the page cache, not only "
        "on netsim. These runs use an environment with netsim and what it installs only. In the "
        "development environment (`make test`'s, with pyarrow, which pandas loads whenever it "
        "is installed) the same runs measured 35–40 MB more on this machine (2026-11-27), and "
        "right after that environment was installed, up to 432 MB with numba at 45,000 "
        "employees; netsim's own (anonymous) memory was the same in all of them.",
    ]
    numba = not math.isnan(rows[0]["numba_total_s"])
    if numba:
        lines += [
            "",
            "### With the compiled daily step",
            "",
            "The same runs with the compiled kernels (`NETSIM_KERNELS=numba`, the default since "
            "value is measured in hours; the numpy kernels are the reference), alternating "
            "with the runs above. The results are the same to "
            "the bit (`tests/test_kernels_numba.py`). *Load*: loading the compiled step, once "
            "per process (it is cached on disk after the first compile), not counted in the "
            "total, like the imports.",
            "",
            "| employees | numpy total (s) | numba total (s) | numba ÷ numpy | "
            "numba peak RSS (MB) | numba load, once per process (s) |",
            "| ---: | ---: | ---: | ---: | ---: | ---: |",
            *(
                f"| {r['employees']:,} | {_s(r['netsim_total_s'])} | {_s(r['numba_total_s'])} | "
                f"{r['numba_total_s'] / r['netsim_total_s']:.2f} | {r['numba_rss_mb']:.0f} | "
                f"{r['numba_load_s']:.2f} |"
                for r in rows
            ),
            "",
            "numba's runtime (LLVM) accounts for the extra memory, whatever the organisation's "
            "size: numba's peak RSS less numpy's is "
            + ", ".join(
                f"{r['numba_rss_mb'] - r['netsim_rss_mb']:.0f} MB at {r['employees']:,}"
                for r in rows
            )
            + ".",
        ]
    yr = result["year_rows"]
    lines += [
        "",
        "## How the cost grows",
        "",
        "Power laws fitted by least squares on log–log scales (an exponent of 1 is linear):",
        "",
        "| cost | against | exponent | points |",
        "| --- | --- | ---: | --- |",
        f"| netsim total (build + run), one year | employees | "
        f"{result['exponent_employees_total']:.2f} | "
        + ", ".join(f"{r['employees']:,}: {_s(r['netsim_total_s'])} s" for r in rows)
        + " |",
        f"| netsim run only | employees | {result['exponent_employees_run']:.2f} | "
        + ", ".join(f"{r['employees']:,}: {_s(r['netsim_run_s'])} s" for r in rows)
        + " |",
        f"| netsim total, {plan.year_size:,} employees | simulated years | "
        f"{result['exponent_years_total']:.2f} | "
        + ", ".join(f"{y['years']:g}: {_s(y['total_s'])} s" for y in yr)
        + " |",
        f"| netsim run only, {plan.year_size:,} employees | simulated years | "
        f"{result['exponent_years_run']:.2f} | "
        + ", ".join(f"{y['years']:g}: {_s(y['run_s'])} s" for y in yr)
        + " |",
        "",
        "SimPy events per simulated year do not depend on the number of employees: one daily "
        "process for the whole organisation, one process per network (all its groups "
        "together), so the count is set by the calendar and the networks (the table's column). "
        "The reference's count grows with the employees (one process per employee).",
    ]
    steps, bound = result["diffusion_s"], result["diffusion_bound_s"]
    ratio = {way: t / bound for way, t in steps.items()}
    labels = {
        "numpy": "numpy, one day at a time (`netsim.sim.daily.talk`)",
        "numpy_week": "numpy as the model runs it: a week's talks drawn at once "
        "(`netsim.sim.daily.who_talks`), applied day by day",
        "numba": "the compiled step, `NETSIM_KERNELS=numba` (`netsim.sim.kernels_numba`)",
    }
    lines += [
        "",
        "## The daily diffusion step and the memory bandwidth",
        "",
        "The step (who talks, the neighbour drawn in proportion to tie strength, the knowledge "
        f"learnt) at {result['diffusion_size']:,} employees ({result['diffusion_ties']:,} tie "
        f"entries), on a state that has run {result['diffusion_warmup_years']:g} years, with "
        f"fresh random numbers on each of {plan.diffusion_days} days (drawing them is not part "
        "of the step), each way in turn on the same days from the same knowledge; median time "
        "per day:",
        "",
        "| implementation | ms per day | ÷ bound |",
        "| --- | ---: | ---: |",
        *(f"| {labels[w]} | {t * 1e3:.3f} | {ratio[w]:.2f}× |" for w, t in steps.items()),
        "",
        "Its memory-bandwidth bound is the time to move what any implementation must move "
        "between memory and the processor, in whole 64-byte cache lines, each distinct line "
        "once: every employee's pressure, talk number and has-ties flag (streamed); per "
        "would-be talker their neighbour number, row pointers and their row's tie strengths; "
        "per talker the neighbour's id, their knowledge row (read and written) and the "
        "neighbour's (read). That is "
        f"{result['diffusion_bytes'] / 1e6:.2f} MB a day (median), which at the machine's copy "
        f"bandwidth of {result['bandwidth_gb_s']:.1f} GB/s (bytes read plus written per second, "
        f"`np.copyto` of {plan.bandwidth_mb} MB, best of 7) takes "
        f"**{bound * 1e3:.3f} ms**.",
        "",
        "The same step timed where the model runs it: inside whole runs of "
        f"{plan.years:g} simulated year at {result['diffusion_size']:,} employees, amid "
        "meetings and the week's end (tie decay, forgetting, the weekly record, the next "
        "week's random numbers), with the caches as these leave them "
        "(the time in the step over the year divided by its working days, median of "
        f"{plan.in_model_runs} runs per implementation, alternating; each timed run gives the "
        "knowledge of an untimed one, to the bit). In a run the step is done twice over: from "
        "the first meeting on, the organisation without its networks (the counterfactual of "
        "the hours saved, `netsim.sim.account.Shadow`) talks on the same days with the same "
        "numbers over its starting ties. With numpy it is the time in `who_talks_all` (both "
        "organisations' talks, in one call) and `diffuse` for both; the compiled step does a "
        "run of days of both in one call (in one pass, or from 10,000 employees on two "
        "threads: the shadow's on the run's helper thread, which also draws the next week's "
        "random numbers; what it has to do from before a call is waited for, untimed, "
        "first), timed call by call as the model makes "
        "it, the days' pressure included. Its bytes are those of both (the shared lines once), "
        "on the first day of each run of days the model simulates in one step (up to a meeting day "
        f"or the week's end): {result['in_model_bytes'] / 1e6:.2f} MB a day (median); at the "
        f"copy bandwidth **{result['in_model_bound_s'] * 1e3:.3f} ms**, at the scattered-line "
        f"rate below **{result['in_model_scattered_s'] * 1e3:.3f} ms**:",
        "",
        "| implementation, in a model run | ms per day | ÷ bound |",
        "| --- | ---: | ---: |",
        *(
            f"| {labels[w]} | {t * 1e3:.3f} | {t / result['in_model_bound_s']:.2f}× |"
            for w, t in result["in_model_s"].items()
        ),
        "",
        "| implementation, in a model run | ms per day | ÷ scattered-line time (the bar: ≤ "
        f"{BAR_DIFFUSION:g}) |",
        "| --- | ---: | ---: |",
        *(
            f"| {labels[w]} | {t * 1e3:.3f} | {t / result['in_model_scattered_s']:.2f}× |"
            for w, t in result["in_model_s"].items()
        ),
        "",
        "The bound assumes those lines arrive at the rate of a copy, which streams. Lines "
        "scattered over memory arrive more slowly: right after a copy had flushed the caches, "
        f"this machine fetched {result['scattered_lines']:,} distinct cache lines scattered "
        f"over {plan.bandwidth_mb // 2} MB, in ascending order (`np.take` of one value per "
        f"line, best of 7), at {result['scattered_gb_s']:.1f} GB/s: the step's bytes at that "
        f"rate would take {result['diffusion_bytes'] / (result['scattered_gb_s'] * 1e9) * 1e3:.3f}"
        f" ms, {result['bandwidth_gb_s'] / result['scattered_gb_s']:.1f}× the bound. Most of "
        "the step's lines are such scattered lines; where it does better, part of its data was "
        "still in the caches. Issue 16 judges the step in a model run against that rate (the "
        "second table above); the copy bound, which no scattered access meets, is information.",
        "",
        "What keeps the step from the bound: the few thousand rows a day are scattered over "
        "megabytes, and scattered lines arrive at the rate above, not at a copy's; how many "
        "of them are still in the caches decides where between the two rates the step runs. "
        + _by_position(result)
        + "Adding a "
        "row's strengths one after the other (the model's definition of the draw, which the "
        "reference and both implementations share to the bit) is not what limits it: while "
        "the compiled step was written, the same loop with four independent sums (not the "
        "model's draw) took the same time. numpy also gathers each row into a padded table "
        "first and pays a fixed cost per array operation. The compiled step fetches the rows "
        "a few talkers ahead (software prefetch), and finds the drawn tie by counting the "
        "running sums at or below the draw (they never decrease): a loop without an "
        "unpredictable exit.",
    ]
    cph = rows[-1]
    rep_s, cmp_s = result["replication_s"], result["compare_s"]
    lines += [
        "",
        "## Many replications",
        "",
        f"`auto_enrollment`, {plan.replication_years:g} simulated years, one replication after "
        f"another in one process, each with its result's tables (`netsim.simulate`, what the "
        f"bar below judges): median of {result['replications']} per implementation — "
        + ", ".join(f"{b} **{t:.3f} s**" for b, t in rep_s.items())
        + ". The summary only, as a comparison's workers run them "
        "(`netsim.sim.model.summarise`): "
        + ", ".join(f"{b} {t:.3f} s" for b, t in result["summary_replication_s"].items())
        + ".",
        "",
        f"`netsim compare auto_enrollment goal_driven --reps {plan.compare_reps} --workers 2`, "
        "the whole command timed from the shell (start-up, both scenarios, the table): "
        + ", ".join(f"{b} **{t:.1f} s**" for b, t in cmp_s.items())
        + ". A comparison keeps each replication's summary only, so its workers build no "
        "tables (`netsim.sim.model.summarise`).",
    ]

    nb = "numba" in rep_s
    in_model = {w: t / result["in_model_scattered_s"] for w, t in result["in_model_s"].items()}
    checks: list[tuple[str, str, bool, str, bool | None]] = [
        (
            f"`copenhagen_scale`, one year, including building: ≤ {BAR_CPH_S} s",
            f"{_s(cph['netsim_total_s'])} s",
            cph["netsim_total_s"] <= BAR_CPH_S,
            f"{_s(cph['numba_total_s'])} s",
            cph["numba_total_s"] <= BAR_CPH_S,
        ),
        (
            f"`copenhagen_scale` peak RSS ≤ {BAR_CPH_RSS_MB:.0f} MB",
            f"{cph['netsim_rss_mb']:.0f} MB",
            cph["netsim_rss_mb"] <= BAR_CPH_RSS_MB,
            f"{cph['numba_rss_mb']:.0f} MB",
            cph["numba_rss_mb"] <= BAR_CPH_RSS_MB,
        ),
        (
            f"`copenhagen_scale` ≥ {BAR_RATIO:.0f}× faster than the reference",
            f"{cph['ratio']:.0f}×",
            cph["ratio"] >= BAR_RATIO,
            f"{cph['reference_total_s'] / cph['numba_total_s']:.0f}×",
            cph["reference_total_s"] / cph["numba_total_s"] >= BAR_RATIO,
        ),
        (
            f"`auto_enrollment`, two years: ≤ {BAR_REPLICATION_S} s per replication",
            f"{rep_s['numpy']:.3f} s",
            rep_s["numpy"] <= BAR_REPLICATION_S,
            f"{rep_s.get('numba', math.nan):.3f} s",
            rep_s.get("numba", math.inf) <= BAR_REPLICATION_S,
        ),
        (
            f"{plan.compare_reps:,} paired replications of `auto_enrollment` and `goal_driven` "
            "under a minute on 2 cores with `netsim compare`, as the README installs netsim "
            "(numba)",
            f"{cmp_s['numpy']:.1f} s",
            cmp_s["numpy"] < 60,
            f"{cmp_s.get('numba', math.nan):.1f} s",
            cmp_s.get("numba", math.inf) < 60,
        ),
        (
            "SimPy events per simulated year do not grow with employees",
            ", ".join(f"{r['netsim_events_per_year']:,.0f}" for r in rows),
            len({round(r["netsim_events_per_year"]) for r in rows}) == 1,
            "the same",
            len({round(r["netsim_events_per_year"]) for r in rows}) == 1,
        ),
        (
            "cost linear in employees and in years (fitted exponents)",
            f"employees {result['exponent_employees_total']:.2f}, "
            f"years {result['exponent_years_total']:.2f}",
            result["exponent_employees_total"] <= 1.1 and result["exponent_years_total"] <= 1.1,
            "—",
            None,
        ),
        (
            f"daily diffusion step in a model run within {BAR_DIFFUSION:g}× of the time its "
            "bytes take at the scattered-line rate",
            f"{in_model['numpy_week']:.2f}×",
            in_model["numpy_week"] <= BAR_DIFFUSION,
            f"{in_model.get('numba', math.nan):.2f}×",
            in_model.get("numba", math.inf) <= BAR_DIFFUSION,
        ),
    ]
    if nb:
        header = [
            "| bar | numpy (reference) | | numba (default) | |",
            "| --- | --- | --- | --- | --- |",
        ]
        bar_rows = [
            f"| {b} | {v} | {_bar(ok)} | {fv} | {'' if fok is None else _bar(fok)} |"
            for b, v, ok, fv, fok in checks
        ]
    else:
        header = ["| bar | numpy (reference) | |", "| --- | --- | --- |"]
        bar_rows = [f"| {b} | {v} | {_bar(ok)} |" for b, v, ok, _, _ in checks]
    lines += [
        "",
        "## The bars (issues 6 and 16)",
        "",
        *header,
        *bar_rows,
        "",
        "The numba column is what `pip install netsim` runs by default; the numpy column is "
        "the reference kernels, `NETSIM_KERNELS=numpy` (the same results, to the bit). A cost "
        "exponent at or below 1.1 counts as linear: below 1 the fixed costs (imports aside, "
        "the per-network and per-day overheads) still weigh at the small end.",
        "",
        "## What is not compared: a Mesa port",
        "",
        "Issue 6 asks for a Mesa 3 port of the reference if it is fair and cheap to keep. It "
        "is not built. Mesa is a time-stepped agent framework: a port would be the reference's "
        "per-employee Python (pressure, talking, meetings) called from `Agent.step` through "
        "`AgentSet.do` instead of from SimPy processes, with meetings and reviews as "
        "model-level steps. To be comparable it must draw the same random numbers in the same "
        "order, so it could not use Mesa's own random activation or RNG: what would be "
        "measured is the same Python loop plus Mesa's dispatch, which says nothing the "
        "reference does not already say. Keeping a third implementation of every rule in step "
        "with the model, with its own equivalence test, and a Mesa dependency for the "
        "benchmarks alone, is not cheap. The reference stands for the per-agent design.",
        "",
        "## Reproducing",
        "",
        "`make bench` runs this script and rewrites this page (about "
        f"{math.ceil(took_s / 60)} minutes, in an environment of its own, `.venv-bench`, with "
        "netsim and its `numba` extra only, so that both implementations are measured and no "
        "development tool is loaded) and `performance.json` "
        "beside it, the same numbers by name; before it does, it prints how far each number "
        f"moved from the committed run and marks any that moved more than {NOISE:.0%}, this "
        "machine's noise. `make test` runs the "
        "equivalence tests (of the reference, and of the two implementations) and this script's "
        "smoke plan in-process (`make test-all` its real smoke run too); nothing in the test "
        "suite asserts a timing.",
        "",
    ]
    return "\n".join(lines)


def _by_position(result: dict[str, Any]) -> str:
    """A sentence on the compiled step's time in a model run by the day's place in its run of
    days (empty without numba)."""
    times = result["in_model_by_position_s"]
    if len(times) < 2:
        return ""
    shown = ", ".join(f"{t * 1e3:.3f}" for t in times.values())
    return (
        "In the model runs, the compiled step took "
        f"{shown} ms (medians) on the first to the {_ordinal(max(times) + 1)} day of such a "
        "run of days: a meeting day's work, and the week's end (which streams the initial "
        "tie strengths and knowledge through the caches for decay and forgetting, and draws "
        "the next week's random numbers), push the rows out of the caches, and each day "
        "brings some of them back. "
    )


def _ordinal(k: int) -> str:
    return {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}.get(k, f"{k}th")


def numbers(result: dict[str, Any]) -> dict[str, float]:
    """The page's measurements by name (seconds, MB, GB/s, ratios), for the JSON beside it."""
    out: dict[str, float] = {}
    for r in result["rows"]:
        at = f"{r['employees']:,} employees"
        out[f"{at}: netsim total (s)"] = r["netsim_total_s"]
        out[f"{at}: netsim peak RSS (MB)"] = r["netsim_rss_mb"]
        out[f"{at}: numba total (s)"] = r["numba_total_s"]
        out[f"{at}: numba peak RSS (MB)"] = r["numba_rss_mb"]
        out[f"{at}: reference total (s)"] = r["reference_total_s"]
        out[f"{at}: reference / netsim"] = r["ratio"]
    out["exponent in employees"] = result["exponent_employees_total"]
    out["exponent in years"] = result["exponent_years_total"]
    for way, t in result["replication_s"].items():
        out[f"auto_enrollment replication, {way} (s)"] = t
    for way, t in result["summary_replication_s"].items():
        out[f"auto_enrollment replication, summary only, {way} (s)"] = t
    for way, t in result["compare_s"].items():
        out[f"compare, {result['plan'].compare_reps} pairs, {way} (s)"] = t
    bound = result["diffusion_bound_s"]
    for way, t in result["diffusion_s"].items():
        out[f"diffusion step, {way} (ms)"] = t * 1e3
        out[f"diffusion step, {way} / bound"] = t / bound
    for way, t in result["in_model_s"].items():
        out[f"diffusion step in a model run, {way} (ms)"] = t * 1e3
        out[f"diffusion step in a model run, {way} / bound"] = t / result["in_model_bound_s"]
        scattered = result["in_model_scattered_s"]
        out[f"diffusion step in a model run, {way} / scattered-line time"] = t / scattered
    out["copy bandwidth (GB/s)"] = result["bandwidth_gb_s"]
    out["scattered lines (GB/s)"] = result["scattered_gb_s"]
    return {k: v for k, v in out.items() if not math.isnan(v)}


#: How far a number may move between two runs on the same machine and still count as noise
#: (this VM's speed swings by up to 40 % from one minute to the next).
NOISE = 0.4


def against(old: dict[str, float], new: dict[str, float]) -> list[str]:
    """Lines saying how each number moved from an earlier run (``new / old``), with the ones
    outside the noise marked."""
    lines = []
    for name in new:
        if name in old and old[name] > 0:
            ratio = new[name] / old[name]
            mark = "  <- outside the noise" if abs(math.log(ratio)) > math.log(1 + NOISE) else ""
            lines.append(f"  {name}: {old[name]:.4g} -> {new[name]:.4g} ({ratio:.2f}x){mark}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one repetition")
    parser.add_argument("--out", type=Path, default=None, help=f"default: {DOC}")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_child(json.loads(args.child))))
        return 0
    plan = SMOKE_PLAN if args.smoke else FULL_PLAN
    out = args.out or (Path(tempfile.gettempdir()) / "performance-smoke.md" if args.smoke else DOC)
    started = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    t0 = time.perf_counter()
    result = run_plan(plan, log=lambda msg: print(msg, file=sys.stderr, flush=True))
    text = render(result, started, time.perf_counter() - t0)
    commit = versions()["commit"]  # before writing: the page itself would make the tree dirty
    out.parent.mkdir(parents=True, exist_ok=True)
    data = out.with_suffix(".json")
    new = numbers(result)
    if data.is_file():  # the committed run: say how far this one is from it
        old = json.loads(data.read_text(encoding="utf-8"))
        print(f"against {data} ({old['started']}, commit {old['commit']}):", file=sys.stderr)
        print("\n".join(against(old["numbers"], new)), file=sys.stderr)
    out.write_text(text, encoding="utf-8")
    record = {"started": started, "commit": commit, "numbers": new}
    data.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out} and {data.name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
