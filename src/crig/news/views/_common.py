"""What the news pages share: turning the services' errors into 404/403 pages,
and the links of an item that a person may open."""

from dataclasses import dataclass, field
from http import HTTPStatus

from crig.core.errors import CrigError
from crig.core.http import http_errors
from crig.news import selectors
from crig.news.models import NewsItem


def item_or_404(request, pk: int) -> NewsItem:
    with http_errors():
        return selectors.news_get(user=request.user, pk=pk)


def add_error(form, error: CrigError, territory_form=None) -> None:
    """A service's error on the field it names, in whichever form has it; an
    error on the territory above the territory picker; else on the form."""
    for candidate in (form, territory_form):
        if candidate is not None and error.field and error.field in candidate.fields:
            candidate.add_error(error.field, str(error.message))
            return
    if territory_form is not None and error.field in ("territory", "communes"):
        territory_form.add_error(None, str(error.message))
        return
    form.add_error(None, str(error.message))


def form_status(*forms) -> HTTPStatus:
    bound = [form for form in forms if form is not None and form.is_bound]
    if any(form.errors for form in bound):
        return HTTPStatus.BAD_REQUEST
    return HTTPStatus.OK


@dataclass(frozen=True)
class ItemLinks:
    """The platform objects an item links to that the reader may open, each
    through its module's visibility selector: an item written for one audience
    may link to something another reader may not see (a members-only dataset,
    a draft need), which is then left out, not even counted."""

    datasets: list = field(default_factory=list)
    needs: list = field(default_factory=list)
    opinions: list = field(default_factory=list)
    actions: list = field(default_factory=list)
    events: list = field(default_factory=list)

    def __bool__(self) -> bool:
        return any(
            (self.datasets, self.needs, self.opinions, self.actions, self.events)
        )


def item_links(*, user, item: NewsItem) -> ItemLinks:
    from crig.actionplan.models import Action
    from crig.actionplan.selectors import plans_visible_to
    from crig.catalog.selectors.visibility import datasets_visible_to
    from crig.events.selectors import events_visible_to
    from crig.funding.selectors.register import register_list
    from crig.needs.selectors.needs import needs_visible_to

    return ItemLinks(
        datasets=list(
            datasets_visible_to(user)
            .filter(pk__in=item.datasets.values("pk"))
            .order_by("title", "pk")
        ),
        needs=list(
            needs_visible_to(user)
            .filter(pk__in=item.needs.values("pk"))
            .order_by("title", "pk")
        ),
        # The register: an opinion is public once published, whoever reads.
        opinions=list(
            register_list()
            .filter(pk__in=item.opinions.values("pk"))
            .select_related("request")
            .order_by("pk")
        ),
        actions=list(
            Action.objects.filter(
                pk__in=item.actions.values("pk"),
                plan__in=plans_visible_to(user).values("pk"),
            )
            .select_related("plan")
            .order_by("plan__year", "pk")
        ),
        events=list(
            events_visible_to(user)
            .filter(pk__in=item.events.values("pk"))
            .order_by("starts_at", "pk")
        ),
    )
