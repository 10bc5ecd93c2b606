"""Smooth random fields: fractal value noise sampled at arbitrary points."""

from __future__ import annotations

import numpy as np

from worldloom.systems.world_generation.model import FloatArray


def fractal_noise(
    x: FloatArray,
    y: FloatArray,
    aspect: float,
    *,
    octaves: int,
    frequency: float,
    rng: np.random.Generator,
) -> FloatArray:
    """Fractal value noise in about [-1, 1]: each octave doubles the frequency, halves the weight.

    Args:
        x: east coordinate of each sample, in units of the map height.
        y: south coordinate of each sample, in units of the map height.
        aspect: map width over height (the lattice spans the whole width).
        octaves: how many layers of detail to add.
        frequency: lattice cells per map height in the first octave.
        rng: the stream the lattice values are drawn from.

    Returns:
        Noise values, one per sample; smooth, so neighbouring samples are close.
    """
    total = np.zeros_like(x)
    weight, norm = 1.0, 0.0
    for octave in range(octaves):
        total += weight * _value_noise(x, y, aspect, frequency * 2.0**octave, rng)
        norm += weight
        weight *= 0.5
    return total / norm


def _value_noise(
    x: FloatArray, y: FloatArray, aspect: float, frequency: float, rng: np.random.Generator
) -> FloatArray:
    """Random lattice values blended with a smoothstep; the lattice has a margin for warping."""
    margin = 2
    columns = int(np.ceil(frequency * aspect)) + 2 * margin + 1
    rows = int(np.ceil(frequency)) + 2 * margin + 1
    lattice = rng.uniform(-1.0, 1.0, size=(rows, columns))
    fx = np.clip(x * frequency + margin, 0.0, columns - 1.001)
    fy = np.clip(y * frequency + margin, 0.0, rows - 1.001)
    ix, iy = fx.astype(np.int64), fy.astype(np.int64)
    tx, ty = fx - ix, fy - iy
    sx, sy = tx * tx * (3.0 - 2.0 * tx), ty * ty * (3.0 - 2.0 * ty)
    top = lattice[iy, ix] * (1.0 - sx) + lattice[iy, ix + 1] * sx
    bottom = lattice[iy + 1, ix] * (1.0 - sx) + lattice[iy + 1, ix + 1] * sx
    result: FloatArray = top * (1.0 - sy) + bottom * sy
    return result
