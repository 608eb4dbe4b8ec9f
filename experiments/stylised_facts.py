"""The five stylised facts of MODEL.md, measured by running the model.

Run it to regenerate every number in ``docs/calibration.md``::

    python experiments/stylised_facts.py            # 20 replications, seed 1, all cores
    python experiments/stylised_facts.py --reps 40 --check   # exit 1 if a fact fails

The same functions are what ``tests/test_stylised_facts.py`` asserts on, so the document and
the tests can never measure different things. Each fact is judged on its 95 % confidence
interval, never on a point estimate; comparisons are paired through common random numbers
(replication r of every scenario uses seed ``seed + r``).
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import netsim
from netsim.scenario.load import with_overrides
from netsim.study.analysis import paired_ci

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "scenarios"
DOC = REPO / "docs" / "calibration.md"
START, END = "<!-- facts:start -->", "<!-- facts:end -->"
SENS_START, SENS_END = "<!-- sensitivity:start -->", "<!-- sensitivity:end -->"

#: The redesign of leader_forum_redesign happens in this week; fact 3 compares the 12 weeks
#: before it with the 12 weeks after it (three meetings each at four-weekly meetings).
REDESIGN_WEEK = 22
WINDOW_WEEKS = 12
NOISE_LEVELS = (0.0, 0.25, 0.5, 1.0)


@dataclass(frozen=True)
class Measure:
    """One measured quantity of a fact with its 95 % CI and the target it must meet."""

    name: str
    mean: float
    ci_low: float
    ci_high: float
    n: int
    target: str
    holds: bool


@dataclass(frozen=True)
class Fact:
    """A stylised fact: its statement and its measures."""

    number: int
    statement: str
    measures: tuple[Measure, ...]

    @property
    def holds(self) -> bool:
        return all(m.holds for m in self.measures)


def scenario(name: str) -> netsim.Scenario:
    return netsim.load_scenario(SCENARIOS / f"{name}.toml")


def _ci(values: Sequence[float]) -> tuple[float, float, float, int]:
    return paired_ci(np.asarray(values, dtype=float))


def _measure(name: str, values: Sequence[float], target: str, test: Callable[..., bool]) -> Measure:
    mean, lo, hi, n = _ci(values)
    return Measure(name, mean, lo, hi, n, target, bool(test(mean, lo, hi)))


def _summaries(name: str, reps: int, seed: int) -> list[dict[str, float]]:
    sc = scenario(name)
    return [netsim.simulate(sc, seed=seed + r).summary for r in range(reps)]


def fact_1_and_2(reps: int, seed: int) -> tuple[Fact, Fact]:
    """auto_enrollment's costs and decay; goal_driven against it, paired."""
    auto = _summaries("auto_enrollment", reps, seed)
    goal = _summaries("goal_driven", reps, seed)

    def values(runs: list[dict[str, float]], metric: str) -> list[float]:
        return [float(s[metric]) for s in runs]

    def paired(metric: str) -> list[float]:
        return list(np.subtract(values(goal, metric), values(auto, metric)))

    one = Fact(
        1,
        "auto_enrollment: realised hours per leader per year between 30 and 40; attendance in "
        "the last quarter at most 70 % of the first quarter; share_valuing at most 0.3.",
        (
            _measure(
                "hours_per_leader_year",
                values(auto, "hours_per_leader_year"),
                "CI within [30, 40]",
                lambda m, lo, hi: lo >= 30 and hi <= 40,
            ),
            _measure(
                "attendance_decay",
                values(auto, "attendance_decay"),
                "CI at most 0.7",
                lambda m, lo, hi: hi <= 0.7,
            ),
            _measure(
                "share_valuing",
                values(auto, "share_valuing"),
                "CI at most 0.3",
                lambda m, lo, hi: (hi if math.isfinite(hi) else m) <= 0.3,
            ),
        ),
    )
    two = Fact(
        2,
        "goal_driven against auto_enrollment, paired: sponsor value per hour and participant "
        "value per hour higher (95 % CI above zero); attendance decay ratio at least 0.85; "
        "fewer total hours.",
        (
            _measure(
                "sponsor_value_per_hour, goal_driven − auto_enrollment",
                paired("sponsor_value_per_hour"),
                "CI above 0",
                lambda m, lo, hi: lo > 0,
            ),
            _measure(
                "participant_value_per_hour, goal_driven − auto_enrollment",
                paired("participant_value_per_hour"),
                "CI above 0",
                lambda m, lo, hi: lo > 0,
            ),
            _measure(
                "attendance_decay of goal_driven",
                values(goal, "attendance_decay"),
                "CI at least 0.85",
                lambda m, lo, hi: lo >= 0.85,
            ),
            _measure(
                "total_hours_year, goal_driven − auto_enrollment",
                paired("total_hours_year"),
                "CI below 0",
                lambda m, lo, hi: hi < 0,
            ),
        ),
    )
    return one, two


def fact_3(reps: int, seed: int) -> Fact:
    """leader_forum_redesign: attendance and cross-department ties per meeting, after − before."""
    sc = scenario("leader_forum_redesign")
    per_week = sc.simulation.days_per_week
    start, width = REDESIGN_WEEK * per_week, WINDOW_WEEKS * per_week
    d_att, d_ties = [], []
    for r in range(reps):
        m = netsim.simulate(sc, seed=seed + r).meetings
        before = m[(m["day"] >= start - width) & (m["day"] < start)]
        after = m[(m["day"] >= start) & (m["day"] < start + width)]
        rate = [w["attended"].sum() / w["invited"].sum() for w in (before, after)]
        ties = [w.loc[w["held"], "cross_tie_gain"].mean() for w in (before, after)]
        d_att.append(rate[1] - rate[0])
        d_ties.append(ties[1] - ties[0])
    return Fact(
        3,
        f"leader_forum_redesign: attendance and bridging ties per meeting higher after the "
        f"redesign (the {WINDOW_WEEKS} weeks after week {REDESIGN_WEEK} against the "
        f"{WINDOW_WEEKS} weeks before).",
        (
            _measure(
                "attendance rate, after − before", d_att, "CI above 0", lambda m, lo, hi: lo > 0
            ),
            _measure(
                "cross-department tie strength built per meeting, after − before",
                d_ties,
                "CI above 0",
                lambda m, lo, hi: lo > 0,
            ),
        ),
    )


def fact_4(reps: int, seed: int) -> Fact:
    """isolated_specialists against baseline: who gains in their own specialty."""
    iso, base = scenario("isolated_specialists"), scenario("baseline")
    did = []
    for r in range(reps):
        a = netsim.simulate(iso, seed=seed + r).summary
        b = netsim.simulate(base, seed=seed + r).summary
        isolated = a["isolated_specialist_gain"] - b["isolated_specialist_gain"]
        connected = a["connected_specialist_gain"] - b["connected_specialist_gain"]
        did.append(isolated - connected)
    return Fact(
        4,
        "isolated_specialists against baseline, paired: isolated specialists gain more "
        "knowledge in their specialty than non-isolated specialists do.",
        (
            _measure(
                "gain of isolated − gain of connected specialists (each against baseline)",
                did,
                "CI above 0",
                lambda m, lo, hi: lo > 0,
            ),
        ),
    )


def fact_5(reps: int, seed: int, noise_levels: Sequence[float] = NOISE_LEVELS) -> Fact:
    """evaluate_and_close: false closures by measurement noise."""
    base = scenario("evaluate_and_close")
    closures: dict[float, list[float]] = {}
    for noise in noise_levels:
        sc = with_overrides(base, {"evaluation.measurement_noise": noise})
        closures[noise] = [
            float(netsim.simulate(sc, seed=seed + r).summary["false_closures"]) for r in range(reps)
        ]
    zero = closures[noise_levels[0]]
    measures = [
        Measure(
            f"false_closures at noise {noise_levels[0]:g}",
            float(np.mean(zero)),
            min(zero),
            max(zero),
            len(zero),
            "none in any replication",
            max(zero) == 0,
        )
    ]
    for lo_noise, hi_noise in itertools.pairwise(noise_levels):
        d = np.subtract(closures[hi_noise], closures[lo_noise])
        measures.append(
            _measure(
                f"false_closures at noise {hi_noise:g} − at {lo_noise:g} (paired)",
                d,
                "CI above 0",
                lambda m, lo, hi: lo > 0,
            )
        )
    return Fact(
        5,
        "evaluate_and_close: with zero measurement noise no false closures; false closures "
        "grow with noise.",
        tuple(measures),
    )


def all_facts(reps: int = 20, seed: int = 1) -> list[Fact]:
    """Every fact, measured with ``reps`` replications from ``seed`` on."""
    one, two = fact_1_and_2(reps, seed)
    return [one, two, fact_3(reps, seed), fact_4(reps, seed), fact_5(reps, seed)]


def _fmt(x: float) -> str:
    if not math.isfinite(x):
        return "–"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"


def render(facts: Sequence[Fact], reps: int, seed: int) -> str:
    lines = [
        f"Measured with {reps} replications (seeds {seed}..{seed + reps - 1}) by "
        "`python experiments/stylised_facts.py`.",
        "",
        "| fact | measure | mean | 95 % CI | N | target | holds |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for f in facts:
        for m in f.measures:
            ci = f"[{_fmt(m.ci_low)}, {_fmt(m.ci_high)}]"
            lines.append(
                f"| {f.number} | {m.name} | {_fmt(m.mean)} | {ci} | {m.n} | {m.target} | "
                f"{'yes' if m.holds else '**no**'} |"
            )
    return "\n".join(lines)


def update_doc(text: str, path: Path = DOC, start: str = START, end: str = END) -> None:
    """Replace the block between the ``start`` and ``end`` markers of the document."""
    doc = path.read_text(encoding="utf-8")
    head, _, rest = doc.partition(start)
    _, _, tail = rest.partition(end)
    path.write_text(f"{head}{start}\n{text}\n{end}{tail}", encoding="utf-8")


def render_sensitivity(db: Path) -> str:
    """Total-order Sobol indices (with 95 % CIs) from a finished `sensitivity` sweep."""
    from netsim.study.analysis import sensitivity
    from netsim.study.experiment import Experiment
    from netsim.study.store import ResultStore

    with ResultStore(db) as store:
        spec = Experiment.model_validate(store.get_meta("spec"))
        frame = store.frame()
    indices = sensitivity(frame, spec)
    params = list(spec.parameters)
    lines = [
        f"Sobol total-order indices ST (95 % CI) from `netsim sweep experiments/sensitivity.toml` "
        f"({len(frame)} runs: {spec.samples} base samples x ({len(params)} + 2) points x "
        f"{spec.replications} replications, base scenario `{Path(spec.scenario or '').name}`).",
        "",
        "| parameter | " + " | ".join(spec.outcomes) + " |",
        "| --- |" + " --- |" * len(spec.outcomes),
    ]
    for name in params:
        cells = []
        for outcome in spec.outcomes:
            row = indices[(indices["parameter"] == name) & (indices["outcome"] == outcome)].iloc[0]
            cells.append(f"{row['ST']:.2f} ± {row['ST_conf']:.2f}")
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--check", action="store_true", help="exit 1 if a fact does not hold")
    parser.add_argument("--no-doc", action="store_true", help="print only; leave the doc")
    parser.add_argument(
        "--sensitivity-db",
        type=Path,
        help="also write the Sobol indices of a finished sensitivity sweep (its SQLite file)",
    )
    args = parser.parse_args(argv)
    if args.sensitivity_db is not None:
        table = render_sensitivity(args.sensitivity_db)
        print(table)
        if not args.no_doc:
            update_doc(table, start=SENS_START, end=SENS_END)
    facts = all_facts(args.reps, args.seed)
    text = render(facts, args.reps, args.seed)
    print(text)
    if not args.no_doc:
        update_doc(text)
        print(f"\nwritten to {DOC}")
    return 1 if args.check and not all(f.holds for f in facts) else 0


if __name__ == "__main__":
    sys.exit(main())
