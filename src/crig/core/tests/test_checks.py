from crig.core.checks import (
    check_coverage_share,
    check_map_tiles_url,
    check_region_code,
)


def test_default_configuration_passes_the_checks():
    assert check_map_tiles_url(None) == []
    assert check_region_code(None) == []
    assert check_coverage_share(None) == []


def test_tile_url_without_placeholders_is_an_error(settings):
    settings.MAP_TILES_URL = "https://tiles.example.org/plan.png"

    errors = check_map_tiles_url(None)

    assert [error.id for error in errors] == ["core.E001"]
    assert "{z}, {x}, {y}" in errors[0].msg


def test_region_code_must_be_two_digits(settings):
    settings.CRIG_REGION_CODE = "Occitanie"

    assert [error.id for error in check_region_code(None)] == ["core.E002"]


def test_coverage_share_must_be_a_fraction(settings):
    settings.CATALOG_COVERAGE_MIN_SHARE = 95

    assert [error.id for error in check_coverage_share(None)] == ["core.E003"]
