"""netsim: discrete-event simulation of designed networks inside organisations.

>>> import netsim
>>> sc = netsim.parse_scenario({"name": "empty", "organisation": {"employees": 100}})
>>> netsim.simulate(sc, seed=1, years=0.1).summary["meetings_held"]
0

The names below are imported when first used (PEP 562), so that ``import netsim`` and the
command line's start (``netsim --help``, ``netsim validate``) do not wait for pandas,
NetworkX and the simulation they do not need yet.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from netsim._version import __version__
from netsim.errors import NetsimError, ScenarioError

if TYPE_CHECKING:
    from netsim.scenario.graph import GraphError
    from netsim.scenario.load import load_scenario, parse_scenario, scenario_to_toml, with_graph
    from netsim.scenario.schema import Scenario
    from netsim.sim.ceiling import Ceiling, ceilings
    from netsim.sim.model import simulate
    from netsim.sim.result import RunResult
    from netsim.sim.summary import SUMMARY_NAMES
    from netsim.study.analysis import compare
    from netsim.study.experiment import load_experiment, sweep
    from netsim.study.export import read_run

#: Where each name that is imported when first used lives.
_LAZY = {
    "GraphError": "netsim.scenario.graph",
    "load_scenario": "netsim.scenario.load",
    "parse_scenario": "netsim.scenario.load",
    "scenario_to_toml": "netsim.scenario.load",
    "with_graph": "netsim.scenario.load",
    "Scenario": "netsim.scenario.schema",
    "Ceiling": "netsim.sim.ceiling",
    "ceilings": "netsim.sim.ceiling",
    "simulate": "netsim.sim.model",
    "RunResult": "netsim.sim.result",
    "SUMMARY_NAMES": "netsim.sim.summary",
    "compare": "netsim.study.analysis",
    "load_experiment": "netsim.study.experiment",
    "sweep": "netsim.study.experiment",
    "read_run": "netsim.study.export",
}

__all__ = [
    "SUMMARY_NAMES",
    "Ceiling",
    "GraphError",
    "NetsimError",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "__version__",
    "ceilings",
    "compare",
    "load_experiment",
    "load_scenario",
    "parse_scenario",
    "read_run",
    "scenario_to_toml",
    "simulate",
    "sweep",
    "with_graph",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its module when it is first used, and keep it."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'netsim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
