"""What a scenario may say and how files become a checked :class:`Scenario`.

The lowest wing: it imports nothing else of netsim but :mod:`netsim.errors`.
"""
