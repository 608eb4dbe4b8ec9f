"""Many runs, compared honestly: replications, paired comparisons, sweeps, sensitivity.

The habits are EMA Workbench's: an experiment is *declared* (a base scenario, parameters
addressed by path with values or bounds, a design, outcomes by name) and evaluated by an
executor that may be local or distributed; results come back as a DataFrame aligned with the
design.

Randomness: replication ``r`` of every scenario and of every design point runs with seed
``seed + r``. Scenarios that share an organisation therefore share it, and the days of time
pressure, replication by replication (common random numbers), so differences are paired.
A task's result depends only on its scenario and seed, never on which worker ran it or when.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import time
import tomllib
import traceback
import warnings
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from netsim._version import __version__
from netsim.errors import NetsimError, ScenarioError
from netsim.scenario.load import load_scenario
from netsim.scenario.overrides import with_overrides
from netsim.scenario.problems import format_error
from netsim.scenario.schema import Scenario
from netsim.sim.metrics import SUMMARY_NAMES
from netsim.study.store import ResultStore

__all__ = [
    "HEADLINE",
    "Experiment",
    "ExperimentError",
    "compare",
    "design_points",
    "load_experiment",
    "paired_ci",
    "sensitivity",
    "summarise",
    "sweep",
    "with_overrides",
]

#: Metrics whose paired differences ``compare --ci-width`` drives below the target width.
HEADLINE: tuple[str, ...] = (
    "total_hours_year",
    "hours_per_leader_year",
    "attendance_decay",
    "share_valuing",
    "participant_value_per_hour",
    "sponsor_value_per_hour",
)
NUMERIC = tuple(n for n in SUMMARY_NAMES if n not in ("scenario", "seed", "years"))


class ExperimentError(ScenarioError):
    """An experiment file is not valid."""


# ------------------------------------------------------------------ running tasks


def task_key(scenario: Scenario, seed: int) -> str:
    """Content hash of a task: resolved scenario, seed, netsim version, and the content (not
    just the paths) of any CSV files the organisation was loaded from."""
    roster = scenario.organisation.roster
    blob = json.dumps(
        {
            "scenario": scenario.model_dump(mode="json"),
            "files": roster.digest if roster is not None else None,
            "members": {n: scenario.members_of(n) for n in scenario.networks},
            "seed": seed,
            "netsim": __version__,
        },
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def run_task(scenario: Scenario, seed: int) -> dict[str, Any]:
    """One replication's summary (the unit of work sent to executors)."""
    from netsim.sim.model import summarise

    return summarise(scenario, seed=seed)


class _InProcess(Executor):
    """A serial executor: what ``workers=1`` means, without process start-up costs."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        fut: Future[Any] = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except Exception as exc:  # recorded by the caller, like a worker's failure
            fut.set_exception(exc)
        return fut


def _executor(workers: int | None) -> Executor:
    n = workers or os.cpu_count() or 1
    return _InProcess() if n == 1 else ProcessPoolExecutor(max_workers=n)


# ------------------------------------------------------------------ statistics


def paired_ci(
    diffs: Sequence[float] | np.ndarray, confidence: float = 0.95
) -> tuple[float, float, float, int]:
    """Mean of paired differences with its t confidence interval: (mean, low, high, n).

    NaN pairs (a metric undefined in a replication) are left out.

    Examples
    --------
    >>> m, lo, hi, n = paired_ci([1.0, 2.0, 3.0])
    >>> m, n, round(lo, 3), round(hi, 3)
    (2.0, 3, -0.484, 4.484)
    """
    d = np.asarray(diffs, dtype=float)
    d = d[~np.isnan(d)]
    n = int(d.size)
    if n == 0:
        return math.nan, math.nan, math.nan, 0
    mean = float(d.mean())
    if n == 1 or np.all(d == d[0]):
        return mean, mean if n > 1 else math.nan, mean if n > 1 else math.nan, n
    with warnings.catch_warnings():
        # Nearly equal differences (a metric the designs barely move) are not an error.
        warnings.filterwarnings("ignore", "Precision loss", RuntimeWarning)
        from scipy import stats  # imported here: scipy.stats costs ~1 s at `import netsim`

        ci = stats.ttest_1samp(d, 0.0).confidence_interval(confidence)
    return mean, float(ci.low), float(ci.high), n


# ------------------------------------------------------------------ compare


def compare(
    scenarios: Sequence[Scenario],
    *,
    reps: int = 20,
    seed: int = 1,
    workers: int | None = None,
    executor: Executor | None = None,
    ci_width: float | None = None,
    max_reps: int = 200,
    batch: int = 10,
    metrics: Sequence[str] = NUMERIC,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Paired comparison of scenarios against the first, with 95 % confidence intervals.

    Parameters
    ----------
    scenarios : sequence of Scenario
        The first is the reference.
    reps : int
        Replications (seeds ``seed .. seed + reps - 1``), unless ``ci_width`` is given.
    ci_width : float, optional
        Add replications in batches of ``batch`` until the CI half-width of every headline
        difference (:data:`HEADLINE`) is below ``ci_width`` times the reference mean, or
        ``max_reps`` is reached. The frame's ``attrs["converged"]`` says which.
    executor : concurrent.futures.Executor, optional
        Any executor (a ``dask.distributed.Client().get_executor()`` too); by default a
        process pool with ``workers`` processes (all cores), or in-process for one worker.

    Returns
    -------
    pandas.DataFrame
        One row per (metric, scenario): ``mean``, ``diff`` (against the first scenario),
        ``ci_low``, ``ci_high``, ``rel_change`` and ``n`` (pairs used).
    """
    if len(scenarios) < 1:
        raise NetsimError("compare needs at least one scenario")
    if reps < 2 and ci_width is None:
        raise NetsimError(f"--reps: a confidence interval needs at least 2 (got {reps})")
    summaries: list[dict[int, dict[str, Any]]] = [{} for _ in scenarios]
    own = executor is None
    ex = _executor(workers) if executor is None else executor
    target = reps if ci_width is None else min(max(batch, 2), max_reps)
    done = 0
    try:
        while True:
            have = len(summaries[0])
            jobs = [
                ((i, r), sc, seed + r)
                for r in range(have, target)
                for i, sc in enumerate(scenarios)
            ]
            total = target * len(scenarios)
            futures = {ex.submit(run_task, sc, s): tag for tag, sc, s in jobs}
            for fut in as_completed(futures):
                i, r = futures[fut]
                summaries[i][r] = fut.result()
                done += 1
                if progress is not None:
                    progress(done, total)
            frame = _compare_frame(summaries, scenarios, metrics)
            if ci_width is None:
                frame.attrs["converged"] = None
                break
            ok = _converged(frame, ci_width)
            if ok or target >= max_reps:
                frame.attrs["converged"] = ok
                break
            target = min(target + batch, max_reps)
    finally:
        if own:
            ex.shutdown(cancel_futures=True)
    frame.attrs["reps"] = target
    frame.attrs["seed"] = seed
    return frame


def _compare_frame(
    summaries: list[dict[int, dict[str, Any]]],
    scenarios: Sequence[Scenario],
    metrics: Sequence[str],
) -> pd.DataFrame:
    reps = sorted(summaries[0])
    names = [sc.name or f"scenario{i}" for i, sc in enumerate(scenarios)]
    rows = []
    for metric in metrics:
        ref = np.array([_num(summaries[0][r][metric]) for r in reps])
        for i, name in enumerate(names):
            x = np.array([_num(summaries[i][r][metric]) for r in reps])
            row: dict[str, Any] = {
                "metric": metric,
                "scenario": name,
                "mean": float(np.nanmean(x)) if np.isfinite(x).any() else math.nan,
            }
            if i == 0:
                row.update(diff=math.nan, ci_low=math.nan, ci_high=math.nan, rel_change=math.nan)
                row["n"] = int(np.isfinite(x).sum())
            else:
                mean, lo, hi, n = paired_ci(x - ref)
                base = float(np.nanmean(ref)) if np.isfinite(ref).any() else math.nan
                row.update(diff=mean, ci_low=lo, ci_high=hi, n=n)
                row["rel_change"] = mean / abs(base) if base and math.isfinite(base) else math.nan
            rows.append(row)
    return pd.DataFrame(rows)


def _num(v: Any) -> float:
    return math.nan if v is None else float(v)


def _converged(frame: pd.DataFrame, width: float) -> bool:
    for metric in HEADLINE:
        part = frame[frame["metric"] == metric]
        if part.empty:
            continue
        ref = abs(part["mean"].iloc[0])
        others = part.iloc[1:]
        for _, row in others.iterrows():
            scale = ref if ref > 0 else abs(row["mean"])
            if not math.isfinite(row["ci_low"]) or scale == 0:
                continue
            if (row["ci_high"] - row["ci_low"]) / 2 > width * scale:
                return False
    return True


# ------------------------------------------------------------------ experiments


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Parameter(_Model):
    """A parameter of the design: values (grid) or bounds (lhs, sobol, morris)."""

    values: list[float | int | str | bool] | None = Field(None, min_length=1)
    bounds: tuple[float, float] | None = None

    @model_validator(mode="after")
    def _one(self) -> Parameter:
        from netsim.scenario.problems import consistency as _consistency

        if (self.values is None) == (self.bounds is None):
            raise _consistency("values", "give either values (grid) or bounds (lhs, sobol, morris)")
        if self.bounds is not None and not self.bounds[0] < self.bounds[1]:
            raise _consistency(
                "bounds", f"the lower bound must be below the upper (got {list(self.bounds)})"
            )
        return self


class Experiment(_Model):
    """A declared experiment (see ``experiments/*.toml``)."""

    name: str = ""
    description: str = ""
    scenario: str | None = Field(
        None, description="Base scenario file, relative to the experiment file."
    )
    scenarios: list[str] | None = Field(
        None, min_length=1, description="Several base scenarios, each crossed with the design."
    )
    design: Literal["grid", "lhs", "sobol", "morris"] = "grid"
    samples: int = Field(16, ge=1, le=1_000_000, description="Base sample size (not grid).")
    replications: int = Field(10, ge=1, le=100_000)
    seed: int = Field(1, ge=0)
    years: float | None = Field(None, gt=0, le=50)
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    outcomes: list[str] = Field(default_factory=lambda: list(HEADLINE), min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Experiment:
        from netsim.scenario.problems import consistency as _consistency

        if (self.scenario is None) == (self.scenarios is None):
            raise _consistency("scenario", "give either scenario or scenarios (a list)")
        if not self.parameters and len(self.scenario_files()) < 2:
            raise _consistency("parameters", "give parameters, or several scenarios to compare")
        if self.design in ("sobol", "morris") and len(self.scenario_files()) > 1:
            raise _consistency("scenarios", f"a {self.design} design takes one scenario")

        for name in self.outcomes:
            if name not in NUMERIC:
                raise _consistency("outcomes", f"unknown outcome {name!r}; allowed: summary names")
        for path, p in self.parameters.items():
            if self.design == "grid" and p.values is None:
                raise _consistency(f"parameters.{path}", "a grid design needs values")
            if self.design != "grid" and p.bounds is None:
                raise _consistency(f"parameters.{path}", f"a {self.design} design needs bounds")
        return self

    def scenario_files(self) -> list[str]:
        """The base scenario file(s), as written."""
        return [self.scenario] if self.scenario is not None else list(self.scenarios or [])


class LoadedExperiment:
    """An experiment with its base scenario(s) and source file resolved."""

    def __init__(self, spec: Experiment, bases: list[Scenario], source: str) -> None:
        self.spec = spec
        years = spec.years
        self.bases = [
            b if years is None else with_overrides(b, {"simulation.years": years}) for b in bases
        ]
        self.source = source
        self.name = spec.name or Path(source).stem


def load_experiment(path: str | Path) -> LoadedExperiment:
    """Read and validate an experiment TOML file, its base scenario and every design point.

    Raises
    ------
    ScenarioError
        One line naming the file and field: syntax, unknown field, bounds reversed, a design
        without bounds, zero replications, a parameter path that is not in the scenario, a
        value the scenario does not allow.
    """
    p = Path(path)
    source = str(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ExperimentError(source, "", "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ExperimentError(source, "", f"cannot read the file ({type(exc).__name__})") from None
    except tomllib.TOMLDecodeError as exc:
        from netsim.scenario.load import toml_message as _toml_message

        raise ExperimentError(source, "", f"TOML syntax error: {_toml_message(exc)}") from None
    try:
        spec = Experiment.model_validate(data)
    except ValidationError as exc:
        field, message = _experiment_error(exc)
        raise ExperimentError(source, field, message) from None
    bases = [load_scenario(p.parent / f) for f in spec.scenario_files()]
    loaded = LoadedExperiment(spec, bases, source)
    for (path_, value), base in itertools.product(_probe_values(spec), loaded.bases):
        try:
            with_overrides(base, {path_: value}, source=source)
        except ScenarioError as exc:
            raise ExperimentError(
                source, f"parameters.{path_}", f"{exc.field}: {exc.message}"
            ) from None
    return loaded


def _experiment_error(exc: ValidationError) -> tuple[str, str]:
    err = exc.errors()[0]
    if err["type"] == "extra_forbidden":
        loc = tuple(err["loc"])
        valid = list(Parameter.model_fields if "parameters" in loc else Experiment.model_fields)
        import difflib

        close = difflib.get_close_matches(str(loc[-1]), valid, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"allowed: {', '.join(valid)}"
        return ".".join(map(str, loc)), f"unknown field; {hint}"
    return format_error(Experiment, err)


def _probe_values(spec: Experiment) -> Iterable[tuple[str, Any]]:
    """Values that reveal a bad path or range before any task runs."""
    for path, p in spec.parameters.items():
        if p.values is not None:
            for v in p.values:
                yield path, v
        else:
            assert p.bounds is not None
            yield path, p.bounds[0]
            yield path, p.bounds[1]


def _problem(spec: Experiment) -> dict[str, Any]:
    names = list(spec.parameters)
    return {
        "num_vars": len(names),
        "names": names,
        "bounds": [list(spec.parameters[n].bounds or (0, 1)) for n in names],
    }


def design_points(spec: Experiment) -> pd.DataFrame:
    """The design: one row per point, one column per parameter path.

    Grid: every combination of the values. LHS: scipy's Latin hypercube. Sobol and Morris:
    SALib's samplers (``pip install netsim[salib]``), which its analysers need.
    """
    names = list(spec.parameters)
    if not names:
        return pd.DataFrame(index=range(1))
    if spec.design == "grid":
        combos = itertools.product(*(spec.parameters[n].values or [] for n in names))
        return pd.DataFrame(list(combos), columns=names)
    bounds = np.array([spec.parameters[n].bounds for n in names], dtype=float)
    if spec.design == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=len(names), rng=np.random.default_rng(spec.seed)).random(
            spec.samples
        )
        x = qmc.scale(unit, bounds[:, 0], bounds[:, 1])
    else:
        x = _salib_sample(spec)
    return pd.DataFrame(x, columns=names)


def _salib_sample(spec: Experiment) -> np.ndarray:
    try:
        if spec.design == "sobol":
            from SALib.sample import sobol as sobol_sample

            return sobol_sample.sample(
                _problem(spec), spec.samples, calc_second_order=False, seed=spec.seed
            )
        from SALib.sample import morris as morris_sample

        return morris_sample.sample(_problem(spec), spec.samples, num_levels=4, seed=spec.seed)
    except ImportError:
        raise NetsimError(
            f"the {spec.design} design needs SALib: pip install 'netsim[salib]'"
        ) from None


def _points(exp: LoadedExperiment, design: pd.DataFrame) -> list[tuple[dict[str, Any], Scenario]]:
    """Every design point: its parameters (and scenario, when several) and its scenario."""
    out = []
    several = len(exp.bases) > 1
    for base in exp.bases:
        for _, row in design.iterrows():
            values = {str(k): _jsonable(v) for k, v in row.items()}
            params = {"scenario": base.name, **values} if several else values
            out.append((params, with_overrides(base, values, source=exp.source)))
    return out


def sweep(
    experiment: LoadedExperiment | str | Path,
    *,
    executor: Executor | None = None,
    workers: int | None = None,
    db: str | Path | None = None,
    progress: Callable[[int, int, int], None] | None = None,
) -> pd.DataFrame:
    """Run every (design point, replication) task, committing each result as it arrives.

    Tasks already in the database (same resolved scenario, seed and netsim version) are
    skipped, so running the same sweep again resumes it. A task that raises is recorded as
    failed with its error and the sweep goes on; it is tried again on the next run.

    Returns
    -------
    pandas.DataFrame
        One row per finished task, ordered by (point, replication): ``point``,
        ``replication``, ``seed``, ``param:<path>`` columns and every summary name.
        ``attrs`` holds ``failed`` (count) and ``db`` (path).
    """
    exp = experiment if isinstance(experiment, LoadedExperiment) else load_experiment(experiment)
    spec = exp.spec
    db_path = Path(db) if db is not None else Path("results") / f"{exp.name}.sqlite"
    design = design_points(spec)
    tasks = []
    for point, (params, sc) in enumerate(_points(exp, design)):
        for rep in range(spec.replications):
            seed = spec.seed + rep
            tasks.append((task_key(sc, seed), point, rep, seed, params, sc))
    with ResultStore(db_path) as store:
        store.set_meta("experiment", {"name": exp.name, "source": exp.source})
        store.set_meta("spec", spec.model_dump(mode="json"))
        store.set_meta("design", design.to_dict(orient="list"))
        store.set_design(
            (point, rep, seed, params, key) for key, point, rep, seed, params, _ in tasks
        )
        # Identical design points (Morris trajectories revisit points) are one task.
        unique, seen = [], set()
        for t in tasks:
            if t[0] not in seen:
                seen.add(t[0])
                unique.append(t)
        done_keys = store.done_keys()
        todo = [t for t in unique if t[0] not in done_keys]
        total, finished, failed = len(unique), len(unique) - len(todo), 0
        if progress is not None:
            progress(finished, total, failed)
        own = executor is None
        ex = _executor(workers) if executor is None else executor
        try:
            futures: dict[Future[Any], tuple[Any, ...]] = {}
            for key, point, rep, seed, params, sc in todo:
                t0 = time.perf_counter()
                fut = ex.submit(run_task, sc, seed)
                futures[fut] = (key, point, rep, seed, params, t0)
            for fut in as_completed(futures):
                key, point, rep, seed, params, t0 = futures[fut]
                exc = fut.exception()
                if exc is None:
                    store.record_done(
                        key,
                        point=point,
                        replication=rep,
                        seed=seed,
                        params=params,
                        summary=fut.result(),
                        seconds=time.perf_counter() - t0,
                    )
                else:
                    failed += 1
                    store.record_failed(
                        key,
                        point=point,
                        replication=rep,
                        seed=seed,
                        params=params,
                        error=_error_text(exc),
                    )
                finished += 1
                if progress is not None:
                    progress(finished, total, failed)
        finally:
            if own:
                ex.shutdown(wait=True, cancel_futures=True)
        frame = store.frame()
        frame.attrs["failed"] = failed
        frame.attrs["db"] = str(db_path)
    return frame


def _jsonable(v: Any) -> Any:
    return v.item() if hasattr(v, "item") else v


def _error_text(exc: BaseException) -> str:
    last = traceback.format_exception_only(type(exc), exc)[-1].strip()
    return last[:2000]


# ------------------------------------------------------------------ analysis


def summarise(frame: pd.DataFrame, outcomes: Sequence[str]) -> pd.DataFrame:
    """Per design point: each outcome's mean and 95 % CI over replications."""
    params = [c for c in frame.columns if c.startswith("param:")]
    rows = []
    for point, part in frame.groupby("point", sort=True):
        row: dict[str, Any] = {"point": point, **{c: part[c].iloc[0] for c in params}}
        row["n"] = len(part)
        for name in outcomes:
            x = part[name].astype(float).to_numpy()
            mean, lo, hi, _ = paired_ci(x)
            row[f"{name}"] = mean
            row[f"{name}_ci_low"] = lo
            row[f"{name}_ci_high"] = hi
        rows.append(row)
    return pd.DataFrame(rows)


def sensitivity(frame: pd.DataFrame, spec: Experiment) -> pd.DataFrame:
    """Sobol (S1, ST) or Morris (mu*, sigma) indices with confidence intervals, via SALib.

    Each point's outcome is its mean over replications; the design must be complete. Where
    an outcome is undefined at a point (in every replication there, e.g. a share of nobody),
    the point gets the mean of the others, as SALib needs a value for every point; each
    row's ``imputed`` says at how many points that was done, so that indices resting on
    filled-in values are never mistaken for measured ones. An outcome undefined at every
    point has no indices and no rows.
    """
    try:
        import SALib  # noqa: F401
    except ImportError:
        raise NetsimError("sensitivity indices need SALib: pip install 'netsim[salib]'") from None
    design = design_points(spec)
    problem = _problem(spec)
    means = frame.groupby("point", sort=True)[list(spec.outcomes)].mean()
    if len(means) != len(design):
        raise NetsimError(
            f"sensitivity needs every design point ({len(means)} of {len(design)} finished)"
        )
    rows = []
    for outcome in spec.outcomes:
        y = means[outcome].to_numpy(dtype=float)
        undefined = np.isnan(y)
        if undefined.all():
            continue
        y = np.where(undefined, np.nanmean(y), y)
        imputed = int(undefined.sum())
        if spec.design == "sobol":
            from SALib.analyze import sobol as sobol_analyze

            si = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=spec.seed)
            for k, name in enumerate(problem["names"]):
                rows.append(
                    {
                        "outcome": outcome,
                        "parameter": name,
                        "S1": si["S1"][k],
                        "S1_conf": si["S1_conf"][k],
                        "ST": si["ST"][k],
                        "ST_conf": si["ST_conf"][k],
                        "imputed": imputed,
                    }
                )
        elif spec.design == "morris":
            from SALib.analyze import morris as morris_analyze

            x = design.to_numpy(dtype=float)
            si = morris_analyze.analyze(problem, x, y, num_levels=4, seed=spec.seed)
            for k, name in enumerate(problem["names"]):
                rows.append(
                    {
                        "outcome": outcome,
                        "parameter": name,
                        "mu_star": si["mu_star"][k],
                        "mu_star_conf": si["mu_star_conf"][k],
                        "sigma": si["sigma"][k],
                        "imputed": imputed,
                    }
                )
        else:
            raise NetsimError(
                f"sensitivity indices need a sobol or morris design (got {spec.design})"
            )
    return pd.DataFrame(rows)
