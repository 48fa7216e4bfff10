"""What the needs services share: permission checks, validation of the fields a
person fills in, the storage of a territory, the consolidated territory of a need,
and the history."""

import json

from django.db import transaction
from django.utils.translation import gettext as _

from crig.core.errors import InvalidInput, PermissionDenied
from crig.members.geometry import perimeter_outline
from crig.members.models import Membership
from crig.needs.models import Need, NeedCommune, NeedEvent, Support, SupportCommune
from crig.territory.models import Commune
from crig.territory.selection import TerritorySelection

# The consolidated outline is drawn on maps; simplifying to about 10 m keeps it
# faithful at commune scale while uniting dozens of outlines stays cheap.
CONSOLIDATED_TOLERANCE_DEGREES = 0.0001
# The largest value every database keeps in a PositiveIntegerField.
MAX_COFUNDING_EUROS = 2_147_483_647


def require(user, perm: str, obj, message) -> None:
    """``PermissionDenied`` with ``message`` unless ``user`` has ``perm`` on ``obj``."""
    if user is None or not user.has_perm(perm, obj):
        raise PermissionDenied(message)


def require_membership(user, organisation, message) -> None:
    if not Membership.objects.filter(person=user, organisation=organisation).exists():
        raise PermissionDenied(message)


def check_cofunding(minimum: int | None, maximum: int | None) -> None:
    for value, field in ((minimum, "cofunding_min"), (maximum, "cofunding_max")):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInput(
                _("A co-funding amount must be a whole number of euros."), field=field
            )
        if value < 0:
            raise InvalidInput(
                _("A co-funding amount cannot be negative."), field=field
            )
        if value > MAX_COFUNDING_EUROS:
            raise InvalidInput(_("This co-funding amount is too large."), field=field)
    if minimum is not None and maximum is not None and minimum > maximum:
        raise InvalidInput(
            _("The co-funding range is reversed: “from” is above “up to”."),
            field="cofunding_max",
        )


def store_territory(owner, selection: TerritorySelection) -> None:
    """Write the selection on a need or a support: the outline fields and one
    commune row per INSEE code with its share. The owner must be saved."""
    # Shares come from area ratios: clamp the float noise above 1, and leave out
    # communes the territory does not actually reach.
    shares = {
        insee: min(float(share), 1.0)
        for insee, share in selection.communes.items()
        if share > 0
    }
    if not shares or not selection.outline:
        raise InvalidInput(_("The territory is empty."), field="territory")
    known = set(
        Commune.objects.filter(insee__in=list(shares)).values_list("insee", flat=True)
    )
    unknown = sorted(set(shares) - known)
    if unknown:
        raise InvalidInput(
            _("Unknown commune codes: %(codes)s.") % {"codes": ", ".join(unknown)},
            field="territory",
        )
    owner.outline = json.dumps(selection.outline, separators=(",", ":"))
    owner.min_lon, owner.min_lat, owner.max_lon, owner.max_lat = selection.bbox
    owner.area_km2 = selection.area_km2
    owner.population = selection.population
    owner.territory_description = (selection.description or "")[:300]
    owner.save()
    if isinstance(owner, Need):
        link_model, owner_field = NeedCommune, "need"
    else:
        link_model, owner_field = SupportCommune, "support"
    link_model.objects.filter(**{owner_field: owner}).delete()
    link_model.objects.bulk_create(
        [
            link_model(**{owner_field: owner}, commune_id=insee, fraction=share)
            for insee, share in sorted(shares.items())
        ]
    )


def copy_territory(source, target) -> None:
    """Give ``target`` (a saved need or support) the territory of ``source``."""
    for name in (
        "outline",
        "min_lon",
        "min_lat",
        "max_lon",
        "max_lat",
        "area_km2",
        "population",
        "territory_description",
    ):
        setattr(target, name, getattr(source, name))
    target.save()
    links = source.commune_links.values_list("commune_id", "fraction")
    if isinstance(target, Need):
        NeedCommune.objects.filter(need=target).delete()
        NeedCommune.objects.bulk_create(
            [NeedCommune(need=target, commune_id=c, fraction=f) for c, f in links]
        )
    else:
        SupportCommune.objects.filter(support=target).delete()
        SupportCommune.objects.bulk_create(
            [SupportCommune(support=target, commune_id=c, fraction=f) for c, f in links]
        )


def consolidate(need: Need) -> None:
    """Recompute the union of the need's territory and its supports' territories:
    the outline (for maps), and the area and population from the communes (each
    counted once, with the largest share any of the territories gives it)."""
    from crig.needs.selectors.needs import need_consolidated_communes

    outlines = [need.outline] + list(
        Support.objects.filter(need=need)
        .exclude(outline="")
        .values_list("outline", flat=True)
    )
    outlines = [text for text in outlines if text]
    if len(set(outlines)) <= 1:
        need.consolidated_outline = outlines[0] if outlines else ""
    else:
        union = perimeter_outline(outlines, tolerance=CONSOLIDATED_TOLERANCE_DEGREES)
        need.consolidated_outline = (
            json.dumps(union, separators=(",", ":")) if union else ""
        )
    shares = need_consolidated_communes(need)
    area = 0.0
    population = 0.0
    for insee, commune_area, commune_population in Commune.objects.filter(
        insee__in=list(shares)
    ).values_list("insee", "area_km2", "population"):
        area += shares[insee] * (commune_area or 0.0)
        population += shares[insee] * commune_population
    need.consolidated_area_km2 = round(area, 3) if shares else None
    need.consolidated_population = round(population)
    need.save(
        update_fields=[
            "consolidated_outline",
            "consolidated_area_km2",
            "consolidated_population",
            "updated_at",
        ]
    )


def record(
    need: Need,
    kind: str,
    *,
    actor,
    message: str = "",
    from_state: str = "",
    to_state: str = "",
    related_need: Need | None = None,
    notify: bool = False,
) -> NeedEvent:
    """One history entry; with ``notify``, the people involved are e-mailed about
    it once the transaction commits."""
    event = NeedEvent.objects.create(
        need=need,
        kind=kind,
        actor=actor if actor is not None and actor.is_authenticated else None,
        message=message,
        from_state=from_state,
        to_state=to_state,
        related_need=related_need,
    )
    if notify:
        from crig.needs.tasks import need_event_notify_task

        event_id = event.pk
        transaction.on_commit(lambda: need_event_notify_task.enqueue(event_id))
    return event
