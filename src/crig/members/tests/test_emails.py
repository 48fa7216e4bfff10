import smtplib
from unittest import mock

import pytest
from django.core.mail.backends.locmem import EmailBackend

from crig.core.errors import DeliveryFailed
from crig.members import services
from crig.members.models import Invitation


def test_invitation_email_in_french(organisation, referent_user, mailoutbox):
    services.invitation_create(
        invited_by=referent_user,
        email="nina@example.org",
        organisation=organisation,
        role="referent",
    )

    (message,) = mailoutbox
    assert message.to == ["nina@example.org"]
    assert message.subject == (
        "Invitation à rejoindre Conseil départemental de la Haute-Garonne sur la "
        "plateforme du CRIG Occitanie"
    )
    assert message.body.startswith("Bonjour,\n\n")
    assert (
        "Rémi Référent vous invite à rejoindre Conseil départemental de la "
        "Haute-Garonne sur la plateforme du CRIG Occitanie, en tant que référent."
    ) in message.body
    assert "Le lien est valable 14 jours." in message.body
    assert "http://127.0.0.1:8000/invitation/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Accepter l'invitation" in html


def test_invitation_link_opens_the_accept_page(
    client, organisation, referent_user, mailoutbox, settings
):
    services.invitation_create(
        invited_by=referent_user, email="nina@example.org", organisation=organisation
    )
    link = next(
        line for line in mailoutbox[0].body.splitlines() if "/invitation/" in line
    )

    response = client.get(link.removeprefix("http://127.0.0.1:8000"))

    assert response.status_code == 200
    assert response.context["invitation"].email == "nina@example.org"


class UnreachableBackend(EmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connection refused"),
        smtplib.SMTPServerDisconnected("gone"),
        TimeoutError("timed out"),
    ],
)
def test_unreachable_smtp_server_saves_nothing(organisation, referent_user, error):
    with (
        mock.patch.object(EmailBackend, "send_messages", side_effect=error),
        pytest.raises(DeliveryFailed) as excinfo,
    ):
        services.invitation_create(
            invited_by=referent_user,
            email="nina@example.org",
            organisation=organisation,
        )

    assert str(excinfo.value.message) == (
        "Le courriel d'invitation n'a pas pu être envoyé : le serveur de messagerie "
        "n'a pas répondu. Rien n'a été enregistré ; veuillez réessayer plus tard."
    )
    assert excinfo.value.status_code == 503
    assert not Invitation.objects.exists()


def test_unreachable_smtp_server_shows_a_french_message_on_the_page(
    client, organisation, referent_user, settings
):
    settings.EMAIL_BACKEND = f"{__name__}.UnreachableBackend"
    client.force_login(referent_user)

    response = client.post(
        f"/membres/{organisation.slug}/inviter/",
        {"email": "nina@example.org", "role": "member"},
    )

    assert response.status_code == 503
    assert "le serveur de messagerie n&#x27;a pas répondu" in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_real_smtp_connection_to_a_closed_port_is_reported(
    organisation, referent_user, settings
):
    """No mock: the SMTP backend against a port where nothing listens."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9  # discard; nothing listens on it in the test machine
    settings.EMAIL_TIMEOUT = 2

    with pytest.raises(DeliveryFailed):
        services.invitation_create(
            invited_by=referent_user,
            email="nina@example.org",
            organisation=organisation,
        )

    assert not Invitation.objects.exists()
