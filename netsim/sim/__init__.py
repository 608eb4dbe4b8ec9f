"""One run: random streams, the organisation, the run's state, the kernels, the SimPy
processes, the meeting, records and metrics, and the run's result.

It imports :mod:`netsim.scenario` and nothing above it; it never reads a user's file.
"""
