"""Experiments, declared: the experiment file, its designs, and the sweep that runs them.

The habits are EMA Workbench's: an experiment is *declared* (a base scenario, parameters
addressed by path with values or bounds, a design, outcomes by name) and evaluated by an
executor that may be local or distributed (:mod:`netsim.study.runner`); results come back as a
DataFrame aligned with the design. Their analysis is :mod:`netsim.study.analysis`.

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
import re
import stat
import tomllib
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from netsim._version import __version__
from netsim.errors import NetsimError, ScenarioError
from netsim.scenario.load import load_scenario, parse_scenario, with_overrides
from netsim.scenario.overrides import overridden
from netsim.scenario.problems import consistency, format_error
from netsim.scenario.schema import Scenario
from netsim.sim.summary import SUMMARY_NAMES
from netsim.study.runner import Task, error_text, open_executor, run_replications
from netsim.study.store import ResultStore, StoreError, one_line

__all__ = [
    "HEADLINE",
    "MAX_FILE_BYTES",
    "MAX_SEED",
    "MAX_TASKS",
    "NUMERIC",
    "Experiment",
    "ExperimentError",
    "LoadedExperiment",
    "Parameter",
    "default_db",
    "design_points",
    "design_size",
    "load_experiment",
    "problem",
    "sweep",
    "task_key",
    "task_keys",
    "with_overrides",
]

#: What a planner reads first, in hours (MODEL.md "Value in hours"): hours spent, hours saved
#: in both accounts, net hours, the returns per hour, the share who get their hours back.
#: ``compare --ci-width`` drives these differences below the target width; an experiment
#: without ``outcomes`` reports these.
HEADLINE: tuple[str, ...] = (
    "total_hours_year",
    "hours_per_leader_year",
    "hours_saved_per_leader_year",
    "participant_hours_saved_year",
    "sponsor_hours_saved_year",
    "net_hours_year",
    "participant_return_per_hour",
    "sponsor_return_per_hour",
    "share_worth_it",
    "attendance_decay",
)
NUMERIC = tuple(n for n in SUMMARY_NAMES if n not in ("scenario", "seed", "years"))


#: Tasks (design points x replications) one experiment may ask for: a sweep keeps its
#: design, one row per task, in memory and in its database before it runs anything.
MAX_TASKS = 200_000
#: The largest seed: seeds ``seed .. seed + replications - 1`` fit SQLite's 64-bit integers.
MAX_SEED = 2**62
#: An experiment file is a short hand-written declaration.
MAX_FILE_BYTES = 1_000_000

_PLAIN_NAME = re.compile(r"\w[\w .,+-]*")


class ExperimentError(ScenarioError):
    """An experiment file is not valid.

    Its file, field and message are kept on one line: a control character a user wrote in a
    key or a value is shown as its escape.
    """

    def __init__(self, source: str, field: str, message: str) -> None:
        super().__init__(one_line(source), one_line(field), one_line(message))


# ------------------------------------------------------------------ tasks


def task_key(scenario: Scenario, seed: int) -> str:
    """Content hash of a task: resolved scenario, seed, netsim version, and the content (not
    just the paths) of any CSV files the organisation was loaded from."""
    return task_keys(scenario, [seed])[0]


def task_keys(scenario: Scenario, seeds: Iterable[int]) -> list[str]:
    """:func:`task_key` of the scenario with each seed, the scenario serialised once."""
    roster = scenario.organisation.roster
    head = json.dumps(
        {
            "scenario": scenario.model_dump(mode="json"),
            "files": roster.digest if roster is not None else None,
            "members": {n: scenario.members_of(n) for n in scenario.networks},
            "netsim": __version__,
        },
        sort_keys=True,
    )
    # "seed" sorts last, so the full document is this one with the seed appended.
    prefix = hashlib.sha256(head[:-1].encode() + b', "seed": ')
    keys = []
    for seed in seeds:
        h = prefix.copy()
        h.update(f"{int(seed)}}}".encode())
        keys.append(h.hexdigest())
    return keys


# ------------------------------------------------------------------ experiments


class _Model(BaseModel):
    # As strict as scenario files: ``true`` is not a number, ``"3"`` not a count.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class Parameter(_Model):
    """A parameter of the design: values (grid) or bounds (lhs, sobol, morris).

    Each value is checked with the type of the scenario field it sets
    (:func:`load_experiment`).
    """

    values: list[float | int | str | bool] | None = Field(None, min_length=1, max_length=10_000)
    bounds: list[float] | None = Field(None, min_length=2, max_length=2)

    @model_validator(mode="after")
    def _one(self) -> Parameter:
        if (self.values is None) == (self.bounds is None):
            raise consistency("values", "give either values (grid) or bounds (lhs, sobol, morris)")
        if self.bounds is not None and not self.bounds[0] < self.bounds[1]:
            raise consistency(
                "bounds", f"the lower bound must be below the upper (got {list(self.bounds)})"
            )
        return self


class Experiment(_Model):
    """A declared experiment (see ``experiments/*.toml``)."""

    name: str = Field(
        "",
        max_length=100,
        description="Names the default database results/NAME.sqlite: letters, digits, "
        "spaces and . , + - _ (default: the file's name).",
    )
    description: str = Field("", max_length=100_000)
    scenario: str | None = Field(
        None, max_length=4096, description="Base scenario file, relative to the experiment file."
    )
    scenarios: list[str] | None = Field(
        None,
        min_length=1,
        max_length=100,
        description="Several base scenarios, each crossed with the design.",
    )
    design: Literal["grid", "lhs", "sobol", "morris"] = "grid"
    samples: int = Field(16, ge=1, le=1_000_000, description="Base sample size (not grid).")
    replications: int = Field(10, ge=1, le=100_000)
    seed: int = Field(1, ge=0, le=MAX_SEED)
    years: float | None = Field(None, gt=0, le=50)
    parameters: dict[str, Parameter] = Field(default_factory=dict, max_length=100)
    outcomes: list[str] = Field(default_factory=lambda: list(HEADLINE), min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Experiment:
        if self.name and not _PLAIN_NAME.fullmatch(self.name):
            raise consistency(
                "name",
                "must be a plain name (letters, digits, spaces and . , + - _, starting with a "
                f"letter or digit): it names the database results/NAME.sqlite (got {self.name!r})",
            )
        if (self.scenario is None) == (self.scenarios is None):
            raise consistency("scenario", "give either scenario or scenarios (a list)")
        if not self.parameters and len(self.scenario_files()) < 2:
            raise consistency("parameters", "give parameters, or several scenarios to compare")
        if self.design in ("sobol", "morris") and len(self.scenario_files()) > 1:
            raise consistency("scenarios", f"a {self.design} design takes one scenario")

        for name in self.outcomes:
            if name not in NUMERIC:
                raise consistency("outcomes", f"unknown outcome {name!r}; allowed: summary names")
        for path, p in self.parameters.items():
            if self.design == "grid" and p.values is None:
                raise consistency(f"parameters.{path}", "a grid design needs values")
            if self.design != "grid" and p.bounds is None:
                raise consistency(f"parameters.{path}", f"a {self.design} design needs bounds")
        n = self.samples
        if self.design == "sobol" and n & (n - 1):
            raise consistency(
                "samples",
                "a sobol design needs a power of 2 (4, 8, 16, ...): Sobol' points are "
                f"balanced only then (got {n})",
            )
        points = design_size(self)
        if points * self.replications > MAX_TASKS:
            field = (
                "replications"
                if self.replications > 1
                else ("parameters" if self.design == "grid" else "samples")
            )
            raise consistency(
                field,
                f"the design needs {points * self.replications:,} tasks ({points:,} design "
                f"points x {self.replications:,} replications); at most {MAX_TASKS:,} per "
                "experiment: ask for fewer replications, samples or values",
            )
        return self

    def scenario_files(self) -> list[str]:
        """The base scenario file(s), as written."""
        return [self.scenario] if self.scenario is not None else list(self.scenarios or [])


def design_size(spec: Experiment) -> int:
    """Design points of ``spec`` (every base scenario's), counted without drawing them.

    Examples
    --------
    >>> spec = Experiment(scenario="s.toml", design="sobol", samples=8,
    ...                   parameters={"a.b": Parameter(bounds=[0.0, 1.0])})
    >>> design_size(spec)
    24
    """
    d = len(spec.parameters)
    if d == 0:
        per_base = 1
    elif spec.design == "grid":
        per_base = math.prod(len(p.values or []) for p in spec.parameters.values())
    elif spec.design == "lhs":
        per_base = spec.samples
    else:  # SALib: Saltelli without second order, or Morris trajectories
        per_base = spec.samples * (d + 2 if spec.design == "sobol" else d + 1)
    return per_base * len(spec.scenario_files())


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


def default_db(experiment: LoadedExperiment) -> Path:
    """Where a sweep keeps its results unless told: ``results/NAME.sqlite``.

    The experiment's name is a plain name (:class:`Experiment` refuses a path), and a name
    taken from the file's name has no directory part, so this stays inside ``results/``.
    """
    return Path("results") / f"{experiment.name}.sqlite"


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
        data = tomllib.loads(_read_text(p, source))
    except tomllib.TOMLDecodeError as exc:
        from netsim.scenario.load import toml_message as _toml_message

        raise ExperimentError(source, "", f"TOML syntax error: {_toml_message(exc)}") from None
    except RecursionError:
        raise ExperimentError(source, "", "arrays or tables nested too deeply") from None
    try:
        spec = Experiment.model_validate(data)
    except ValidationError as exc:
        field, message = _experiment_error(exc)
        raise ExperimentError(source, field, message) from None
    except RecursionError:
        raise ExperimentError(source, "", "arrays or tables nested too deeply") from None
    bases = [load_scenario(_base_file(p, spec, i)) for i in range(len(spec.scenario_files()))]
    loaded = LoadedExperiment(spec, bases, source)
    for (path_, value, exact), base in itertools.product(_probe_values(spec), loaded.bases):
        try:
            if exact:  # a value as written: the field's own type, no coercion
                parse_scenario(
                    overridden(base, {path_: value}, source=source), source=source, strict=True
                )
            else:
                with_overrides(base, {path_: value}, source=source)
        except ScenarioError as exc:
            raise ExperimentError(
                source, f"parameters.{path_}", f"{exc.field}: {exc.message}"
            ) from None
    return loaded


def _base_file(p: Path, spec: Experiment, i: int) -> Path:
    """The i-th base scenario file, which must be a regular file (a FIFO or a device would
    block the loader or never end)."""
    written = spec.scenario_files()[i]
    field = "scenario" if spec.scenario is not None else f"scenarios.{i}"
    path = p.parent / written
    try:
        regular = stat.S_ISREG(path.stat().st_mode)
    except OSError:
        raise ExperimentError(str(p), field, f"no scenario file {str(path)!r}") from None
    if not written or not regular:
        raise ExperimentError(str(p), field, f"{str(path)!r} is not a scenario file")
    return path


def _read_text(p: Path, source: str) -> str:
    """The file's text: a regular file of bounded size (a FIFO or a device would block or
    never end), read as UTF-8."""
    try:
        info = p.stat()
    except FileNotFoundError:
        raise ExperimentError(source, "", "file not found") from None
    except OSError as exc:
        raise ExperimentError(source, "", f"cannot read the file ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise ExperimentError(source, "", f"{kind}; give an experiment TOML file")
    if info.st_size > MAX_FILE_BYTES:
        raise ExperimentError(
            source, "", f"{info.st_size:,} bytes; an experiment file has at most {MAX_FILE_BYTES:,}"
        )
    try:
        with p.open("rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise ExperimentError(source, "", f"more than {MAX_FILE_BYTES:,} bytes")
        return raw.decode("utf-8-sig")
    except OSError as exc:
        raise ExperimentError(source, "", f"cannot read the file ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise ExperimentError(
            source, "", f"not UTF-8 text (byte {exc.start}); save the file as UTF-8"
        ) from None


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


def _probe_values(spec: Experiment) -> Iterable[tuple[str, Any, bool]]:
    """Values that reveal a bad path, type or range before any task runs, and whether each
    is a value as written (checked strictly) or a bound (a sampler's draws are floats, which
    a whole-number field rounds)."""
    for path, p in spec.parameters.items():
        if p.values is not None:
            for v in p.values:
                yield path, v, True
        else:
            assert p.bounds is not None
            yield path, p.bounds[0], False
            yield path, p.bounds[1], False


def problem(spec: Experiment) -> dict[str, Any]:
    """The design's parameters as SALib's problem: names and bounds."""
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
                problem(spec), spec.samples, calc_second_order=False, seed=spec.seed
            )
        from SALib.sample import morris as morris_sample

        return morris_sample.sample(problem(spec), spec.samples, num_levels=4, seed=spec.seed)
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
    kernels: str | None = None,
) -> pd.DataFrame:
    """Run every (design point, replication) task, committing each result as it arrives.

    Tasks already in the database (same resolved scenario, seed and netsim version) are
    skipped, so running the same sweep again resumes it. A task that raises is recorded as
    failed with its error and the sweep goes on; it is tried again on the next run.
    ``kernels`` (``"numpy"`` or ``"numba"``, by default the environment's) is sent with each
    task, so every worker, a dask cluster's too, runs the kernels asked for; both give the
    same results, so it is not part of a task's key.

    Returns
    -------
    pandas.DataFrame
        One row per finished task, ordered by (point, replication): ``point``,
        ``replication``, ``seed``, ``param:<path>`` columns and every summary name.
        ``attrs`` holds ``failed`` (count) and ``db`` (path).
    """
    exp = experiment if isinstance(experiment, LoadedExperiment) else load_experiment(experiment)
    spec = exp.spec
    db_path = Path(db) if db is not None else default_db(exp)
    design = design_points(spec)
    tasks = []
    seeds = range(spec.seed, spec.seed + spec.replications)
    for point, (params, sc) in enumerate(_points(exp, design)):
        for rep, (seed, key) in enumerate(zip(seeds, task_keys(sc, seeds), strict=True)):
            tasks.append((key, point, rep, seed, params, sc))
    with ResultStore(db_path) as store:
        _claim(store, exp)
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
        total = len(unique)
        if progress is not None:
            progress(total - len(todo), total, 0)
        failed = 0

        def show(done: int, _: int) -> None:
            if progress is not None:
                progress(total - len(todo) + done, total, failed)

        with open_executor(workers, executor) as ex:
            outcomes = run_replications(
                (
                    Task(sc, seed, (key, point, rep, seed, params))
                    for key, point, rep, seed, params, sc in todo
                ),
                executor=ex,
                errors="record",
                kernels=kernels,
                progress=show,
            )
            for outcome in outcomes:
                key, point, rep, seed, params = outcome.tag
                if outcome.error is None:
                    store.record_done(
                        key,
                        point=point,
                        replication=rep,
                        seed=seed,
                        params=params,
                        summary=outcome.value,
                        seconds=outcome.seconds,
                    )
                else:
                    failed += 1
                    store.record_failed(
                        key,
                        point=point,
                        replication=rep,
                        seed=seed,
                        params=params,
                        error=error_text(outcome.error),
                    )
        frame = store.frame()
        frame.attrs["failed"] = failed
        frame.attrs["db"] = str(db_path)
    return frame


def _identity(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    """What makes two experiment files the same experiment: name, base scenarios, design
    and parameters (replications, samples and values may grow between runs)."""
    files = [spec["scenario"]] if spec.get("scenario") is not None else spec.get("scenarios")
    return {
        "name": name,
        "scenarios": files,
        "design": spec.get("design"),
        "parameters": sorted(spec.get("parameters") or {}),
    }


def _claim(store: ResultStore, exp: LoadedExperiment) -> None:
    """Refuse a database that holds another experiment's results: its design would be
    replaced, and its results lost from view."""
    owner = store.get_meta("experiment")
    stored = store.get_meta("spec")
    if not isinstance(owner, dict) or not isinstance(stored, dict):
        return  # a new database
    mine = _identity(exp.name, exp.spec.model_dump(mode="json"))
    theirs = _identity(str(owner.get("name")), stored)
    if mine == theirs:
        return
    what = next(k for k in mine if mine[k] != theirs[k])
    detail = "" if what == "name" else f" with other {what}"
    raise StoreError(
        f"{one_line(str(store.path))}: belongs to experiment {one_line(str(owner.get('name')))!r}"
        f" ({one_line(str(owner.get('source')))}){detail}; use --db OTHER.sqlite for "
        f"{one_line(exp.name)!r}, or delete the database to start again"
    )


def _jsonable(v: Any) -> Any:
    return v.item() if hasattr(v, "item") else v
