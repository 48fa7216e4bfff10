"""Organisations: creation, updates, duplicates, perimeters."""

import json

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from crig.core.errors import Conflict, InvalidInput
from crig.members.geometry import outline_bbox, perimeter_outline
from crig.members.models import Organisation
from crig.members.search import normalise_for_search
from crig.territory.models import EPCI, Commune, Departement

ORGANISATION_FIELDS = (
    "name",
    "acronym",
    "siren",
    "category",
    "is_openig_member",
    "openig_member_since",
    "website",
    "description",
    "logo",
)


def _unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:200] or "organisation"
    slug, counter = base, 2
    taken = Organisation.objects.exclude(pk=exclude_pk)
    while taken.filter(slug=slug).exists():
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


def _check_not_duplicate(organisation: Organisation) -> None:
    others = Organisation.objects.exclude(pk=organisation.pk)
    if organisation.siren:
        same_siren = others.filter(siren=organisation.siren).first()
        if same_siren:
            raise Conflict(
                _("The SIREN %(siren)s is already used by %(name)s.")
                % {"siren": organisation.siren, "name": same_siren.name},
                field="siren",
            )
    same_name = others.filter(
        search_name=normalise_for_search(organisation.name)
    ).first()
    if same_name:
        raise Conflict(
            _("An organisation with this name already exists: %(name)s.")
            % {"name": same_name.name},
            field="name",
        )


def _normalise_organisation_fields(organisation: Organisation) -> None:
    organisation.name = " ".join((organisation.name or "").split())
    organisation.acronym = " ".join((organisation.acronym or "").split())
    organisation.siren = (organisation.siren or "").replace(" ", "") or None
    if not organisation.is_openig_member:
        organisation.openig_member_since = None


@transaction.atomic
def organisation_create(
    *,
    name: str,
    category: str,
    acronym: str = "",
    siren: str | None = None,
    is_openig_member: bool = False,
    openig_member_since: int | None = None,
    website: str = "",
    description: str = "",
    logo=None,
) -> Organisation:
    """Create an organisation; a second one with the same SIREN or name is refused.

    Raises ``Conflict`` for a duplicate, ``ValidationError`` for invalid fields.
    """
    organisation = Organisation(
        name=name,
        category=category,
        acronym=acronym,
        siren=siren,
        is_openig_member=is_openig_member,
        openig_member_since=openig_member_since,
        website=website,
        description=description,
    )
    if logo:
        organisation.logo = logo
    _normalise_organisation_fields(organisation)
    _check_not_duplicate(organisation)
    organisation.slug = _unique_slug(organisation.name)
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, **changes) -> Organisation:
    """Change an organisation's facts (``ORGANISATION_FIELDS``); the slug stays."""
    unknown = set(changes) - set(ORGANISATION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown organisation fields: {sorted(unknown)}")
    # Work on a fresh copy so that a refused change leaves the caller's object as is.
    updated = Organisation.objects.select_for_update().get(pk=organisation.pk)
    for field, value in changes.items():
        setattr(updated, field, value)
    _normalise_organisation_fields(updated)
    _check_not_duplicate(updated)
    updated.full_clean()
    updated.save()
    return updated


def _missing(codes: list[str], found: set[str]) -> list[str]:
    return sorted(set(codes) - found)


def _clean_codes(communes, epcis, departements):
    return (
        [code.strip() for code in communes if code.strip()],
        [code.strip() for code in epcis if code.strip()],
        [code.strip().upper() for code in departements if code.strip()],
    )


def _perimeter_lookup(communes, epcis, departements):
    """The codes found, or ``InvalidInput`` naming every unknown code."""
    found_communes = set(
        Commune.objects.filter(insee__in=communes).values_list("insee", flat=True)
    )
    found_epcis = dict(
        EPCI.objects.filter(siren__in=epcis).values_list("siren", "outline")
    )
    found_departements = dict(
        Departement.objects.filter(code__in=departements).values_list("code", "outline")
    )
    problems = []
    if unknown := _missing(communes, found_communes):
        problems.append(
            _("unknown communes: %(codes)s") % {"codes": ", ".join(unknown)}
        )
    if unknown := _missing(epcis, set(found_epcis)):
        problems.append(_("unknown EPCI: %(codes)s") % {"codes": ", ".join(unknown)})
    if unknown := _missing(departements, set(found_departements)):
        problems.append(
            _("unknown départements: %(codes)s") % {"codes": ", ".join(unknown)}
        )
    if problems:
        raise InvalidInput(
            _("The perimeter was not changed: %(problems)s.")
            % {"problems": "; ".join(problems)},
            field="perimeter",
        )
    return found_communes, found_epcis, found_departements


def organisation_check_perimeter(
    *, communes: list[str] = (), epcis: list[str] = (), departements: list[str] = ()
) -> None:
    """Raise ``InvalidInput`` naming the unknown codes, without changing anything."""
    _perimeter_lookup(*_clean_codes(communes, epcis, departements))


@transaction.atomic
def organisation_set_perimeter(
    *,
    organisation: Organisation,
    communes: list[str] = (),
    epcis: list[str] = (),
    departements: list[str] = (),
) -> int:
    """Replace the perimeter with these communes (INSEE codes), the communes of these
    EPCI (SIREN) and of these départements (codes). Returns the number of communes.

    Unknown codes are refused all together, with a message naming them.
    """
    communes, epcis, departements = _clean_codes(communes, epcis, departements)
    found_communes, found_epcis, found_departements = _perimeter_lookup(
        communes, epcis, departements
    )
    commune_codes = set(found_communes)
    commune_codes |= set(
        Commune.objects.filter(epci_id__in=found_epcis).values_list("insee", flat=True)
    )
    commune_codes |= set(
        Commune.objects.filter(departement_id__in=found_departements).values_list(
            "insee", flat=True
        )
    )
    organisation.perimeter.set(commune_codes)

    # The union is built from the largest pieces available: an EPCI's or a
    # département's outline is already the union of its communes, and merging 13
    # outlines is much cheaper than merging 4,453.
    pieces = [outline for outline in found_departements.values() if outline]
    covered = set(
        Commune.objects.filter(
            departement_id__in=[c for c, o in found_departements.items() if o]
        ).values_list("insee", flat=True)
    )
    pieces += [outline for outline in found_epcis.values() if outline]
    covered |= set(
        Commune.objects.filter(
            epci_id__in=[s for s, o in found_epcis.items() if o]
        ).values_list("insee", flat=True)
    )
    pieces += Commune.objects.filter(insee__in=commune_codes - covered).values_list(
        "outline", flat=True
    )
    outline = perimeter_outline(pieces)
    _store_perimeter_outline(organisation, outline)
    return len(commune_codes)


def _store_perimeter_outline(organisation: Organisation, outline: dict | None) -> None:
    bbox = outline_bbox(outline) if outline else (None, None, None, None)
    organisation.perimeter_outline = json.dumps(outline) if outline else ""
    (
        organisation.perimeter_min_lon,
        organisation.perimeter_min_lat,
        organisation.perimeter_max_lon,
        organisation.perimeter_max_lat,
    ) = bbox
    Organisation.objects.filter(pk=organisation.pk).update(
        perimeter_outline=organisation.perimeter_outline,
        perimeter_min_lon=bbox[0],
        perimeter_min_lat=bbox[1],
        perimeter_max_lon=bbox[2],
        perimeter_max_lat=bbox[3],
        updated_at=timezone.now(),
    )
