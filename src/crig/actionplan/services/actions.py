"""Actions: creation, edition, deletion (drafts only), links to the other modules.

**Milestones and indicators on edit.** ``action_update`` takes the whole list of
each: a milestone is matched to an existing one by its title, an indicator by its
name, so that their ids (used by ``milestone_mark_done`` and
``indicator_set_current``) survive an edit; the others are created, and those no
longer listed are removed.

**Links.** ``action_link`` replaces, for each kind given, the items linked. Only
items the actor may open count: an id the actor cannot see is refused exactly
like an id that does not exist (the message names them all, nothing changes), and
a link the actor cannot see, made by someone who could, is kept as it is: nobody
removes what they cannot see.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from crig.actionplan.models import Action, Indicator, Milestone, Plan
from crig.actionplan.services._common import (
    check_amount,
    check_progress,
    check_status,
    record,
    require,
)
from crig.actionplan.services.data import ActionData, IndicatorData, MilestoneData
from crig.core.errors import InvalidInput
from crig.members.models import Organisation, Signatory
from crig.needs.models import Theme


@dataclass(frozen=True)
class _Clean:
    fields: dict
    leads: list[Organisation]
    partners: list[Organisation]
    milestones: list[MilestoneData]
    indicators: list[IndicatorData]


def _organisations(ids, *, field: str) -> list[Organisation]:
    wanted = []
    for value in ids or []:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInput(_("Unknown organisation."), field=field)
        if value not in wanted:
            wanted.append(value)
    found = Organisation.objects.in_bulk(wanted)
    missing = [str(pk) for pk in wanted if pk not in found]
    if missing:
        raise InvalidInput(
            _("Unknown organisations: %(ids)s.") % {"ids": ", ".join(missing)},
            field=field,
        )
    return [found[pk] for pk in wanted]


def _clean_milestones(milestones) -> list[MilestoneData]:
    cleaned = []
    for milestone in milestones or []:
        title = (milestone.title or "").strip()
        if not title:
            raise InvalidInput(_("Give every milestone a title."), field="milestones")
        if len(title) > Milestone._meta.get_field("title").max_length:
            raise InvalidInput(
                _("A milestone's title is too long (200 characters at most)."),
                field="milestones",
            )
        if milestone.due_on is None:
            raise InvalidInput(
                _("Give the milestone “%(title)s” a date.") % {"title": title},
                field="milestones",
            )
        if cleaned and milestone.due_on < cleaned[-1].due_on:
            previous = cleaned[-1]
            raise InvalidInput(
                _(
                    "The milestones must be in date order: “%(title)s” "
                    "(%(date)s) comes after “%(previous)s” (%(previous_date)s)."
                )
                % {
                    "title": title,
                    "date": milestone.due_on.strftime("%d/%m/%Y"),
                    "previous": previous.title,
                    "previous_date": previous.due_on.strftime("%d/%m/%Y"),
                },
                field="milestones",
            )
        if title in {m.title for m in cleaned}:
            raise InvalidInput(
                _("Two milestones are called “%(title)s”.") % {"title": title},
                field="milestones",
            )
        cleaned.append(MilestoneData(title, milestone.due_on, milestone.done_on))
    return cleaned


def _clean_indicators(indicators) -> list[IndicatorData]:
    cleaned = []
    message = _("An indicator's target and current value must be positive numbers.")
    for indicator in indicators or []:
        name = (indicator.name or "").strip()
        if not name:
            raise InvalidInput(_("Give every indicator a name."), field="indicators")
        if len(name) > Indicator._meta.get_field("name").max_length:
            raise InvalidInput(
                _("An indicator's name is too long (200 characters at most)."),
                field="indicators",
            )
        if name in {i.name for i in cleaned}:
            raise InvalidInput(
                _("Two indicators are called “%(name)s”.") % {"name": name},
                field="indicators",
            )
        unit = (indicator.unit or "").strip()[:40]
        cleaned.append(
            IndicatorData(
                name=name,
                target=check_amount(
                    indicator.target, field="indicators", message=message
                ),
                current=check_amount(
                    indicator.current, field="indicators", message=message
                ),
                unit=unit,
            )
        )
    return cleaned


def _clean(data: ActionData) -> _Clean:
    if data.category not in Action.Category.values:
        raise InvalidInput(_("Choose a category from the list."), field="category")
    title = (data.title or "").strip()
    if not title:
        raise InvalidInput(_("Give the action a title."), field="title")
    if len(title) > Action._meta.get_field("title").max_length:
        raise InvalidInput(
            _("The title is too long (200 characters at most)."), field="title"
        )
    objectives = (data.objectives or "").strip()
    if not objectives:
        raise InvalidInput(_("Give the action's objectives."), field="objectives")
    if data.theme and data.theme not in Theme.values:
        raise InvalidInput(_("Choose a theme from the list."), field="theme")
    status = check_status(data.status)
    progress = check_progress(data.progress)
    budget = None
    if data.budget is not None:
        budget = check_amount(
            data.budget,
            field="budget",
            message=_("The budget must be a positive amount in euros."),
            below=Decimal(10) ** 10,
        )
    leads = _organisations(data.lead_ids, field="leads")
    if not leads:
        raise InvalidInput(
            _("An action needs at least one lead organisation."), field="leads"
        )
    partners = _organisations(data.partner_ids, field="partners")
    both = [o for o in partners if o in leads]
    if both:
        raise InvalidInput(
            _(
                "An organisation cannot both lead the action and be a partner: "
                "%(names)s."
            )
            % {"names": ", ".join(o.acronym or o.name for o in both)},
            field="partners",
        )
    signatory = None
    if data.signatory_id is not None:
        signatory = Signatory.objects.filter(pk=data.signatory_id).first()
        if signatory is None:
            raise InvalidInput(_("Unknown signatory."), field="signatory")
    return _Clean(
        fields={
            "category": data.category,
            "title": title,
            "objectives": objectives,
            "theme": data.theme or "",
            "status": status,
            "progress": progress,
            "budget": budget,
            "signatory": signatory,
        },
        leads=leads,
        partners=partners,
        milestones=_clean_milestones(data.milestones),
        indicators=_clean_indicators(data.indicators),
    )


def _names(organisations) -> list[str]:
    return sorted(o.acronym or o.name for o in organisations)


def _milestone_lines(milestones) -> list[str]:
    return [
        f"{m.title} · {m.due_on.isoformat()}"
        + (f" · {m.done_on.isoformat()}" if m.done_on else "")
        for m in milestones
    ]


def _indicator_lines(indicators) -> list[str]:
    return [
        f"{i.name} · {i.current}/{i.target}" + (f" {i.unit}" if i.unit else "")
        for i in indicators
    ]


def _snapshot(action: Action) -> dict:
    """The values the history compares, as a person reads them."""
    return {
        "category": action.category,
        "title": action.title,
        "objectives": action.objectives,
        "theme": action.theme,
        "status": action.status,
        "progress": action.progress,
        "budget": action.budget,
        "signatory": str(action.signatory) if action.signatory_id else None,
        "leads": _names(action.leads.all()),
        "partners": _names(action.partners.all()),
        "milestones": _milestone_lines(action.milestones.order_by("due_on", "pk")),
        "indicators": _indicator_lines(action.indicators.order_by("pk")),
    }


def _write_milestones(action: Action, milestones: list[MilestoneData]) -> None:
    existing = {m.title: m for m in action.milestones.all()}
    for data in milestones:
        milestone = existing.pop(data.title, None) or Milestone(action=action)
        milestone.title = data.title
        milestone.due_on = data.due_on
        milestone.done_on = data.done_on
        milestone.save()
    Milestone.objects.filter(pk__in=[m.pk for m in existing.values()]).delete()


def _write_indicators(action: Action, indicators: list[IndicatorData]) -> None:
    existing = {i.name: i for i in action.indicators.all()}
    for data in indicators:
        indicator = existing.pop(data.name, None) or Indicator(action=action)
        indicator.name = data.name
        indicator.unit = data.unit
        indicator.target = data.target
        indicator.current = data.current
        indicator.save()
    Indicator.objects.filter(pk__in=[i.pk for i in existing.values()]).delete()


def _write(action: Action, clean: _Clean) -> None:
    for name, value in clean.fields.items():
        setattr(action, name, value)
    action.save()
    action.leads.set(clean.leads)
    action.partners.set(clean.partners)
    _write_milestones(action, clean.milestones)
    _write_indicators(action, clean.indicators)


@transaction.atomic
def action_create(*, actor, plan: Plan, data: ActionData) -> Action:
    """Numbered after the plan's last action."""
    require(
        actor,
        "actionplan.change_plan",
        plan,
        _("Only the secretariat and the signatories may add actions to the plan."),
    )
    clean = _clean(data)
    # Lock the plan so that two additions at once do not take the same number.
    Plan.objects.select_for_update().filter(pk=plan.pk).first()
    last = plan.actions.aggregate(last=Max("number"))["last"] or 0
    action = Action(plan=plan, number=last + 1)
    _write(action, clean)
    record(
        action,
        "created",
        actor=actor,
        changes={
            name: [None, value]
            for name, value in _snapshot(action).items()
            if value not in (None, "", [])
        },
    )
    return action


@transaction.atomic
def action_update(*, actor, action: Action, data: ActionData) -> Action:
    require(
        actor,
        "actionplan.change_action",
        action,
        _("Only the secretariat and the signatories may edit the plan's actions."),
    )
    clean = _clean(data)
    Action.objects.select_for_update().filter(pk=action.pk).first()
    action.refresh_from_db()
    before = _snapshot(action)
    _write(action, clean)
    after = _snapshot(action)
    record(
        action,
        "updated",
        actor=actor,
        changes={name: [before[name], after[name]] for name in before},
    )
    return action


@transaction.atomic
def action_delete(*, actor, action: Action) -> None:
    """Only in a draft plan."""
    require(
        actor,
        "actionplan.change_action",
        action,
        _("Only the secretariat and the signatories may delete the plan's actions."),
    )
    if action.plan.state != Plan.State.DRAFT:
        raise InvalidInput(
            _(
                "An action of a published plan cannot be deleted: mark it "
                "abandoned instead."
            )
        )
    action.delete()


def _link_kinds():
    from crig.catalog.selectors.visibility import datasets_visible_to
    from crig.funding.selectors.requests import requests_visible_to
    from crig.needs.selectors.needs import needs_visible_to

    return (
        ("needs", _("needs"), needs_visible_to),
        ("funding_requests", _("funding requests"), requests_visible_to),
        ("datasets", _("datasets"), datasets_visible_to),
    )


def _ids(values) -> list:
    unique = []
    for value in values:
        if value not in unique:
            unique.append(value)
    return unique


@transaction.atomic
def action_link(
    *,
    actor,
    action: Action,
    need_ids: list[int] | None = None,
    funding_request_ids: list[int] | None = None,
    dataset_ids: list[int] | None = None,
) -> Action:
    """Replace the links given (None leaves a kind unchanged). Each item must be
    visible to the actor, else refused as if it did not exist."""
    require(
        actor,
        "actionplan.change_action",
        action,
        _("Only the secretariat and the signatories may link the plan's actions."),
    )
    Action.objects.select_for_update().filter(pk=action.pk).first()
    given = {
        "needs": need_ids,
        "funding_requests": funding_request_ids,
        "datasets": dataset_ids,
    }
    refused = []
    plans = []
    for name, label, visible_to in _link_kinds():
        wanted = given[name]
        if wanted is None:
            continue
        wanted = _ids(wanted)
        numbers = [
            pk for pk in wanted if isinstance(pk, int) and not isinstance(pk, bool)
        ]
        visible = visible_to(actor)
        found = (
            set(visible.filter(pk__in=numbers).values_list("pk", flat=True))
            if numbers
            else set()
        )
        missing = [str(pk) for pk in wanted if pk not in found]
        if missing:
            refused.append(f"{label} {', '.join(missing)}")
            continue
        current = set(getattr(action, name).values_list("pk", flat=True))
        # Links the actor cannot see stay: nobody removes what they cannot see.
        hidden = current - set(
            visible.filter(pk__in=current).values_list("pk", flat=True)
        )
        plans.append((name, sorted(current), sorted(set(found) | hidden)))
    if refused:
        raise InvalidInput(
            _(
                "These items do not exist or you may not see them; nothing was "
                "linked: %(items)s."
            )
            % {"items": "; ".join(refused)},
            field="links",
        )
    changes = {}
    for name, before, after in plans:
        getattr(action, name).set(after)
        changes[name] = [before, after]
    record(action, "linked", actor=actor, changes=changes)
    return action
