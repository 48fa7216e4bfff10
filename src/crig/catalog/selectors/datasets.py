"""Reads of one catalogue record for its page and the API: the record with what
it links to, and the communes it covers."""

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from crig.catalog.models import CommuneCoverage, Dataset, Provenance
from crig.catalog.rules import is_staff_role
from crig.catalog.selectors.visibility import datasets_visible_to
from crig.core.errors import NotFound


def dataset_for(user, pk: int) -> Dataset:
    """A record ``user`` may open (withdrawn ones included), with its keywords,
    distributions, provenance and producer loaded; ``NotFound`` otherwise, so a
    restricted record looks the same as a missing one."""
    dataset = (
        datasets_visible_to(user)
        .select_related("producer")
        .prefetch_related(
            "keywords",
            "distributions",
            Prefetch(
                "provenances",
                queryset=Provenance.objects.select_related("source")
                .defer("document")
                .order_by("origin", "pk"),
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if dataset is None:
        raise NotFound(_("No such dataset."))
    return dataset


def may_read_source_documents(user) -> bool:
    """The verbatim documents of the platforms are for the secretariat and
    administrators (they may hold contact details the record leaves out)."""
    return bool(user is not None and is_staff_role(user))


def provenance_document(user, dataset_pk: int, provenance_pk: int) -> Provenance:
    """A provenance with its verbatim document, for the staff only."""
    if not may_read_source_documents(user):
        raise NotFound(_("No such document."))
    provenance = Provenance.objects.filter(
        pk=provenance_pk, dataset_id=dataset_pk
    ).first()
    if provenance is None:
        raise NotFound(_("No such document."))
    return provenance


def dataset_communes(dataset: Dataset) -> QuerySet[CommuneCoverage]:
    """The communes the record covers, most covered first."""
    return (
        CommuneCoverage.objects.filter(dataset=dataset)
        .select_related("commune")
        .only("fraction", "commune__insee", "commune__name", "commune__departement_id")
        .order_by("-fraction", "commune__name", "commune__insee")
    )
