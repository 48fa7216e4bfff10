from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.compatibility)
def check_map_tiles_url(app_configs, **kwargs):
    """The base map is an XYZ template: Leaflet needs {z}, {x} and {y} in it."""
    missing = [
        part for part in ("{z}", "{x}", "{y}") if part not in settings.MAP_TILES_URL
    ]
    if missing:
        return [
            checks.Error(
                f"CRIG_MAP_TILES_URL lacks {', '.join(missing)}.",
                hint="Give an XYZ tile URL template, e.g. https://…/{z}/{x}/{y}.png",
                id="core.E001",
            )
        ]
    return []


@checks.register(checks.Tags.compatibility)
def check_region_code(app_configs, **kwargs):
    code = settings.CRIG_REGION_CODE
    if not (code.isdigit() and len(code) == 2):
        return [
            checks.Error(
                f"CRIG_REGION_CODE must be a 2-digit INSEE region code, not {code!r}.",
                id="core.E002",
            )
        ]
    return []


@checks.register(checks.Tags.compatibility)
def check_coverage_share(app_configs, **kwargs):
    share = settings.CATALOG_COVERAGE_MIN_SHARE
    if not 0 < share <= 1:
        return [
            checks.Error(
                f"CRIG_COVERAGE_MIN_SHARE must be in ]0, 1], not {share}.",
                id="core.E003",
            )
        ]
    return []
