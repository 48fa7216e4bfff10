import pytest
from django.urls import NoReverseMatch, reverse

from crig.core.reversing import reverser


@pytest.mark.parametrize(
    ("viewname", "values"),
    [
        ("territory:commune_detail", ["31555", "2A004", "x y", "é", "a?b#c"]),
        ("catalog:dataset_detail", [1, 42, "7", 9753186420]),
        ("events:event_detail", ["journee-2024", "journee_2024"]),
    ],
)
def test_gives_what_reverse_gives(viewname, values):
    url = reverser(viewname)

    assert [url(value) for value in values] == [
        reverse(viewname, args=[value]) for value in values
    ]


def test_refuses_what_reverse_refuses():
    url = reverser("catalog:dataset_detail")  # <int:pk>

    with pytest.raises(NoReverseMatch):
        url("2A004")
