"""Where the flat kilometre map lies on the WGS84 globe: an equal-area placement, and back."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

DEGREE_DECIMALS: Final = 6
"""Degrees to 6 decimals is about 0.1 m (RFC 7946's advice), finer than the 1 m km grid."""

CRS_NOTE: Final = (
    "RFC 7946 WGS84 longitude/latitude. The flat map (x km east from its west edge, y km south "
    "from its north edge) is placed on the globe by an inverse Lambert azimuthal equal-area "
    "projection on the WGS84 ellipsoid, centred on longitude 0, latitude 0 at the map's centre: "
    "areas on the globe equal map areas. The 'proj' PROJ string converts lon/lat back to map km."
)

PROJECTION_NAME: Final = "lambert_azimuthal_equal_area"
"""The ``worldloom.projection`` value; a different placement would get a different name."""

WGS84_SEMI_MAJOR_KM: Final = 6378.137
WGS84_FLATTENING: Final = 1 / 298.257223563

_E2: Final = WGS84_FLATTENING * (2 - WGS84_FLATTENING)
_E: Final = math.sqrt(_E2)


def _authalic_q(sin_lat: Any) -> Any:
    """Snyder's q(φ) (eq. 3-12): the ellipsoid's area between the equator and φ, scaled."""
    return (1 - _E2) * (
        sin_lat / (1 - _E2 * sin_lat**2)
        - np.log((1 - _E * sin_lat) / (1 + _E * sin_lat)) / (2 * _E)
    )


_Q_POLE: Final = float(_authalic_q(1.0))
AUTHALIC_RADIUS_KM: Final = WGS84_SEMI_MAJOR_KM * math.sqrt(_Q_POLE / 2)
"""The sphere with the ellipsoid's area (6371.007 km)."""
_D: Final = WGS84_SEMI_MAJOR_KM / AUTHALIC_RADIUS_KM
"""Snyder's D for the equatorial aspect: stretches east-west so the centre is true to scale."""
_LATITUDE_SERIES: Final = (
    _E2 / 3 + 31 * _E2**2 / 180 + 517 * _E2**3 / 5040,
    23 * _E2**2 / 360 + 251 * _E2**3 / 3780,
    761 * _E2**3 / 45360,
)
"""Snyder eq. 3-18: latitude from authalic latitude, the coefficients of sin 2β, 4β, 6β."""
_HEMISPHERE_RHO_KM: Final = math.sqrt(2) * AUTHALIC_RADIUS_KM
"""Projected distance of the hemisphere's rim: maps reaching further are scaled down to fit."""


@dataclass(frozen=True, slots=True)
class MapProjection:
    """Where the flat map lies on the globe: an equal-area placement centred on (0°, 0°).

    The map point ``(x, y)`` (km; y grows south) becomes the plane point
    ``E = s (x - width/2)``, ``N = s (height/2 - y)`` and then lon/lat by the inverse of the
    ellipsoidal Lambert azimuthal equal-area projection (Snyder 1987, *Map Projections: A
    Working Manual*, ch. 24, equatorial aspect) on WGS84 (``a`` = 6378.137 km,
    ``f`` = 1/298.257223563), with authalic radius ``R_q`` and ``D = a / R_q``::

        rho = hypot(E / D, D N);  C = 2 asin(rho / (2 R_q))
        beta = asin(D N sin C / rho);  lon = atan2(E sin C, D rho cos C)
        lat = beta + c2 sin 2 beta + c4 sin 4 beta + c6 sin 6 beta

    This is PROJ's ``+proj=laea +lat_0=0 +lon_0=0 +ellps=WGS84`` (see :meth:`proj_string`).
    Areas are preserved (measured on 5,000 km maps: WGS84 geodesic areas of regions and lakes
    within 1e-5 of their map areas, mostly the 0.1 m rounding of the smallest lakes) and north
    is up; shapes bend away from the centre, at the corners of a 5,000 km square map by up to
    4.6° in angle and ±4% in scale (3.2° and ±3% for the large preset's 5,000 x 3,125 km).

    ``s`` (the scale) is 1 unless the map reaches past the hemisphere around (0°, 0°)
    (half-diagonal above about 9,000 km); then the map is shrunk to fit inside it.
    """

    width_km: float
    height_km: float

    def __post_init__(self) -> None:
        if not all(math.isfinite(v) and v > 0 for v in (self.width_km, self.height_km)):
            raise ValueError(f"map size must be positive, got {self.width_km} x {self.height_km}")

    @property
    def scale(self) -> float:
        """Kilometres on the globe per map kilometre (1 unless the map is too large)."""
        rho = math.hypot(self.width_km / 2 / _D, _D * self.height_km / 2)
        # Rounded down to 6 decimals so that the PROJ string carries the exact value.
        return min(1.0, math.floor(_HEMISPHERE_RHO_KM / rho * 1e6) / 1e6)

    def to_lonlat(self, xy: ArrayLike) -> NDArray[np.float64]:
        """Map ``(n, 2)`` km points ``(x, y)`` to ``(n, 2)`` ``(lon, lat)`` degrees."""
        points = coordinate_pairs(xy)
        east = (points[:, 0] - self.width_km / 2) * self.scale
        north = (self.height_km / 2 - points[:, 1]) * self.scale
        rho = np.hypot(east / _D, _D * north)
        c = 2 * np.arcsin(np.minimum(rho / (2 * AUTHALIC_RADIUS_KM), 1.0))
        # At the centre rho and N are both 0; any nonzero divisor gives beta = 0 there.
        beta = np.arcsin(np.clip(_D * north * np.sin(c) / np.where(rho > 0, rho, 1.0), -1, 1))
        lon = np.arctan2(east * np.sin(c), _D * rho * np.cos(c))
        lat = beta + sum(
            coefficient * np.sin(2 * (k + 1) * beta)
            for k, coefficient in enumerate(_LATITUDE_SERIES)
        )
        lonlat: NDArray[np.float64] = np.degrees(np.column_stack([lon, lat]))
        return lonlat

    def to_km(self, lonlat: ArrayLike) -> NDArray[np.float64]:
        """Map ``(n, 2)`` ``(lon, lat)`` degrees back to ``(n, 2)`` km points ``(x, y)``."""
        radians = np.radians(coordinate_pairs(lonlat))
        lon, lat = radians[:, 0], radians[:, 1]
        beta = np.arcsin(np.clip(_authalic_q(np.sin(lat)) / _Q_POLE, -1, 1))
        b = AUTHALIC_RADIUS_KM * np.sqrt(2 / (1 + np.cos(beta) * np.cos(lon)))
        east = b * _D * np.cos(beta) * np.sin(lon)
        north = b / _D * np.sin(beta)
        scale = self.scale
        return np.column_stack(
            [east / scale + self.width_km / 2, self.height_km / 2 - north / scale]
        )

    def proj_string(self) -> str:
        """The PROJ definition of the map's own CRS: lon/lat to map km (x east, y south)."""
        scale = self.scale
        # PROJ's false easting and northing are in metres whatever the unit, and the
        # northing is offset before +axis=esu turns it into a southing.
        return (
            f"+proj=laea +lat_0=0 +lon_0=0 +x_0={_number(self.width_km / 2 * 1000 * scale)} "
            f"+y_0={_number(-self.height_km / 2 * 1000 * scale)} +ellps=WGS84 "
            f"+to_meter={_number(1000 * scale)} +axis=esu +no_defs +type=crs"
        )

    def bbox(self) -> list[float]:
        """``[west, south, east, north]`` of the whole map, rounded outwards."""
        # The map's straight edges bow outwards in lon/lat, so sample them densely.
        side = np.linspace(0.0, 1.0, 257)
        edges = np.concatenate(
            [
                np.column_stack([side * self.width_km, np.zeros_like(side)]),
                np.column_stack([side * self.width_km, np.full_like(side, self.height_km)]),
                np.column_stack([np.zeros_like(side), side * self.height_km]),
                np.column_stack([np.full_like(side, self.width_km), side * self.height_km]),
            ]
        )
        lonlat = self.to_lonlat(edges)
        step = 10.0**-DEGREE_DECIMALS
        low = np.floor(lonlat.min(axis=0) / step) * step
        high = np.ceil(lonlat.max(axis=0) / step) * step
        return [round_number(v, DEGREE_DECIMALS) for v in (*low, *high)]

    def describe(self) -> dict[str, Any]:
        """The collection's ``worldloom`` member: what a runtime needs to get back to km."""
        return {
            "projection": PROJECTION_NAME,
            "ellipsoid": "WGS84",
            "proj": self.proj_string(),
            "width_km": float(self.width_km),
            "height_km": float(self.height_km),
            "scale": self.scale,
            "note": CRS_NOTE,
        }


def round_number(value: float, decimals: int) -> float:
    return round(float(value), decimals) + 0.0


def _number(value: float) -> str:
    """A PROJ parameter: fixed-point, no exponent, no trailing zeros."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


def coordinate_pairs(coordinates: ArrayLike) -> NDArray[np.float64]:
    """`(n, 2)` finite float pairs, or a ValueError naming the shape given."""
    array = np.asarray(coordinates, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] != 2 or not np.isfinite(array).all():
        raise ValueError(f"expected finite (x, y) pairs, got shape {array.shape}")
    return array
