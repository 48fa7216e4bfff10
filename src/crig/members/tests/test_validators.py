import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from crig.members.search import normalise_for_search
from crig.members.validators import luhn_is_valid, validate_logo, validate_siren


@pytest.mark.parametrize(
    "siren",
    [
        "243100518",  # Toulouse Métropole
        "243400017",  # Montpellier Méditerranée Métropole
        "200053791",  # Région Occitanie
    ],
)
def test_real_sirens_are_valid(siren):
    validate_siren(siren)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("24310051", "siren_format"),
        ("2431005180", "siren_format"),
        ("24310051A", "siren_format"),
        ("243 100 518", "siren_format"),
        ("", "siren_format"),
        ("243100519", "siren_checksum"),
        ("123456789", "siren_checksum"),
    ],
)
def test_malformed_sirens_are_refused(value, code):
    with pytest.raises(ValidationError) as excinfo:
        validate_siren(value)
    assert excinfo.value.code == code


def test_luhn_on_known_values():
    assert luhn_is_valid("79927398713")
    assert not luhn_is_valid("79927398710")


def _image(image_format: str, size=(40, 20)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, format=image_format)
    return SimpleUploadedFile(f"logo.{image_format.lower()}", buffer.getvalue())


@pytest.mark.parametrize("image_format", ["PNG", "JPEG", "WEBP"])
def test_logo_accepts_web_image_formats(image_format):
    validate_logo(_image(image_format))


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (SimpleUploadedFile("logo.png", b"not an image at all"), "logo_type"),
        (_image("GIF"), "logo_type"),
        (_image("PNG", size=(2001, 10)), "logo_dimensions"),
        (SimpleUploadedFile("logo.png", b"\0" * (1024 * 1024 + 1)), "logo_size"),
    ],
)
def test_logo_refuses_other_files(upload, code):
    with pytest.raises(ValidationError) as excinfo:
        validate_logo(upload)
    assert excinfo.value.code == code


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Région Occitanie", "region occitanie"),
        ("RÉGION  d'OCCITANIE", "region d occitanie"),
        ("Sœur-Œuvre", "soeur oeuvre"),
        ("SDIS 31", "sdis 31"),
    ],
)
def test_search_normalisation(text, expected):
    assert normalise_for_search(text) == expected
