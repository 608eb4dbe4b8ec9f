"""A scenario as an EMA Workbench model: exploratory modelling, scenario discovery, RDM.

:func:`model` turns a scenario into an ``ema_workbench.ReplicatorModel``. Its uncertainties
and levers are addressed by the dotted paths of experiment files
(``work.problems_per_day``, ``networks.leaders.goal_clarity``), its outcomes by summary
name (:data:`netsim.SUMMARY_NAMES`), and every experiment runs the same replications with
the same seeds: replication ``r`` runs with seed ``seed + r`` whatever the uncertainties and
levers, so two policies (or two scenarios) share the organisation and the days of time
pressure replication by replication (common random numbers), as in :func:`netsim.compare`.

EMA Workbench is an optional extra (``pip install 'netsim[ema]'``); this module imports
without it, and :func:`model` says how to install it when it is missing.

Examples
--------
>>> parameter_name("networks.leaders.goal_clarity")
'networks__leaders__goal_clarity'
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from pydantic import ValidationError

from netsim.errors import NetsimError, ScenarioError
from netsim.scenario.load import load_scenario, with_overrides
from netsim.scenario.schema import Scenario
from netsim.study.experiment import HEADLINE, NUMERIC, Parameter
from netsim.study.runner import run_one

if TYPE_CHECKING:
    from ema_workbench import ReplicatorModel

__all__ = ["ScenarioFunction", "model", "parameter_name", "points"]

#: What one uncertainty or lever may be: bounds ``(low, high)``, an experiment file's
#: parameter table (``{"bounds": [low, high]}`` or ``{"values": [...]}``), or a
#: :class:`netsim.study.experiment.Parameter`.
Spec = Parameter | Mapping[str, Any] | Sequence[float]

_INSTALL = "EMA Workbench is not installed: pip install 'netsim[ema]'"


def parameter_name(path: str) -> str:
    """The EMA Workbench name of the parameter at a dotted path: a Python identifier, as
    EMA Workbench requires, which names its column in the experiments DataFrame.

    Each ``.`` becomes ``__`` and any other character that cannot stand in an identifier
    ``_``; the parameter's ``variable_name`` keeps the path itself.

    Parameters
    ----------
    path : str
        A dotted path into the scenario, as in experiment files.

    Returns
    -------
    str

    Examples
    --------
    >>> parameter_name("time_pressure.mean_by_role.leader")
    'time_pressure__mean_by_role__leader'
    >>> parameter_name("networks.team-leads.interval_weeks")
    'networks__team_leads__interval_weeks'
    """
    name = "__".join(re.sub(r"\W", "_", part) for part in path.split("."))
    return name if name[:1].isalpha() or name[:1] == "_" else f"p_{name}"


class ScenarioFunction:
    """The function an EMA model calls: one replication of the base scenario with values set
    at dotted paths, returning the outcomes asked for.

    A plain class (not a closure), so that EMA Workbench's multiprocessing and MPI
    evaluators can send it to their workers.

    Parameters
    ----------
    base : Scenario
        The scenario every experiment starts from.
    outcomes : sequence of str
        Summary names to return.
    kernels : str, optional
        ``"numpy"`` or ``"numba"``; by default the environment's (``NETSIM_KERNELS``).

    Examples
    --------
    >>> from netsim.scenario.load import parse_scenario
    >>> run = ScenarioFunction(parse_scenario({"organisation": {"employees": 100},
    ...     "simulation": {"years": 0.1}}), ["employees", "meetings_held"])
    >>> run(seed=1, **{"organisation.employees": 120})
    {'employees': 120.0, 'meetings_held': 0.0}
    """

    def __init__(self, base: Scenario, outcomes: Sequence[str], kernels: str | None = None) -> None:
        self.base = base
        self.outcomes = tuple(outcomes)
        self.kernels = kernels

    def __call__(self, seed: int, **values: Any) -> dict[str, float]:
        """Run the scenario with ``values`` (dotted path -> value) under ``seed``.

        Returns
        -------
        dict
            Each outcome's value (``nan`` where it is undefined, such as a return per hour
            when no hour was spent).
        """
        plain = {path: v.item() if isinstance(v, np.generic) else v for path, v in values.items()}
        scenario = with_overrides(self.base, plain) if plain else self.base
        summary = run_one(scenario, int(seed), "summary", kernels=self.kernels)
        return {name: float(summary[name]) for name in self.outcomes}


def model(
    scenario: Scenario | str | Path,
    *,
    uncertainties: Mapping[str, Spec],
    levers: Mapping[str, Spec] | None = None,
    outcomes: Sequence[str] = HEADLINE,
    replications: int = 10,
    seed: int = 1,
    years: float | None = None,
    keep: Literal["mean", "all"] = "mean",
    kernels: str | None = None,
    name: str | None = None,
) -> ReplicatorModel:
    """An EMA Workbench model of a scenario.

    Parameters
    ----------
    scenario : Scenario or path
        The base scenario (or its file): every experiment starts from it.
    uncertainties, levers : mapping of dotted path to spec
        What EMA Workbench samples, by the paths of experiment files. A spec is bounds
        ``(low, high)`` (a ``RealParameter``; an ``IntegerParameter`` where the scenario's
        field is a whole number), or an experiment file's table: ``{"bounds": [low,
        high]}``, or ``{"values": [...]}`` (a ``CategoricalParameter``). Each bound and value
        is checked against the scenario now, as an experiment file's are.
    outcomes : sequence of str
        Summary names (:data:`netsim.SUMMARY_NAMES`); by default the headline
        (:data:`netsim.study.experiment.HEADLINE`).
    replications : int
        Runs of every experiment; replication ``r`` runs with seed ``seed + r`` in every
        experiment (common random numbers), so experiments are paired replication by
        replication.
    seed : int
        Seed of replication 0.
    years : float, optional
        The horizon, instead of the scenario's.
    keep : {"mean", "all"}
        ``"mean"``: each outcome is a ``ScalarOutcome``, the mean over the replications in
        which it is defined (``nan`` if in none); what PRIM, CART and feature scoring take.
        ``"all"``: an ``ArrayOutcome`` named ``<outcome>_by_replication`` of each
        replication's value in replication order, so that two experiments' values pair
        element by element (paired differences and their confidence intervals).
    kernels : str, optional
        ``"numpy"`` or ``"numba"``, sent with the model to every worker; by default the
        environment's.
    name : str, optional
        The model's name (letters and digits); by default the scenario's, without the rest.

    Returns
    -------
    ema_workbench.ReplicatorModel
        Run it with ``ema_workbench.perform_experiments`` and any evaluator, the
        ``MultiprocessingEvaluator`` included. Uncertainty and lever names are
        :func:`parameter_name` of their paths; their ``variable_name`` is the path.

    Raises
    ------
    ScenarioError
        A path that names no field, a bound or value the field does not allow, a path given
        twice, an unknown outcome, fewer than one replication.
    NetsimError
        EMA Workbench is not installed.

    Examples
    --------
    >>> from netsim.scenario.load import parse_scenario
    >>> sc = parse_scenario({"organisation": {"employees": 150}, "networks": {"leaders": {
    ...     "purpose": "leader_forum", "select": {"roles": ["leader"]},
    ...     "enrollment": "automatic"}}})
    >>> m = model(sc, uncertainties={"learning.peer_rate": (0.1, 0.9)},
    ...           outcomes=["meetings_held"], replications=2, years=0.2)
    >>> [u.variable_name for u in m.uncertainties]
    [['learning.peer_rate']]
    >>> from ema_workbench import perform_experiments
    >>> experiments, results = perform_experiments(m, scenarios=3)
    >>> list(experiments.columns[:1]), results["meetings_held"].shape
    (['learning__peer_rate'], (3,))
    """
    ema = _ema()
    base = load_scenario(scenario) if isinstance(scenario, str | Path) else scenario
    if years is not None:
        base = with_overrides(base, {"simulation.years": years}, source="<model>")
    lever_specs = dict(levers or {})
    both = sorted(set(uncertainties) & set(lever_specs))
    if both:
        raise ScenarioError("<levers>", both[0], "is an uncertainty too; give each path once")
    for out in outcomes:
        if out not in NUMERIC:
            raise ScenarioError(
                "<outcomes>", str(out), "unknown outcome; allowed: numeric summary names"
            )
    if not outcomes:
        raise ScenarioError("<outcomes>", "", "give at least one summary name")
    if isinstance(replications, bool) or not isinstance(replications, int) or replications < 1:
        raise ScenarioError("<model>", "replications", "must be a whole number of at least 1")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ScenarioError("<model>", "seed", "must be a whole number of at least 0")
    if keep not in ("mean", "all"):
        raise ScenarioError("<model>", "keep", f"must be 'mean' or 'all' (got {keep!r})")

    m = ema.ReplicatorModel(
        name or _model_name(base.name), function=ScenarioFunction(base, outcomes, kernels)
    )
    m.uncertainties = [
        _parameter(ema, base, "<uncertainties>", p, s) for p, s in uncertainties.items()
    ]
    m.levers = [_parameter(ema, base, "<levers>", p, s) for p, s in lever_specs.items()]
    seen: dict[str, str] = {}
    for par in [*m.uncertainties, *m.levers]:
        path = par.variable_name[0]
        if hasattr(m, par.name):
            # EMA Workbench would set the model's own attribute instead of the parameter.
            raise ScenarioError("<model>", path, "cannot be a parameter")
        if par.name in seen:
            raise ScenarioError(
                "<model>", path, f"has the same EMA name {par.name!r} as {seen[par.name]!r}"
            )
        seen[par.name] = path
    if keep == "mean":
        m.outcomes = [ema.ScalarOutcome(o, function=_mean) for o in outcomes]
    else:
        # EMA Workbench keeps one outcome class per name in a process: another name.
        m.outcomes = [
            ema.ArrayOutcome(f"{o}_by_replication", variable_name=o, function=_each)
            for o in outcomes
        ]
    m.replications = [{"seed": seed + r} for r in range(replications)]
    return m


def points(
    ema_model: Any, design: pd.DataFrame, *, kind: Literal["scenarios", "policies"] = "scenarios"
) -> list[Any]:
    """A design of your own (one row per point, one column per dotted path) as EMA
    Workbench's scenarios or policies for ``perform_experiments``.

    EMA Workbench 2 draws its own samples from NumPy's global random state; a design made
    with a seed of its own, :func:`netsim.study.experiment.design_points` for instance (the
    same Latin hypercube as ``netsim sweep``), makes the experiments reproducible without
    touching global state.

    Parameters
    ----------
    ema_model : ema_workbench.ReplicatorModel
        A model from :func:`model`.
    design : pandas.DataFrame
        Columns named by the dotted paths of the model's uncertainties (``kind="scenarios"``)
        or levers (``kind="policies"``), every one of them; a whole-number field's values
        are rounded.
    kind : {"scenarios", "policies"}

    Returns
    -------
    list of ema_workbench.Scenario or ema_workbench.Policy
        Named by the design's index.

    Raises
    ------
    ScenarioError
        A parameter of the model that the design has no column for.
    """
    ema = _ema()
    params = ema_model.uncertainties if kind == "scenarios" else ema_model.levers
    make = ema.Scenario if kind == "scenarios" else ema.Policy
    columns = {}
    for par in params:
        path = par.variable_name[0]
        if path not in design.columns:
            raise ScenarioError("<design>", path, f"no column for this {kind[:-1]} parameter")
        values = design[path]
        if isinstance(par, ema.IntegerParameter):
            values = values.round().astype(int)
        columns[par.name] = values.tolist()
    return [
        make(str(label), **{name: col[i] for name, col in columns.items()})
        for i, label in enumerate(design.index)
    ]


def _ema() -> Any:
    try:
        with warnings.catch_warnings():
            # Its notice that one of its own optional evaluators is missing says nothing
            # about netsim's use of it.
            warnings.filterwarnings("ignore", "ipyparallel not installed", UserWarning)
            import ema_workbench
    except ImportError:
        raise NetsimError(_INSTALL) from None
    return ema_workbench


def _model_name(scenario_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", scenario_name) or "netsim"


def _parameter(ema: Any, base: Scenario, source: str, path: str, spec: Spec) -> Any:
    """The EMA parameter for ``path``, after checking its bounds or values on the scenario."""
    par = _as_parameter(source, path, spec)
    probes = par.values if par.values is not None else list(par.bounds or [])
    for value in probes:
        try:
            with_overrides(base, {path: value}, source=source)
        except ScenarioError as exc:
            # Another field may be the one that objects (a quorum above max_size).
            other = f"{exc.field}: " if exc.field and exc.field != path else ""
            raise ScenarioError(source, path, f"{other}{exc.message}") from None
    name = parameter_name(path)
    if par.values is not None:
        return ema.CategoricalParameter(name, list(par.values), variable_name=path)
    low, high = par.bounds or (0.0, 1.0)
    if isinstance(_current(base, path), int) and not isinstance(_current(base, path), bool):
        if not (float(low).is_integer() and float(high).is_integer()):
            raise ScenarioError(
                source, path, f"a whole-number field takes whole-number bounds (got {low}, {high})"
            )
        return ema.IntegerParameter(name, int(low), int(high), variable_name=path)
    return ema.RealParameter(name, float(low), float(high), variable_name=path)


def _as_parameter(source: str, path: str, spec: Spec) -> Parameter:
    if isinstance(spec, Parameter):
        return spec
    try:
        if isinstance(spec, Mapping):
            return Parameter.model_validate(dict(spec))
        if isinstance(spec, str) or len(spec) != 2:
            raise ValueError
        return Parameter(bounds=[float(spec[0]), float(spec[1])])
    except ValidationError as exc:
        raise ScenarioError(source, path, exc.errors()[0]["msg"]) from None
    except (TypeError, ValueError):
        raise ScenarioError(
            source,
            path,
            "give bounds (low, high), {'bounds': [low, high]} or {'values': [...]}",
        ) from None


def _current(base: Scenario, path: str) -> Any:
    node: Any = base.model_dump(mode="python")
    for part in path.split("."):
        node = node[part]
    return node


def _mean(values: Sequence[float]) -> float:
    """The mean of the replications in which the outcome is defined (``nan`` if none)."""
    finite = [v for v in values if not math.isnan(v)]
    return float(sum(finite) / len(finite)) if finite else math.nan


def _each(values: Sequence[float]) -> np.ndarray:
    """Each replication's value, in replication order."""
    return np.asarray(values, dtype=float)
