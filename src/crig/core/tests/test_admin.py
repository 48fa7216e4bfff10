from http import HTTPStatus

import pytest
from django.urls import reverse

from crig.core.models import SiteText

pytestmark = pytest.mark.django_db


@pytest.fixture
def home_intro():
    return SiteText.objects.create(
        key=SiteText.Key.HOME_INTRO, title_fr="Le CRIG", body_fr="Un conseil."
    )


def test_secretariat_edits_the_home_page_texts_in_the_admin(
    client, secretariat_user, home_intro
):
    client.force_login(secretariat_user)

    listing = client.get(reverse("admin:core_sitetext_changelist"))
    change = client.post(
        reverse("admin:core_sitetext_change", args=[home_intro.pk]),
        {
            "key": home_intro.key,
            "title_fr": "Le CRIG Occitanie",
            "title_en": "",
            "body_fr": "Un conseil sans hiérarchie.",
            "body_en": "",
        },
    )

    assert listing.status_code == HTTPStatus.OK
    assert change.status_code == HTTPStatus.FOUND
    home_intro.refresh_from_db()
    assert home_intro.title_fr == "Le CRIG Occitanie"


def test_a_member_has_no_way_into_the_site_texts(client, member_user, home_intro):
    client.force_login(member_user)

    response = client.get(reverse("admin:core_sitetext_changelist"))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("admin:login"))
