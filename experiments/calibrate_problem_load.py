"""Calibrate the problem load: ``work.problems_per_day`` so that solving problems and looking
for help take the published share of knowledge workers' working time.

McKinsey Global Institute, "The social economy: Unlocking value and productivity through
social technologies" (July 2012): interaction workers spend nearly 20 % of the working week
looking for internal information or tracking down colleagues who can help with specific
tasks (the report's estimate is 19 %). netsim's problem hours are that time: solving problems
alone, or asking a colleague. The hours a working day are proportional to the rate, so one
set of runs of the organisation without networks (``scenarios/baseline.toml``, one year,
seeds 1-20) gives the rate::

    .venv/bin/python experiments/calibrate_problem_load.py

prints the share at the current default, the calibrated rate (rounded to 2 decimals, the
value to write into ``netsim.scenario.work.PROBLEMS_PER_DAY``) and the share it gives.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import netsim
from netsim.scenario.load import with_overrides

TARGET = 0.19
SEEDS = range(1, 21)
BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.toml"


def share(rate: float) -> float:
    """Mean problem-time share of the baseline over one year and the seeds, at ``rate``."""
    sc = with_overrides(netsim.load_scenario(BASELINE), {"work.problems_per_day": rate})
    return float(np.mean([netsim.simulate(sc, seed=s, years=1).summary["problem_time_share"]
                          for s in SEEDS]))  # fmt: skip


def main() -> None:
    default = netsim.load_scenario(BASELINE).work.problems_per_day
    now = share(default)
    calibrated = round(default * TARGET / now, 2)
    print(f"at {default} problems a day: {now:.4f} of working time on problems")
    print(f"calibrated to {TARGET:.0%}: {calibrated} problems a day -> {share(calibrated):.4f}")


if __name__ == "__main__":
    main()
