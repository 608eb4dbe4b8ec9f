"""Paired analysis of many runs: confidence intervals, the paired comparison (and replications
added until it is precise enough), and summaries and sensitivity indices of sweeps.

Replication ``r`` of every scenario runs with seed ``seed + r``
(:func:`netsim.study.runner.replicate`), so differences between scenarios are paired: each is
taken replication by replication, and its confidence interval is that of the mean of the
paired differences.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from typing import Any

import numpy as np
import pandas as pd

from netsim.errors import NetsimError
from netsim.scenario.schema import Scenario
from netsim.study.experiment import HEADLINE, NUMERIC, Experiment, design_points, problem
from netsim.study.runner import open_executor, replicate

__all__ = [
    "compare",
    "comparison_frame",
    "converged",
    "paired_ci",
    "sensitivity",
    "summarise",
    "to_float",
]


# ------------------------------------------------------------------ statistics


def to_float(v: Any) -> float:
    """A summary value as a float: ``None`` (a metric undefined in a run) becomes NaN.

    Examples
    --------
    >>> to_float(None), to_float(3)
    (nan, 3.0)
    """
    return math.nan if v is None else float(v)


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


# ------------------------------------------------------------------ the paired comparison


def comparison_frame(
    summaries: Sequence[Sequence[Mapping[str, Any]]],
    names: Sequence[str],
    metrics: Sequence[str] = NUMERIC,
    *,
    reference_ci: bool = False,
) -> pd.DataFrame:
    """The paired comparison of scenarios against the first, from replications already run.

    Parameters
    ----------
    summaries : sequence of sequence of mapping
        Per scenario (the first is the reference), its replications' summaries, replication
        ``r`` of each paired with replication ``r`` of the others.
    names : sequence of str
        The scenarios' names, for the ``scenario`` column.
    metrics : sequence of str
        Summary names, one block of rows each, in this order.
    reference_ci : bool
        Give the first scenario's rows the CI of its mean in ``ci_low``/``ci_high``, and as
        ``n`` the replications where the metric is defined (the report's table); by default
        they are empty and ``n`` counts finite values (:func:`compare`).

    Returns
    -------
    pandas.DataFrame
        One row per (metric, scenario): ``mean``, ``diff`` (against the first scenario),
        ``ci_low``, ``ci_high``, ``rel_change`` and ``n`` (pairs used).

    Examples
    --------
    >>> runs = [[{"x": 1.0}, {"x": 3.0}], [{"x": 2.0}, {"x": 5.0}]]
    >>> comparison_frame(runs, ["a", "b"], ["x"])[["scenario", "mean", "diff", "n"]]
      scenario  mean  diff  n
    0        a   2.0   NaN  2
    1        b   3.5   1.5  2
    """
    rows = []
    for metric in metrics:
        values = [np.array([to_float(s[metric]) for s in runs]) for runs in summaries]
        ref = values[0]
        base = float(np.nanmean(ref)) if np.isfinite(ref).any() else math.nan
        for i, x in enumerate(values):
            row: dict[str, Any] = {
                "metric": metric,
                "scenario": names[i],
                "mean": float(np.nanmean(x)) if np.isfinite(x).any() else math.nan,
            }
            if i == 0:
                if reference_ci:
                    _, lo, hi, n = paired_ci(x)
                else:
                    lo, hi, n = math.nan, math.nan, int(np.isfinite(x).sum())
                row.update(diff=math.nan, ci_low=lo, ci_high=hi, rel_change=math.nan, n=n)
            else:
                d, lo, hi, n = paired_ci(x - ref)
                rel = d / abs(base) if base and math.isfinite(base) else math.nan
                row.update(diff=d, ci_low=lo, ci_high=hi, rel_change=rel, n=n)
            rows.append(row)
    return pd.DataFrame(rows)


def converged(frame: pd.DataFrame, width: float) -> bool:
    """Whether every headline difference (:data:`~netsim.study.experiment.HEADLINE`) of a
    :func:`comparison_frame` has a CI half-width below ``width`` times the reference mean (or,
    where that is zero, the scenario's own mean). Differences without an interval do not hold
    it back."""
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
    kernels: str | None = None,
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
        difference (:data:`~netsim.study.experiment.HEADLINE`) is below ``ci_width`` times the
        reference mean, or ``max_reps`` is reached. The frame's ``attrs["converged"]`` says which.
    executor : concurrent.futures.Executor, optional
        Any executor (a ``dask.distributed.Client().get_executor()`` too); by default a
        process pool with ``workers`` processes (all cores), or in-process for one worker.
    progress : callable, optional
        ``progress(done, total)`` once per replication run.
    kernels : str, optional
        The simulation's kernels, when given (:func:`netsim.study.runner.run_one`).

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
    names = [sc.name or f"scenario{i}" for i, sc in enumerate(scenarios)]
    summaries: list[list[dict[str, Any]]] = [[] for _ in scenarios]
    target = reps if ci_width is None else min(max(batch, 2), max_reps)
    with open_executor(workers, executor) as ex:
        while True:
            have = len(summaries[0])
            for runs, new in zip(
                summaries,
                replicate(
                    scenarios,
                    reps=range(have, target),
                    seed=seed,
                    executor=ex,
                    kernels=kernels,
                    progress=_offset(progress, have * len(scenarios), target * len(scenarios)),
                ),
                strict=True,
            ):
                runs.extend(new)
            frame = comparison_frame(summaries, names, metrics)
            if ci_width is None:
                frame.attrs["converged"] = None
                break
            ok = converged(frame, ci_width)
            if ok or target >= max_reps:
                frame.attrs["converged"] = ok
                break
            target = min(target + batch, max_reps)
    frame.attrs["reps"] = target
    frame.attrs["seed"] = seed
    return frame


def _offset(
    progress: Callable[[int, int], None] | None, before: int, total: int
) -> Callable[[int, int], None] | None:
    """A batch's progress as progress of the whole comparison."""
    if progress is None:
        return None
    return lambda done, _: progress(before + done, total)


# ------------------------------------------------------------------ sweeps


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
    salib_problem = problem(spec)
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

            si = sobol_analyze.analyze(salib_problem, y, calc_second_order=False, seed=spec.seed)
            for k, name in enumerate(salib_problem["names"]):
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
            si = morris_analyze.analyze(salib_problem, x, y, num_levels=4, seed=spec.seed)
            for k, name in enumerate(salib_problem["names"]):
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
