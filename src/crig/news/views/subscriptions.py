"""A person's own subscription (settings page and a preview of the digest), the
one-click unsubscribe link of the e-mails, and the digest preview.

A person sees and changes only their own subscription: no page takes a person
or a subscription id, except the digest preview, where the secretariat may name
anyone (``news.view_deliveries``).
"""

from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from crig.core.errors import CrigError
from crig.news import selectors, services
from crig.news.forms import DigestPreviewForm, SubscriptionForm
from crig.news.models import Subscription
from crig.news.views._common import add_error, form_status
from crig.territory.forms import TerritoryInputForm


def _own_subscription(person) -> Subscription | None:
    return (
        Subscription.objects.filter(person=person).prefetch_related("communes").first()
    )


def digest_groups(entries) -> list[dict]:
    """Entries grouped by topic, in the order of the topics' choices."""
    groups = []
    for topic, label in Subscription.Topic.choices:
        rows = [entry for entry in entries if entry.topic == topic]
        if rows:
            groups.append({"topic": topic, "label": label, "entries": rows})
    return groups


def last_period_context(person, frequency: str) -> dict:
    """What the subscription would have brought over the last full period of its
    frequency (a day or a week until now), whatever was sent: the settings
    page's answer to "what will I get with these choices?"."""
    end = timezone.now()
    start = end - selectors.DIGEST_WINDOWS[frequency]
    entries = selectors.digest_entries(person=person, start=start, end=end)
    return {"start": start, "end": end, "groups": digest_groups(entries)}


def digest_preview_context(
    person, frequency: str, *, subscription: Subscription | None, own: bool
) -> dict:
    """The person's next digest of ``frequency`` as if it were sent now: its
    period (``selectors.digest_period``: from the last one sent), its entries and
    the e-mail itself. Nothing is recorded or sent."""
    start, end = selectors.digest_period(person=person, frequency=frequency)
    entries = selectors.digest_entries(person=person, start=start, end=end)
    email = None
    if entries and subscription is not None:
        email = selectors.digest_render(
            person=person,
            frequency=frequency,
            start=start,
            end=end,
            items=[selectors.entry_record(entry) for entry in entries],
            # Another person's unsubscribe link would let the reader stop their
            # e-mails: the secretariat's preview shows a dead one.
            unsubscribe_url=(
                services.subscription_unsubscribe_url(subscription) if own else "#"
            ),
        )
    return {
        "start": start,
        "end": end,
        "entries": entries,
        "groups": digest_groups(entries),
        "email": email,
    }


@login_required
def subscriptions(request):
    person = request.user
    subscription = _own_subscription(person)
    form = SubscriptionForm(request.POST or None, subscription=subscription)
    posted = request.method == "POST"
    territory_form = TerritoryInputForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        prefix="territory",
        required=False,
    )
    if posted:
        form_valid = form.is_valid()
        territory_valid = territory_form.is_valid()
        if form_valid and territory_valid:
            selection = territory_form.cleaned_data.get("selection")
            territory = form.cleaned_data["territory"]
            has_communes = subscription is not None and subscription.communes.exists()
            if (
                territory == SubscriptionForm.TERRITORY_CHOSEN
                and selection is None
                and not has_communes
            ):
                territory_form.add_error(
                    None,
                    _(
                        "Choose at least one commune, EPCI or département below, "
                        "or another territory above."
                    ),
                )
            else:
                chosen = territory == SubscriptionForm.TERRITORY_CHOSEN
                try:
                    services.subscription_update(
                        person=person,
                        themes=form.cleaned_data["themes"],
                        topics=form.cleaned_data["topics"],
                        frequency=form.cleaned_data["frequency"],
                        use_organisation_perimeter=(
                            territory == SubscriptionForm.TERRITORY_ORGANISATIONS
                        ),
                        territory=selection if chosen else None,
                        active=form.cleaned_data["active"],
                        # The whole region: the communes picked before go.
                        clear_territory=territory == SubscriptionForm.TERRITORY_REGION,
                    )
                except CrigError as error:
                    add_error(form, error, territory_form)
                else:
                    for note in getattr(selection, "notes", None) or ():
                        messages.info(request, note)
                    messages.success(request, _("Your subscription has been saved."))
                    return redirect("news:subscriptions")
    frequency = (
        subscription.frequency if subscription else Subscription.Frequency.WEEKLY
    )
    return render(
        request,
        "news/subscriptions.html",
        {
            "form": form,
            "territory_form": territory_form,
            "subscription": subscription,
            "communes": (
                list(subscription.communes.order_by("name")[:30])
                if subscription
                else []
            ),
            "commune_count": subscription.communes.count() if subscription else 0,
            "has_organisation": person.memberships.exists(),
            "preview": (
                last_period_context(person, frequency)
                if subscription and subscription.active
                else None
            ),
            "frequency_label": Subscription.Frequency(frequency).label,
        },
        status=form_status(form, territory_form),
    )


@login_required
def digest_preview(request):
    """What the person's daily or weekly digest would hold if it were sent now;
    the secretariat may look at anyone's (to answer "why did I get this?")."""
    may_choose = request.user.has_perm("news.view_deliveries")
    form = DigestPreviewForm(request.GET or None, may_choose_person=may_choose)
    person = request.user
    frequency = ""
    if form.is_bound and form.is_valid():
        person = form.cleaned_data.get("person") or request.user
        frequency = form.cleaned_data.get("frequency") or ""
    subscription = _own_subscription(person)
    if not frequency:
        frequency = (
            subscription.frequency if subscription else Subscription.Frequency.WEEKLY
        )
    return render(
        request,
        "news/digest_preview.html",
        {
            "form": form,
            "person": person,
            "own": person == request.user,
            "subscription": subscription,
            "frequency_label": Subscription.Frequency(frequency).label,
            **digest_preview_context(
                person,
                frequency,
                subscription=subscription,
                own=person == request.user,
            ),
        },
        status=form_status(form),
    )


# A mail client's one-click unsubscribe (RFC 8058) POSTs
# "List-Unsubscribe=One-Click" to this address from outside any session, so it
# cannot carry a CSRF token. The CSRF check is waived for this view only, and
# safely: the signed token in the address is itself the proof that the request
# comes from the e-mail's recipient, and the only thing it can do is stop that
# person's e-mails. GET never changes anything (it shows the confirm button,
# since link checkers and previews follow links).
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    if request.method == "GET":
        return render(request, "news/unsubscribe.html", {"token": token})
    try:
        subscription = services.subscription_unsubscribe(token=token)
    except CrigError as error:
        return render(
            request,
            "news/unsubscribe.html",
            {"token": token, "error": error.message},
            status=HTTPStatus.BAD_REQUEST,
        )
    return render(
        request,
        "news/unsubscribe.html",
        {"token": token, "done": True, "subscription": subscription},
    )


routes = [
    path("mon-compte/abonnements/", subscriptions, name="subscriptions"),
    path("actualites/resume/", digest_preview, name="digest_preview"),
    path("desabonnement/<str:token>/", unsubscribe, name="unsubscribe"),
]
