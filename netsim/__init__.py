"""netsim: discrete-event simulation of designed networks inside organisations.

>>> import netsim
>>> sc = netsim.parse_scenario({"name": "empty", "organisation": {"employees": 100}})
>>> netsim.simulate(sc, seed=1, years=0.1).summary["meetings_held"]
0
"""

from netsim._version import __version__
from netsim.errors import NetsimError, ScenarioError
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
