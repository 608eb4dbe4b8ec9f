"""Scenario discovery with PRIM: when does a blind leader network give back less than an hour
for every hour it takes?

The blind leader network is ``scenarios/auto_enrollment.toml``: every leader enrolled
automatically, lecture format, a vague goal, never evaluated. Its return at the defaults is
far below one hour saved per hour spent; this asks whether that is a fact of the design or
of the defaults. It turns the scenario into an EMA Workbench model
(:func:`netsim.study.ema.model`) whose uncertainties are what a planner cannot know in
advance: how pressed for time the leaders are, how many problems their work brings (the
calibrated problem load is itself uncertain), how much they learn from each other and from a
lecture, how often the network meets and how strongly expectations drive attendance. A Latin
hypercube over them, each experiment replicated with common random numbers, and PRIM
(``ema_workbench.analysis.prim``) finds the box of conditions in which the network fails.

The outcome is the sponsor's return per hour (``sponsor_return_per_hour``): the organisation
enrolls the leaders and pays for every hour they spend, and its account counts the hours saved
across the whole organisation, non-members included, so ``< 1`` means the programme costs the
organisation more working hours than it gives back. The members' own return
(``participant_return_per_hour``) is what their attendance already answers to.

Usage (from the repository root, with ``pip install 'netsim[ema]'``)::

    python experiments/ema_prim_blind_leaders.py                  # 200 experiments x 4
    python experiments/ema_prim_blind_leaders.py --experiments 400 --workers 2 --out DIR

It writes ``experiments.csv`` (the design and each experiment's mean outcome),
``trajectory.csv`` (PRIM's peeling trajectory), ``box.csv`` (the chosen box's limits) and
``tradeoff.png`` (coverage against density) to ``--out`` (default ``results/ema_prim``), and
prints the chosen box.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "auto_enrollment.toml"
OUTCOME = "sponsor_return_per_hour"

#: What a planner cannot know in advance, by the paths of experiment files, with bounds.
UNCERTAINTIES: dict[str, tuple[float, float]] = {
    "time_pressure.mean_by_role.leader": (0.4, 0.8),  # default 0.6
    "work.problems_per_day": (1.0, 8.0),  # calibrated 1.9
    "learning.peer_rate": (0.1, 0.9),  # default 0.3
    "learning.lecture_rate": (0.05, 0.6),  # default 0.1
    "networks.leader_networks.interval_weeks": (2.0, 12.0),  # the scenario's 4
    "attendance.value_weight": (0.5, 4.0),  # default 1.5
}


def run(
    *,
    experiments: int,
    replications: int,
    seed: int,
    employees: int | None = None,
    years: float | None = None,
    workers: int = 1,
) -> tuple[pd.DataFrame, pd.Series]:
    """Perform the experiments: the design (one row per experiment, one column per
    uncertainty's EMA name) and each experiment's mean outcome."""
    from ema_workbench import MultiprocessingEvaluator, SequentialEvaluator

    from netsim.scenario.load import load_scenario, with_overrides
    from netsim.study.ema import model, points
    from netsim.study.experiment import Experiment, Parameter, design_points

    base = load_scenario(SCENARIO)
    if employees is not None:
        base = with_overrides(base, {"organisation.employees": employees})
    m = model(
        base,
        uncertainties=UNCERTAINTIES,
        outcomes=[OUTCOME],
        replications=replications,
        seed=seed,
        years=years,
    )
    # The same seeded Latin hypercube as `netsim sweep` draws: reproducible, no global state.
    spec = Experiment(
        scenario=str(SCENARIO),
        design="lhs",
        samples=experiments,
        seed=seed,
        parameters={p: Parameter(bounds=list(b)) for p, b in UNCERTAINTIES.items()},
    )
    scenarios = points(m, design_points(spec))
    evaluator = MultiprocessingEvaluator(m, n_processes=workers) if workers > 1 else None
    with evaluator or SequentialEvaluator(m) as ev:
        design, outcomes = ev.perform_experiments(scenarios=scenarios)
    x = design.drop(columns=["scenario", "policy", "model"])
    return x, pd.Series(outcomes[OUTCOME], name=OUTCOME)


def discover(x: pd.DataFrame, y: pd.Series, *, min_density: float = 0.9) -> tuple[Any, int]:
    """PRIM on ``y < 1``: its box, and the index on the peeling trajectory of the box with
    the most coverage among those whose density (share of failures inside) is at least
    ``min_density``."""
    from ema_workbench.analysis import prim

    fails = (y < 1).to_numpy()
    # EMA Workbench 2: the threshold is the least density find_box accepts.
    box = prim.Prim(x, fails, threshold=min_density, peel_alpha=0.1).find_box()
    trajectory = box.peeling_trajectory
    dense = trajectory[trajectory["density"] >= min_density]
    chosen = int(dense["coverage"].idxmax()) if len(dense) else len(trajectory) - 1
    box.select(chosen)
    return box, chosen


def main(argv: list[str] | None = None) -> int:
    """The command line (see the module's docstring)."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--experiments", type=int, default=200, help="Latin hypercube points")
    ap.add_argument("--replications", type=int, default=4, help="runs of each (paired seeds)")
    ap.add_argument("--seed", type=int, default=1, help="seed of replication 0 and of the LHS")
    ap.add_argument("--employees", type=int, help="instead of the scenario's 2,000")
    ap.add_argument("--years", type=float, help="instead of the scenario's horizon")
    ap.add_argument("--workers", type=int, default=1, help="processes (EMA's evaluator)")
    ap.add_argument("--min-density", type=float, default=0.9, help="of the chosen box")
    ap.add_argument("--out", type=Path, default=Path("results/ema_prim"))
    args = ap.parse_args(argv)

    x, y = run(
        experiments=args.experiments,
        replications=args.replications,
        seed=args.seed,
        employees=args.employees,
        years=args.years,
        workers=args.workers,
    )
    args.out.mkdir(parents=True, exist_ok=True)
    x.assign(**{OUTCOME: y}).to_csv(args.out / "experiments.csv", index=False)
    failing = int((y < 1).sum())
    print(
        f"{failing} of {len(y)} experiments return less than an hour per hour spent "
        f"({OUTCOME} < 1)."
    )
    if failing in (0, len(y)):
        print("nothing for PRIM to tell apart: widen the uncertainties or add experiments")
        return 0
    box, chosen = discover(x, y, min_density=args.min_density)
    stats, limits = box.inspect(chosen, style="data")[0]
    box.peeling_trajectory.to_csv(args.out / "trajectory.csv", index=False)
    limits.columns = ["min", "max", "qp_min", "qp_max"]
    limits.rename_axis("uncertainty").to_csv(args.out / "box.csv")
    box.show_tradeoff().savefig(args.out / "tradeoff.png", dpi=120)

    print(
        f"PRIM box {chosen}: coverage {stats['coverage']:.2f}, density {stats['density']:.2f}, "
        f"mass {stats['mass']:.2f}; restricted dimensions:"
    )
    for unc, row in limits.iterrows():
        qp = min(row[["qp_min", "qp_max"]].dropna(), default=float("nan"))
        print(f"  {unc}: {row['min']:.3g} .. {row['max']:.3g} (quasi-p {qp:.2g})")
    print(f"written to {args.out}/")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
