"""A set of layers read for one run, brought to one working CRS.

:func:`load_layers` reads every layer with :func:`eco12geo.io.read_layer`,
then, when the layers do not all share one CRS, brings them to CGCS2000
geographic (EPSG:4490), with
edges densified first so Gauss–Krüger straight edges are followed.  Every
reprojection is recorded in :attr:`LayerSet.notes`, so outputs can say so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
from pyproj import CRS

from .errors import InputError
from .io import LayerSource, read_layer
from .measure import crs_label, transform_geometries
from .plan import Plan

__all__ = ["LayerSet", "load_layers", "harmonize"]


@dataclass
class LayerSet:
    """Layers keyed by plan key, all in :attr:`crs`."""

    layers: dict[str, gpd.GeoDataFrame]
    crs: CRS
    sources: dict[str, str] = field(default_factory=dict)
    source_crs: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: the geometries and CRS as read, for layers brought to another working CRS: survey areas
    #: (国土调查办发〔2008〕32号) are taken on the vertices as recorded, not on densified copies
    source_geoms: dict[str, tuple[np.ndarray, CRS]] = field(default_factory=dict)
    _repaired: dict[str, tuple[int, np.ndarray, np.ndarray]] = field(
        default_factory=dict, init=False, repr=False, compare=False)

    def repaired(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """Return the geometries of ``key`` made valid, and the mask of the invalid ones.

        One repair per layer per run (:func:`eco12geo.overlay.repair`), shared by the audit,
        the validation, the sheets and the coverage of the same set; cached until the layer's
        frame is replaced.  The frames themselves are never changed.
        """
        from .overlay import repair

        gdf = self.layers[key]
        hit = self._repaired.get(key)
        if hit is None or hit[0] != id(gdf):
            geoms, invalid = repair(np.asarray(gdf.geometry.values, dtype=object))
            geoms.flags.writeable = False
            invalid.flags.writeable = False
            hit = self._repaired[key] = (id(gdf), geoms, invalid)
        return hit[1], hit[2]

    def survey_source(self, key: str) -> tuple[np.ndarray, CRS]:
        """Return the geometries of ``key`` and their CRS as the survey formula takes them (as read)."""
        if key in self.source_geoms:
            return self.source_geoms[key]
        return np.asarray(self.layers[key].geometry.values, dtype=object), self.crs

    def __contains__(self, key: object) -> bool:
        return key in self.layers

    def __getitem__(self, key: str) -> gpd.GeoDataFrame:
        return self.layers[key]

    def keys(self) -> list[str]:
        """Return the layer keys in the order the layers were given."""
        return list(self.layers)


def harmonize(
    layers: Mapping[str, gpd.GeoDataFrame], densify_m: float = 100.0, crs: CRS | None = None
) -> tuple[dict[str, gpd.GeoDataFrame], CRS, list[str]]:
    """Bring layers to one working CRS.

    Parameters
    ----------
    layers
        GeoDataFrames keyed by layer key, each with a CRS.
    densify_m
        Edge length (m) to densify to before reprojecting.
    crs
        Force this working CRS; by default the layers' common CRS, or
        CGCS2000 geographic (EPSG:4490) when they differ.

    Returns
    -------
    (layers, crs, notes)
    """
    crss = {k: CRS.from_user_input(g.crs) for k, g in layers.items()}
    if not crss:
        return {}, crs or CRS.from_epsg(4490), []
    if crs is None:
        first = next(iter(crss.values()))
        if all(c == first for c in crss.values()):
            crs = first
        else:
            crs = CRS.from_epsg(4490)
    out: dict[str, gpd.GeoDataFrame] = {}
    notes: list[str] = []
    for key, gdf in layers.items():
        if crss[key] == crs:
            out[key] = gdf
            continue
        geoms = transform_geometries(np.asarray(gdf.geometry.values, dtype=object), crss[key], crs, densify_m)
        moved = gdf.copy()
        moved = moved.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=crs))
        moved.attrs = dict(gdf.attrs)
        out[key] = moved
        notes.append(
            f"{key}: reprojected from {crs_label(crss[key])} to the working CRS {crs_label(crs)} "
            f"(edges densified to {densify_m:g} m first)"
        )
    return out, crs, notes


def load_layers(
    sources: Mapping[str, LayerSource],
    plan: Plan,
    *,
    assume_crs: str | None = None,
    engine: str = "pyogrio",
    progress: Callable[[str, int, int], None] | None = None,
    target_crs: CRS | None = None,
) -> LayerSet:
    """Read every layer and bring them to one working CRS (``target_crs`` when given).

    A baseline read with the layers' CRS as ``target_crs`` is reprojected once, here, and
    :func:`eco12geo.validate.validate` uses it as it is.

    Raises
    ------
    InputError
        When a key is not one the plan defines, or a layer cannot be used.
    """
    read: dict[str, gpd.GeoDataFrame] = {}
    for key, src in sources.items():
        if key not in plan.layers:
            raise InputError(
                f"'{key}' is not a layer key of plan {plan.id}; use one of: {', '.join(plan.layers)}"
            )
        cb = (lambda n, t, _k=key: progress(_k, n, t)) if progress else None
        read[key] = read_layer(src, key=key, plan=plan, assume_crs=assume_crs, engine=engine, progress=cb)
    layers, crs, notes = harmonize(read, plan.tolerances.get("densify_m", 100.0), crs=target_crs)
    for key, gdf in reversed(read.items()):
        null = int(gdf.attrs.get("null_geometries") or 0)
        if null:
            verb = "has" if null == 1 else "have"
            notes.insert(0, f"{key}: {null} of {len(gdf)} features {verb} no geometry (null or empty in the file, "
                            "or not readable); they add no area — fix them in a GIS (eco12geo validate lists them)")
    for key, gdf in read.items():
        if gdf.attrs.get("crs_assumed"):
            notes.insert(0, f"{key}: declared no CRS; {assume_crs} assumed (--assume-crs)")
    return LayerSet(
        layers=layers,
        crs=crs,
        sources={k: str(s) for k, s in sources.items()},
        source_crs={k: crs_label(CRS.from_user_input(g.crs)) for k, g in read.items()},
        notes=notes,
        source_geoms={k: (np.asarray(g.geometry.values, dtype=object), CRS.from_user_input(g.crs))
                      for k, g in read.items() if CRS.from_user_input(g.crs) != crs},
    )
