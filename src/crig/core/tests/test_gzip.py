"""Compression: large responses at the faster level, small ones Django's way; both
decompress to the same bytes and carry the BREACH padding."""

import gzip
import json

from django.http import HttpResponse
from django.test import RequestFactory

from crig.core.middleware import GZipMiddleware


def _respond(content: bytes, *, accept="gzip, deflate"):
    request = RequestFactory().get("/", headers={"Accept-Encoding": accept})
    middleware = GZipMiddleware(lambda request: HttpResponse(content))
    return middleware(request)


def _geojson(features: int) -> bytes:
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"insee": f"{31000 + i}", "name": f"Commune {i}"},
                    "geometry": {
                        "type": "Point",
                        "coordinates": [1 + i / 1000, 43 + i / 997],
                    },
                }
                for i in range(features)
            ],
        }
    ).encode()


def test_a_large_response_is_compressed_fast_and_padded():
    content = _geojson(8000)
    assert len(content) > GZipMiddleware.large_response

    response = _respond(content)

    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content) == content
    assert int(response["Content-Length"]) == len(response.content)
    assert "Accept-Encoding" in response["Vary"]
    assert response.content[3] & gzip.FNAME  # the random name against BREACH
    level_6 = len(gzip.compress(content, compresslevel=6))
    assert len(response.content) > level_6  # level 1, not Django's 6


def test_two_large_responses_differ_by_their_padding():
    content = _geojson(8000)
    assert _respond(content).content != _respond(content).content


def test_a_small_response_goes_the_django_way():
    content = _geojson(50)
    response = _respond(content)
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content) == content


def test_nothing_is_compressed_for_a_client_that_does_not_ask():
    content = _geojson(8000)
    response = _respond(content, accept="identity")
    assert not response.has_header("Content-Encoding")
    assert response.content == content
    assert "Accept-Encoding" in response["Vary"]
