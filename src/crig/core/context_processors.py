from django.conf import settings


def site(request):
    return {
        "crig_name": settings.CRIG_NAME,
        "map_config": {
            "tilesUrl": settings.MAP_TILES_URL,
            "attribution": settings.MAP_TILES_ATTRIBUTION,
        },
    }
