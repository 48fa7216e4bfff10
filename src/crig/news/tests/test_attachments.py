"""Attachments of news items: added and removed by the item's editors, downloaded
only by those who may read the item (never through the public media URL)."""

from http import HTTPStatus

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from crig.core.errors import InvalidInput, PermissionDenied
from crig.news import services
from crig.news.models import NewsAttachment

PDF = b"%PDF-1.4\n% a tiny document\n"


@pytest.fixture
def attachment(news_item, secretariat_user):
    return services.news_attachment_add(
        actor=secretariat_user, item=news_item, name="Standard PCRS.pdf", data=PDF
    )


def test_an_editor_attaches_a_pdf_stored_under_a_generated_name(attachment):
    assert attachment.name == "Standard PCRS.pdf"
    assert attachment.size == len(PDF)
    assert attachment.file.name.endswith("-standard-pcrs.pdf")
    assert default_storage.open(attachment.file.name).read() == PDF


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("note.exe", b"MZ", "Ce type de fichier ne peut pas être joint"),
        ("note.pdf", b"", "Le fichier est vide."),
        ("note.pdf", b"<html>not a pdf</html>", "ne correspond pas à son extension"),
    ],
)
def test_a_bad_file_is_refused_and_nothing_is_stored(
    news_item, secretariat_user, name, data, message
):
    with pytest.raises(InvalidInput) as refused:
        services.news_attachment_add(
            actor=secretariat_user, item=news_item, name=name, data=data
        )

    assert message in str(refused.value.message)
    assert NewsAttachment.objects.count() == 0


def test_a_member_may_not_attach(news_item, member_user):
    with pytest.raises(PermissionDenied):
        services.news_attachment_add(
            actor=member_user, item=news_item, name="a.pdf", data=PDF
        )


def test_the_download_follows_the_items_audience(
    client, members_item, secretariat_user, member_user
):
    attachment = services.news_attachment_add(
        actor=secretariat_user, item=members_item, name="interne.pdf", data=PDF
    )
    url = f"/actualites/pieces-jointes/{attachment.pk}/"

    assert client.get(url).status_code == HTTPStatus.NOT_FOUND
    client.force_login(member_user)
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert b"".join(response.streaming_content) == PDF
    assert "interne.pdf" in response["Content-Disposition"]


def test_the_item_page_offers_the_upload_to_editors_only(
    client, news_item, attachment, secretariat_user, member_user
):
    page = f"/actualites/{news_item.pk}/"
    client.force_login(member_user)
    text = client.get(page).content.decode()
    assert f"/actualites/pieces-jointes/{attachment.pk}/" in text
    assert "Joindre un fichier" not in text

    client.force_login(secretariat_user)
    text = client.get(page).content.decode()
    assert "Joindre un fichier" in text


def test_upload_and_removal_through_the_page(client, news_item, secretariat_user):
    client.force_login(secretariat_user)

    response = client.post(
        f"/actualites/{news_item.pk}/pieces-jointes/",
        {"file": SimpleUploadedFile("compte-rendu.pdf", PDF)},
        follow=True,
    )
    assert "Le fichier est joint." in response.content.decode()
    attachment = NewsAttachment.objects.get()

    response = client.post(
        f"/actualites/pieces-jointes/{attachment.pk}/retirer/", follow=True
    )
    assert "La pièce jointe a été retirée." in response.content.decode()
    assert NewsAttachment.objects.count() == 0


def test_a_refused_upload_says_why_on_the_page(client, news_item, secretariat_user):
    client.force_login(secretariat_user)

    response = client.post(
        f"/actualites/{news_item.pk}/pieces-jointes/",
        {"file": SimpleUploadedFile("script.exe", b"MZ")},
        follow=True,
    )

    assert "Ce type de fichier ne peut pas être joint" in response.content.decode()
    assert NewsAttachment.objects.count() == 0


def test_an_oversized_upload_is_refused_on_the_page(
    client, news_item, secretariat_user, settings
):
    settings.NEEDS_ATTACHMENT_MAX_BYTES = 1024 * 1024
    client.force_login(secretariat_user)

    response = client.post(
        f"/actualites/{news_item.pk}/pieces-jointes/",
        {"file": SimpleUploadedFile("gros.pdf", PDF + b"0" * 1024 * 1024)},
        follow=True,
    )

    assert "Le fichier est trop volumineux (1 Mo au plus)." in response.content.decode()
    assert NewsAttachment.objects.count() == 0
