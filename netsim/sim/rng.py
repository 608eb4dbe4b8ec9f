"""Named, independent random streams spawned from one seed.

Each stream is derived from ``SeedSequence(seed)`` and a fixed key computed from its *name*
(not from its position in a list), so adding a stream never changes the others, and two
scenarios run with the same seed draw the same organisation and the same time-pressure
trajectories (common random numbers).
"""

from __future__ import annotations

import zlib

import numpy as np

__all__ = ["Streams"]


class Streams:
    """The named generators of one run.

    Parameters
    ----------
    seed : int
        The run's seed; kept so the run can be reproduced.

    Examples
    --------
    >>> a, b = Streams(7), Streams(7)
    >>> float(a.pressure.random()) == float(b.pressure.random())
    True
    >>> float(Streams(7).pressure.random()) == float(Streams(7).diffusion.random())
    False
    """

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        self._gens: dict[str, np.random.Generator] = {}

    def get(self, name: str) -> np.random.Generator:
        """The generator called ``name`` (created on first use)."""
        gen = self._gens.get(name)
        if gen is None:
            key = zlib.crc32(name.encode())
            gen = np.random.Generator(
                np.random.PCG64(np.random.SeedSequence(self.seed, spawn_key=(key,)))
            )
            self._gens[name] = gen
        return gen

    @property
    def organisation(self) -> np.random.Generator:
        return self.get("organisation")

    @property
    def pressure(self) -> np.random.Generator:
        return self.get("pressure")

    @property
    def attendance(self) -> np.random.Generator:
        return self.get("attendance")

    @property
    def diffusion(self) -> np.random.Generator:
        return self.get("diffusion")

    @property
    def membership(self) -> np.random.Generator:
        return self.get("membership")

    @property
    def recruitment(self) -> np.random.Generator:
        return self.get("recruitment")

    @property
    def measurement(self) -> np.random.Generator:
        return self.get("measurement")
