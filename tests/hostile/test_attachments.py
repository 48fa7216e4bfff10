"""Hostile attachments on every page that takes one, and oversized requests.

``ATTACHMENT_FILES`` is the corpus (wrong kinds, content that lies about its
extension, empty files, names that climb out of folders, files over
``CRIG_ATTACHMENT_MAX_MB``); ``ATTACHMENT_PAGES`` the pages (needs, funding
requests — PDF only —, news items, action-plan progress updates). Each refused
file: no server error, an error message for the person, no row and no file in
MEDIA_ROOT. A request body over Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (or with
too many fields) is answered with the site's own 400 page, nothing saved.
"""

from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.hostile import files
from tests.hostile.conftest import media_files

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
LIMIT = 1 * MB
REFUSED, STORED = "refused", "stored"


@dataclass(frozen=True)
class AttachmentFile:
    id: str
    name: str
    data: bytes
    outcome: str = REFUSED
    #: Where a page takes PDF only, judged by content (funding requests), the
    #: name does not matter: a real PDF is stored as ``….pdf`` whatever it says.
    pdf_only_outcome: str | None = None

    def outcome_on(self, page: str) -> str:
        if ATTACHMENT_PAGES[page].pdf_only and self.pdf_only_outcome:
            return self.pdf_only_outcome
        return self.outcome


ATTACHMENT_FILES = [
    AttachmentFile("executable", "setup.exe", b"MZ\x90\x00" + b"\0" * 100),
    AttachmentFile("exe-named-pdf", "devis.pdf", b"MZ\x90\x00" + b"\0" * 100),
    AttachmentFile("html-named-pdf", "devis.pdf", b"<script>alert(1)</script>"),
    AttachmentFile("zip-named-pdf", "devis.pdf", files.zipped({"a.txt": b"a"})),
    AttachmentFile("svg", "carte.svg", b"<svg onload='alert(1)'/>"),
    AttachmentFile("html", "page.html", b"<html><script>alert(1)</script></html>"),
    AttachmentFile("zip", "archive.zip", files.zipped({"a.pdf": files.PDF})),
    AttachmentFile("empty-pdf", "vide.pdf", b""),
    AttachmentFile("no-extension", "devis", files.PDF, pdf_only_outcome=STORED),
    AttachmentFile("only-extension", ".pdf", b"MZ"),
    AttachmentFile(
        "double-extension", "devis.pdf.exe", files.PDF, pdf_only_outcome=STORED
    ),
    AttachmentFile("over-the-limit", "gros.pdf", files.PDF + b"0" * LIMIT),
    AttachmentFile(
        "traversal-name", "../../../../tmp/crig-hostile/evil.pdf", files.PDF, STORED
    ),
    AttachmentFile("windows-traversal", "..\\..\\evil.pdf", files.PDF, STORED),
    AttachmentFile("long-name", "a" * 300 + ".pdf", files.PDF, STORED),
    # The multipart parser cuts the name at the line break: no extension left.
    AttachmentFile(
        "control-characters",
        "de\x07vis\r\n.pdf",
        files.PDF,
        REFUSED,
        pdf_only_outcome=STORED,
    ),
]


def _ids(cases):
    return [case.id for case in cases]


@dataclass(frozen=True)
class AttachmentPage:
    """A page that takes an attachment: who posts where, the file's field, the
    other fields, the models it writes, and the kinds it accepts."""

    url: Callable  # request → address
    person: str
    field: str
    models: tuple[str, ...]
    data: Callable = lambda request: {}
    pdf_only: bool = False


def _need_url(request):
    return reverse("needs:attachment_add", args=[request.getfixturevalue("need").pk])


def _funding_url(request):
    from crig.funding.models import FundingRequest
    from crig.funding.tests.factories import FundingRequestFactory

    draft = FundingRequestFactory(
        state=FundingRequest.State.DRAFT,
        applicant=request.getfixturevalue("organisation"),
        entered_by=request.getfixturevalue("member_user"),
        submitted_at=None,
    )
    return reverse("funding:attachment_add", args=[draft.pk])


def _news_url(request):
    item = request.getfixturevalue("news_item")
    return reverse("news:attachment_add", args=[item.pk])


def _update_url(request):
    return reverse("actionplan:update_add", args=[request.getfixturevalue("action").pk])


def _update_data(request):
    return {"dated": "2024-05-02", "body": "Marché notifié.", "progress": "50"}


ATTACHMENT_PAGES = {
    "needs:attachment_add": AttachmentPage(
        _need_url, "member_user", "file", ("needs.NeedAttachment",)
    ),
    "funding:attachment_add": AttachmentPage(
        _funding_url,
        "member_user",
        "file",
        ("funding.RequestAttachment", "funding.AuditEntry"),
        pdf_only=True,
    ),
    "news:attachment_add": AttachmentPage(
        _news_url, "secretariat_user", "file", ("news.NewsAttachment",)
    ),
    "actionplan:update_add": AttachmentPage(
        _update_url,
        "member_user",
        "attachment",
        ("actionplan.ProgressUpdate", "actionplan.ActionChange"),
        data=_update_data,
    ),
}


@pytest.fixture(autouse=True)
def _attachment_limit(settings):
    settings.NEEDS_ATTACHMENT_MAX_BYTES = LIMIT
    settings.FUNDING_ATTACHMENT_MAX_BYTES = LIMIT


def test_every_page_taking_an_attachment_is_in_the_corpus():
    # Every app's code that stores an attachment calls core.uploads or checks
    # the attachment limit; each of those modules' pages is in ATTACHMENT_PAGES.
    import crig

    package = Path(crig.__file__).parent
    found = {
        path.parts[len(package.parts)]
        for path in package.rglob("*.py")
        if "tests" not in path.parts
        and path.parts[-2:] != ("core", "uploads.py")
        and path.name != "settings.py"
        and (
            "attachment_check(" in path.read_text()
            or "ATTACHMENT_MAX_BYTES" in path.read_text()
        )
    }

    assert found == {name.split(":")[0] for name in ATTACHMENT_PAGES}


def _post(client, request, page, upload):
    target = ATTACHMENT_PAGES[page]
    client.force_login(request.getfixturevalue(target.person))
    url = target.url(request)
    data = {**target.data(request), target.field: upload}
    return client, url, data


def _errors(response) -> list[str]:
    messages = [
        str(message)
        for message in get_messages(response.wsgi_request)
        if message.level_tag == "error"
    ]
    context = response.context or {}
    for form in (context.get("update_form"),):
        if form is not None:
            messages += [
                str(error) for errors in form.errors.values() for error in errors
            ]
    return messages


REFUSED_CASES = [
    pytest.param(page, case, id=f"{page}-{case.id}")
    for page in ATTACHMENT_PAGES
    for case in ATTACHMENT_FILES
    if case.outcome_on(page) == REFUSED
]


@pytest.mark.parametrize(("page", "case"), REFUSED_CASES)
def test_hostile_attachment_is_refused_with_a_message_and_nothing_saved(
    client, request, nothing_saved, page, case
):
    client, url, data = _post(
        client, request, page, SimpleUploadedFile(case.name, case.data)
    )

    with nothing_saved(*ATTACHMENT_PAGES[page].models):
        response = client.post(url, data)

    assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.BAD_REQUEST)
    assert _errors(response), "no message says why the file was refused"


STORED_CASES = [
    pytest.param(page, case, id=f"{page}-{case.id}")
    for page in ATTACHMENT_PAGES
    for case in ATTACHMENT_FILES
    if case.outcome_on(page) == STORED
]


@pytest.mark.parametrize(("page", "case"), STORED_CASES)
def test_hostile_name_is_stored_under_a_safe_name_inside_media_root(
    client, request, settings, page, case
):
    from django.apps import apps

    client, url, data = _post(
        client, request, page, SimpleUploadedFile(case.name, case.data)
    )
    model = apps.get_model(ATTACHMENT_PAGES[page].models[0])._default_manager
    before = media_files()

    response = client.post(url, data)

    assert response.status_code == HTTPStatus.FOUND
    assert not _errors(response)
    assert model.count() == 1
    (stored,) = media_files() - before
    assert ".." not in stored
    assert "\\" not in stored
    assert (
        Path(settings.MEDIA_ROOT, stored)
        .resolve()
        .is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    )
    assert not Path("/tmp/crig-hostile").exists()  # noqa: S108
    assert len(Path(stored).name) <= 100
    if ATTACHMENT_PAGES[page].pdf_only:
        assert stored.endswith(".pdf")
        assert model.get().name.endswith(".pdf")


# --- Oversized request bodies -------------------------------------------------------


def test_body_over_data_upload_max_memory_size_is_a_clean_400(
    client, request, member_user, organisation, territory, settings, nothing_saved
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    client.force_login(member_user)

    with nothing_saved("needs.Need"):
        response = client.post(
            reverse("needs:create"),
            {
                "organisation": organisation.pk,
                "title": "Besoin",
                "theme": "lidar",
                "description": "x" * 200_000,
                "territory-communes": "31555",
            },
        )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Requête refusée" in response.content.decode()


def test_too_many_fields_is_a_clean_400(client, member_user, nothing_saved):
    client.force_login(member_user)
    data = {f"field{i}": "x" for i in range(1500)}

    with nothing_saved("needs.Need"):
        response = client.post(reverse("needs:create"), data)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Requête refusée" in response.content.decode()


def test_api_body_over_data_upload_max_memory_size_is_a_clean_400(
    client, member_user, settings, nothing_saved
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    client.force_login(member_user)

    with nothing_saved("needs.Need"):
        response = client.post(
            "/api/v1/needs",
            '{"title": "' + "x" * 200_000 + '"}',
            content_type="application/json",
        )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["message"]


@pytest.mark.parametrize("page", ATTACHMENT_PAGES)
def test_a_good_pdf_is_stored_so_the_refusals_can_fail(client, request, page):
    from django.apps import apps

    client, url, data = _post(
        client, request, page, SimpleUploadedFile("devis.pdf", files.PDF)
    )

    response = client.post(url, data)

    assert response.status_code == HTTPStatus.FOUND
    assert not _errors(response)
    assert apps.get_model(ATTACHMENT_PAGES[page].models[0]).objects.count() == 1
