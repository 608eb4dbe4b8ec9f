"""A what-if of the participatory learning rule, for facts 1 and 2 (docs/calibration.md).

MODEL.md's participatory part closes a share of the *mean over all other attendees* of the
positive gaps, ``peer_rate * sum_j max(0, K_j - K_i) / (|A| - 1)``: those who know less count
as zero. So what one member alone knows reaches each of the others at ``1 / (|A| - 1)`` of the
peer rate, and in a group of 20 a lecture by that member teaches it faster. The alternative
measured here averages over the attendees who know more: ``sum_j max(0, K_j - K_i) / #{j:
K_j > K_i}`` (nobody still ends above the best present). It is not in the model: this script
swaps it into the numpy kernel (``netsim.sim.kernels.meeting_learning``) for its own runs and
measures, with 20 paired replications, fact 1's blind leader network (its decay, and with
expectations frozen) and fact 2's designed one (on leadership and strategy, and on the
departments' practice) under each rule. It prints a table; nothing is written.

::

    python experiments/peer_rule.py             # 20 replications, seeds 1..20
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from netsim.sim import kernels

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stylised_facts as sf
from fact_details import _measured

#: The measures shown for each arm.
MEASURES = ("attendance_decay", "share_worth_it", "participant_return_per_hour")


def learning_from_those_who_know_more(
    k: np.ndarray,
    attend: np.ndarray,
    efficiency: float | np.ndarray,
    participation: float | np.ndarray,
    *,
    lecture_rate: float,
    peer_rate: float,
) -> np.ndarray:
    """:func:`netsim.sim.kernels.meeting_learning` with the participatory part averaged over
    the attendees who know more (on each topic) instead of over all the others."""
    a = attend[..., None]
    kmax = np.where(a, k, 0.0).max(axis=1, keepdims=True)
    peer_sum, above = np.empty_like(k), np.empty_like(k)
    present = attend[:, :, None].astype(k.dtype)
    for t in range(k.shape[2]):
        kt = np.ascontiguousarray(k[:, :, t])
        gap = kt[:, None, :] - kt[:, :, None]  # gap[g, i, j] = k_j - k_i
        above[:, :, t] = np.matmul((gap > 0).astype(k.dtype), present)[:, :, 0]
        np.maximum(gap, 0.0, out=gap)
        peer_sum[:, :, t] = np.matmul(gap, present)[:, :, 0]
    lecture = efficiency * (1.0 - participation) * lecture_rate
    peer = efficiency * participation * peer_rate / np.maximum(above, 1.0)
    return np.where(a, lecture * (kmax - k) + peer * peer_sum, 0.0)


def arms() -> dict[str, Any]:
    """Fact 1's blind leader network (and frozen), fact 2's designed one on two topic sets."""
    auto = sf.scenario("auto_enrollment")
    designed = sf.with_overrides(auto, sf.DESIGNED)
    practice = {"networks.leader_networks.purpose": "knowledge_sharing"}
    return {
        "blind (fact 1)": auto,
        "blind, expectations frozen (fact 1's ablation)": sf.frozen(auto),
        "designed (fact 2)": designed,
        "designed, on the departments' practice": sf.with_overrides(designed, practice),
    }


def measure(reps: int, seed: int) -> list[tuple[str, str, dict[str, str]]]:
    """Each arm under each rule: the measures' means and 95 % CIs."""
    rules: dict[str, Callable[..., np.ndarray]] = {
        "mean over all others (the model)": kernels.meeting_learning,
        "mean over those who know more": learning_from_those_who_know_more,
    }
    model_rule = kernels.meeting_learning
    rows = []
    try:
        for rule, f in rules.items():
            kernels.meeting_learning = f  # type: ignore[assignment]
            for arm, sc in arms().items():
                runs = [sf.summarise(sc, seed=seed + r, kernels="numpy") for r in range(reps)]
                rows.append((arm, rule, _measured(runs, MEASURES)))
    finally:
        kernels.meeting_learning = model_rule  # type: ignore[assignment]
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    print("| network | participatory rule | " + " | ".join(MEASURES) + " |")
    print("| --- | --- |" + " --- |" * len(MEASURES))
    for arm, rule, out in measure(args.reps, args.seed):
        print(f"| {arm} | {rule} | " + " | ".join(out[m] for m in MEASURES) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
