"""The one place that decides which records a person may see, as querysets.

Mirrors ``catalog.view_dataset`` in ``rules.py`` for lists: every page, API
endpoint, export, feed and standards endpoint starts from these querysets.
"""

from django.db.models import Q, QuerySet

from crig.catalog.models import Dataset, Visibility


def datasets_visible_to(user) -> QuerySet[Dataset]:
    """Every record the person may open, whatever its status (withdrawn included)."""
    datasets = Dataset.objects.all()
    if user is None or not user.is_authenticated or not user.is_active:
        return datasets.filter(visibility=Visibility.PUBLIC)
    if user.is_superuser or user.is_secretariat:
        return datasets
    return datasets.filter(
        Q(visibility=Visibility.PUBLIC)
        | Q(created_by=user)
        | Q(producer__memberships__person=user)
    ).distinct()


def datasets_published_to(user) -> QuerySet[Dataset]:
    """What searches, the standards endpoints and exports list: visible and active."""
    return datasets_visible_to(user).filter(status=Dataset.Status.ACTIVE)


def sees_public_only(user) -> bool:
    """Whether ``datasets_published_to(user)`` is exactly the active public
    records (anonymous and inactive accounts)."""
    return user is None or not user.is_authenticated or not user.is_active


def datasets_not_public_and_active(using: str = "default") -> list[QuerySet[Dataset]]:
    """The records not both active and public, as querysets of ids whose union is
    all of them: four index ranges (below and above each value), so reading them
    costs what they hold, not the whole catalogue. Every other record is
    published to everyone."""
    records = Dataset.objects.using(using).order_by()
    active, public = Dataset.Status.ACTIVE, Visibility.PUBLIC
    return [
        records.filter(condition).values("pk")
        for condition in (
            Q(visibility__lt=public),
            Q(visibility__gt=public),
            Q(status__lt=active),
            Q(status__gt=active),
        )
    ]
