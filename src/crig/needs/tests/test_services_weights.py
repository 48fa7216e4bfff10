"""Publishing the weights of the priority score."""

import pytest

from crig.core.errors import InvalidInput, PermissionDenied
from crig.needs import services
from crig.needs.models import ScoringWeights

pytestmark = pytest.mark.django_db

WEIGHTS = {
    "supporters": 4,
    "population": 2,
    "area": 0,
    "coverage_gap": 3,
    "urgency": 1,
    "cofunding": 10,
    "plan_fit": 2,
}


def test_the_secretariat_publishes_weights_and_keeps_the_previous_ones(
    secretariat_user,
):
    first = services.weights_publish(actor=secretariat_user, weights=WEIGHTS)

    second = services.weights_publish(
        actor=secretariat_user,
        weights=WEIGHTS | {"area": 5},
        note="  Le comité a relevé la surface. ",
    )

    second.refresh_from_db()
    assert second.as_dict() == WEIGHTS | {"area": 5}
    assert second.note == "Le comité a relevé la surface."
    assert second.published_by == secretariat_user
    assert ScoringWeights.objects.count() == 2
    assert ScoringWeights.objects.first() == second
    assert first.as_dict() == WEIGHTS


@pytest.mark.parametrize(
    "role", ["plain_user", "member_user", "referent_user", "reviewer_user"]
)
def test_only_the_secretariat_publishes_weights(request, role):
    person = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied) as raised:
        services.weights_publish(actor=person, weights=WEIGHTS)
    assert raised.value.message == "Seul le secrétariat peut publier les poids."
    assert not ScoringWeights.objects.exists()


def test_an_administrator_publishes_weights(admin_user):
    assert services.weights_publish(actor=admin_user, weights=WEIGHTS).pk


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (
            WEIGHTS | {"area": 11},
            "Le poids de « surface concernée » doit être compris entre 0 et 10.",
        ),
        (
            WEIGHTS | {"urgency": -1},
            "Le poids de « urgence » doit être compris entre 0 et 10.",
        ),
        (
            WEIGHTS | {"urgency": 1.5},
            "Le poids de « urgence » doit être un nombre entier.",
        ),
        (
            WEIGHTS | {"urgency": True},
            "Le poids de « urgence » doit être un nombre entier.",
        ),
        (
            dict.fromkeys(WEIGHTS, 0),
            "Au moins un poids doit être supérieur à 0.",
        ),
        (
            {k: v for k, v in WEIGHTS.items() if k != "plan_fit"},
            "Il manque un poids pour : plan_fit.",
        ),
        (WEIGHTS | {"beauty": 3}, "Critères inconnus : beauty."),
    ],
)
def test_invalid_weights_are_refused(secretariat_user, weights, message):
    with pytest.raises(InvalidInput) as raised:
        services.weights_publish(actor=secretariat_user, weights=weights)
    assert raised.value.message == message
    assert not ScoringWeights.objects.exists()
