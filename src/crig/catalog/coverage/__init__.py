"""Pure coverage computation: which share of each commune each footprint covers.

No Django here (see ``footprints`` and ``compute``); the service
``crig.catalog.services.coverage`` feeds it stored outlines and footprints and
writes the result.
"""

from crig.catalog.coverage.compute import (
    FRACTION_EPSILON,
    CommuneLayer,
    CoveragePairs,
    coverage_pairs,
)
from crig.catalog.coverage.footprints import (
    DENSIFY_STEP_DEGREES,
    Footprints,
    densified_wgs84,
    prepare_footprints,
)

__all__ = [
    "DENSIFY_STEP_DEGREES",
    "FRACTION_EPSILON",
    "CommuneLayer",
    "CoveragePairs",
    "Footprints",
    "coverage_pairs",
    "densified_wgs84",
    "prepare_footprints",
]
