"""``crig funding remind``, read in French as an operator sees it."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from crig.funding.models import FundingRequest


def _remind(*args) -> str:
    out = StringIO()
    call_command("funding", "remind", *args, stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def due(funding_request, cleared_reviewer_user):
    FundingRequest.objects.filter(pk=funding_request.pk).update(
        state=FundingRequest.State.UNDER_REVIEW,
        review_deadline=timezone.localdate() + datetime.timedelta(days=2),
    )
    return funding_request


def test_remind_sends_and_says_how_many(due):
    assert _remind() == "1 relance envoyée."
    assert mail.outbox[0].to == ["reviewer@example.org"]
    assert mail.outbox[0].subject == (
        "[CRIG Occitanie] Relance : la position de Région Occitanie sur "
        f"{due.reference}"
    )
    assert "L’échéance est le" in mail.outbox[0].body


def test_remind_twice_the_same_day_sends_nothing_more(due):
    _remind()

    assert _remind() == "0 relance envoyée."
    assert len(mail.outbox) == 1


def test_remind_on_a_given_day(due):
    later = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    _remind()

    assert _remind("--today", later) == "1 relance envoyée."
    assert "L’échéance était le" in mail.outbox[1].body


def test_remind_with_a_bad_date_is_an_error(db):
    with pytest.raises(CommandError, match="« demain » n’est pas une date"):
        _remind("--today", "demain")
