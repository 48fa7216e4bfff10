"""The funding demo: written through the services on the real territory after the
members, catalogue and needs demos; every stage of the review, a published
opinion with the four signatories' positions and a recusal, a corrected opinion,
the LIDAR overlaps the analysis flags; idempotent; safe with e-mails."""

import io
from collections import Counter

import pytest
from django.core import mail
from django.utils import timezone

from crig.catalog import demo as catalog_demo
from crig.funding import demo
from crig.funding.models import (
    AuditEntry,
    FundingRequest,
    Opinion,
    Programme,
    RequestAttachment,
    ReviewerSeat,
    SignatoryPosition,
)
from crig.funding.selectors.analysis import request_analysis
from crig.funding.selectors.register import register_list
from crig.members import demo as members_demo
from crig.members.models import Membership, ReviewerAssignment, Signatory, User
from crig.needs import demo as needs_demo

State = FundingRequest.State


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Programme,
            FundingRequest,
            ReviewerSeat,
            SignatoryPosition,
            Opinion,
            AuditEntry,
            RequestAttachment,
            User,
            Membership,
            ReviewerAssignment,
        )
    }


@pytest.fixture
def loaded(territory):
    for module in (members_demo, catalog_demo, needs_demo):
        module.load_demo(stdout=io.StringIO())
    output = io.StringIO()
    report = demo.load_demo(stdout=output)
    return report, output.getvalue()


def _request(key: str) -> FundingRequest:
    spec = next(spec for spec in demo.REQUESTS if spec.key == key)
    return FundingRequest.objects.get(title=spec.title)


def _user(email: str) -> User:
    return User.objects.get(email=email)


def test_every_stage_of_the_review_is_there(loaded):
    report, output = loaded

    assert (report.programmes, report.requests_created, report.requests) == (6, 12, 12)
    assert "6 funding programmes" in output
    assert Counter(FundingRequest.objects.values_list("state", flat=True)) == {
        "draft": 2,
        "submitted": 1,
        "admissible": 1,
        "inadmissible": 1,
        "under_review": 2,
        "opinion_issued": 1,
        "published": 3,
        "withdrawn": 1,
    }
    assert set(
        Programme.objects.values_list("signatory__organisation__name", flat=True)
    ) == {
        "Préfecture de la région Occitanie",
        "Région Occitanie",
        "IGN Occitanie",
        "OPenIG",
    }
    # Submitted requests got their references; drafts have none.
    assert (
        not FundingRequest.objects.exclude(state=State.DRAFT)
        .filter(reference=None)
        .exists()
    )
    assert FundingRequest.objects.filter(state=State.DRAFT, reference=None).count() == 2
    # Reasons are kept for the inadmissible and the withdrawn request.
    assert _request("licences-narbonne").state_reason.startswith("Hors du champ")
    assert _request("ortho-albi").state_reason == (
        "La ville finance seule la prise de vues du centre historique."
    )
    # The members demo's member entered the PCRS of Toulouse Métropole.
    assert _request("pcrs-toulouse").entered_by.email == "membre@demo.crig.example"
    assert _request("pcrs-toulouse").attachments.count() == 1


def test_a_published_opinion_with_four_positions_a_recusal_and_two_versions(loaded):
    aubrac = _request("adresses-aubrac")

    [v1, v2] = aubrac.opinions.order_by("version")
    assert (v1.version, v2.version, v2.supersedes_id) == (1, 2, v1.pk)
    assert v1.published_at is not None
    assert v2.published_at is not None
    assert v2.correction_note.startswith("Correction de la date limite")
    year = timezone.localdate().year
    assert f"avant le 31 décembre {year} ;" in v1.conditions
    assert f"avant le 31 décembre {year + 1} ;" in v2.conditions
    assert [p["signatory"] for p in v2.positions] == [
        "Préfecture de la région Occitanie",
        "Région Occitanie",
        "IGN Occitanie",
        "OPenIG",
    ]
    assert v2.recusals == [
        {
            "signatory_id": Signatory.objects.get(organisation__name="OPenIG").pk,
            "signatory": "OPenIG",
            "reviewer": "Régis Récusé",
        }
    ]
    # The platform suggested the conflicts: the Région co-funds the project.
    seats = {
        seat.reviewer.email: seat
        for seat in aubrac.reviewer_seats.select_related("reviewer")
    }
    recused = seats["relecteur.openig.region@demo.crig.example"]
    assert (recused.conflict, recused.conflict_suggested) == ("conflict", True)
    rita = seats["relecteur@demo.crig.example"]
    assert (rita.conflict, rita.conflict_suggested) == ("none", True)
    # The register lists the latest published version of each published request.
    assert register_list().filter(request=aubrac).get() == v2
    assert register_list().count() == 3
    # Every published request carries the positions of the four signatories.
    for request in FundingRequest.objects.filter(state=State.PUBLISHED):
        assert request.positions.count() == 4
    # The audit trail tells the whole story, from creation to correction.
    actions = list(aubrac.audit_entries.values_list("action", flat=True))
    assert actions[:3] == [
        "request_create",
        "request_submit",
        "request_decide_admissibility",
    ]
    assert {"conflict_declare", "position_record", "opinion_issue"} <= set(actions)
    assert actions[-2:] == ["opinion_publish", "opinion_correct"]


def test_the_demo_reviewer_has_a_seat_at_every_step(loaded):
    rita = _user("relecteur@demo.crig.example")

    seats = {
        seat.request.title: seat.conflict
        for seat in ReviewerSeat.objects.filter(reviewer=rita).select_related("request")
    }
    # To declare on the PCRS of Toulouse Métropole, then to record the Région's
    # position on the Montpellier orthophoto.
    assert seats[_request("pcrs-toulouse").title] == "undeclared"
    montpellier = _request("ortho-montpellier")
    assert seats[montpellier.title] == "none"
    assert rita.has_perm("funding.record_position", montpellier)
    assert not montpellier.positions.filter(
        signatory__organisation__name="Région Occitanie"
    ).exists()
    assert montpellier.positions.count() == 3


def test_the_analysis_flags_existing_lidar_and_the_overlapping_request(loaded):
    gaves = _request("lidar-gaves")
    lourdes = _request("lidar-lourdes")
    secretariat = _user("secretariat@demo.crig.example")

    analysis = request_analysis(user=secretariat, request=gaves)

    # The catalogue demo's LIDAR HD blocks of 2021 and 2022 already cover most
    # of these communes.
    coverage = analysis.coverage
    assert coverage.referentiel == "lidar"
    assert 0.5 < coverage.covered_share < 1
    assert {d.year for d in coverage.datasets} == {2021, 2022}
    assert all(d.title.startswith("[Démo] LIDAR HD") for d in coverage.datasets)
    assert Counter(c.status for c in coverage.communes)["covered"] > 10
    # Lourdes is in both requests.
    [overlap] = analysis.overlaps
    assert (overlap.request, overlap.shared_communes, overlap.public_only) == (
        lourdes,
        1,
        False,
    )
    assert "LIDAR HD des Pyrénées pour les risques naturels" in [
        item.need.title for item in analysis.needs
    ]
    # The applicant of the other request sees the published one by its public
    # part only; the public sees nothing of the submitted one.
    tlp_member = lourdes.entered_by
    [seen] = request_analysis(user=tlp_member, request=lourdes).overlaps
    assert (seen.request.pk, seen.public_only, seen.request.description) == (
        gaves.pk,
        True,
        "",
    )
    assert request_analysis(user=None, request=gaves).overlaps == []


def test_a_second_run_changes_nothing(loaded):
    before = _counts()
    output = io.StringIO()

    report = demo.load_demo(stdout=output)

    assert report.requests_created == 0
    assert "(0 created)" in output.getvalue()
    assert _counts() == before


def test_the_notifications_go_to_demo_addresses_only(
    territory, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for module in (members_demo, catalog_demo, needs_demo):
        module.load_demo(stdout=io.StringIO())

    with django_capture_on_commit_callbacks(execute=True):
        demo.load_demo(stdout=io.StringIO())

    recipients = {address for message in mail.outbox for address in message.to}
    assert recipients
    assert all(address.endswith("@demo.crig.example") for address in recipients)


def test_finished_requests_belong_to_2024_and_2025_and_pending_ones_to_now(loaded):
    this_year = timezone.localdate().year
    finished = FundingRequest.objects.filter(
        state__in=["published", "opinion_issued", "inadmissible", "withdrawn"]
    )
    pending = FundingRequest.objects.filter(
        state__in=["submitted", "admissible", "under_review"]
    )

    assert {r.submitted_at.year for r in finished} == {2024, 2025}
    assert all(r.reference[4:8] == str(r.submitted_at.year) for r in finished)
    assert {r.submitted_at.year for r in pending} == {this_year}
    assert all(
        entry.at.year in (2024, 2025)
        for r in finished
        for entry in r.audit_entries.all()
    )
    assert {o.adopted_on.year for o in Opinion.objects.all()} <= {2024, 2025}
