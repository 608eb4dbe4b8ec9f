"""What a scenario may say and how files become a checked :class:`~netsim.scenario.schema.Scenario`.

The lowest wing: it imports nothing else of netsim but :mod:`netsim.errors`. The schema
(:mod:`~netsim.scenario.schema`, with :mod:`~netsim.scenario.organisation`) reads no file;
:mod:`~netsim.scenario.load` is the one loader (TOML -> fill from the CSV files read by
:mod:`~netsim.scenario.roster` and :mod:`~netsim.scenario.tables` -> validate -> the checks
of :mod:`~netsim.scenario.staff`); :mod:`~netsim.scenario.overrides` sets values by dotted
path; :mod:`~netsim.scenario.problems` words the errors.
"""
