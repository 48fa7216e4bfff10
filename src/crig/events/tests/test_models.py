import pytest
from django.db import IntegrityError

from crig.events.models import Registration
from crig.events.tests.factories import RegistrationFactory


@pytest.mark.django_db
def test_one_live_registration_per_email_but_a_cancelled_one_does_not_block(event):
    RegistrationFactory(
        event=event, email="a@example.org", status=Registration.Status.CANCELLED
    )
    RegistrationFactory(event=event, email="a@example.org")

    with pytest.raises(IntegrityError):
        RegistrationFactory(event=event, email="a@example.org")
