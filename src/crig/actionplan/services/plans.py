"""Plans: creation, edition, publication and the roll-over to next year.

**Roll-over.** ``plan_roll_over`` starts next year's plan as a draft and copies
into it every unfinished action (status other than done and abandoned), in the
plan's order and numbered again from 1, each pointing to the action it continues
(``continues``). A copy keeps what the action was: category, title, objectives,
theme, leads, signatory, partners, budget, status and progress (the work goes on
where it stood; the secretariat revises the draft before publishing it), the
milestones not done yet, every indicator with its target and current value, and
the links to needs, funding requests and datasets. Done milestones, progress
updates and the history stay with the previous year. A plan is rolled over once:
if next year's plan already exists, the roll-over is refused and nothing changes.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crig.actionplan.models import Action, Indicator, Milestone, Plan
from crig.actionplan.services._common import record, require
from crig.core.errors import Conflict, InvalidInput

FINISHED_STATUSES = (Action.Status.DONE, Action.Status.ABANDONED)


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise InvalidInput(_("Give the plan a title."), field="title")
    if len(title) > Plan._meta.get_field("title").max_length:
        raise InvalidInput(
            _("The title is too long (200 characters at most)."), field="title"
        )
    return title


def _check_year(year) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise InvalidInput(
            _("The year must be a year between 2000 and 2100."), field="year"
        )
    return year


def _year_taken(year: int) -> Conflict:
    return Conflict(
        _("There is already an action plan for %(year)s.") % {"year": year},
        field="year",
    )


@transaction.atomic
def plan_create(*, actor, year: int, title: str, introduction: str = "") -> Plan:
    """A new draft plan for ``year`` (one plan per year: ``Conflict`` else)."""
    require(
        actor,
        "actionplan.change_plan",
        None,
        _("Only the secretariat and the signatories may create a plan."),
    )
    year = _check_year(year)
    title = _clean_title(title)
    if Plan.objects.filter(year=year).exists():
        raise _year_taken(year)
    try:
        with transaction.atomic():
            return Plan.objects.create(
                year=year,
                title=title,
                introduction=(introduction or "").strip(),
                state=Plan.State.DRAFT,
            )
    except IntegrityError:
        # Someone created the same year between the check and the insert.
        raise _year_taken(year) from None


@transaction.atomic
def plan_update(*, actor, plan: Plan, title: str, introduction: str = "") -> Plan:
    require(
        actor,
        "actionplan.change_plan",
        plan,
        _("Only the secretariat and the signatories may edit the plan."),
    )
    plan.title = _clean_title(title)
    plan.introduction = (introduction or "").strip()
    plan.save(update_fields=["title", "introduction", "updated_at"])
    return plan


@transaction.atomic
def plan_publish(*, actor, plan: Plan) -> Plan:
    """Draft → published: the plan, its actions and their figures become public.
    A plan without actions is not published (there would be nothing to read)."""
    require(
        actor,
        "actionplan.change_plan",
        plan,
        _("Only the secretariat and the signatories may publish the plan."),
    )
    Plan.objects.select_for_update().filter(pk=plan.pk).first()
    plan.refresh_from_db()
    if plan.state == Plan.State.PUBLISHED:
        raise Conflict(
            _("The %(year)s plan is already published.") % {"year": plan.year}
        )
    if not plan.actions.exists():
        raise InvalidInput(
            _("Add at least one action before publishing the plan."), field="actions"
        )
    plan.state = Plan.State.PUBLISHED
    plan.published_at = timezone.now()
    plan.save(update_fields=["state", "published_at", "updated_at"])
    return plan


def _next_title(plan: Plan, year: int) -> str:
    if str(plan.year) in plan.title:
        return plan.title.replace(str(plan.year), str(year))
    return _("Action plan %(year)s") % {"year": year}


@transaction.atomic
def plan_roll_over(*, actor, plan: Plan) -> Plan:
    """Next year's draft plan with the unfinished actions (not done, not
    abandoned) copied — milestones not yet done, indicators, leads, partners,
    links — each with ``continues`` set. Refused if next year's plan exists."""
    require(
        actor,
        "actionplan.change_plan",
        plan,
        _("Only the secretariat and the signatories may roll the plan over."),
    )
    Plan.objects.select_for_update().filter(pk=plan.pk).first()
    plan.refresh_from_db()
    year = plan.year + 1
    if Plan.objects.filter(year=year).exists():
        raise Conflict(
            _(
                "The %(year)s plan already exists: the %(previous)s plan has "
                "already been rolled over."
            )
            % {"year": year, "previous": plan.year},
            field="year",
        )
    if Plan.objects.filter(rolled_over_from=plan).exists():
        raise Conflict(
            _("The %(previous)s plan has already been rolled over.")
            % {"previous": plan.year}
        )
    if year > 2100:
        raise InvalidInput(_("The year must be a year between 2000 and 2100."))
    new_plan = Plan.objects.create(
        year=year,
        title=_next_title(plan, year),
        introduction=plan.introduction,
        state=Plan.State.DRAFT,
        rolled_over_from=plan,
    )
    unfinished = (
        plan.actions.exclude(status__in=FINISHED_STATUSES)
        .prefetch_related(
            "leads",
            "partners",
            "needs",
            "funding_requests",
            "datasets",
            "milestones",
            "indicators",
        )
        .order_by("number")
    )
    for number, previous in enumerate(unfinished, start=1):
        copy = Action.objects.create(
            plan=new_plan,
            number=number,
            category=previous.category,
            title=previous.title,
            objectives=previous.objectives,
            theme=previous.theme,
            signatory_id=previous.signatory_id,
            status=previous.status,
            progress=previous.progress,
            budget=previous.budget,
            continues=previous,
        )
        copy.leads.set(previous.leads.all())
        copy.partners.set(previous.partners.all())
        copy.needs.set(previous.needs.all())
        copy.funding_requests.set(previous.funding_requests.all())
        copy.datasets.set(previous.datasets.all())
        Milestone.objects.bulk_create(
            [
                Milestone(action=copy, title=milestone.title, due_on=milestone.due_on)
                for milestone in previous.milestones.all()
                if milestone.done_on is None
            ]
        )
        Indicator.objects.bulk_create(
            [
                Indicator(
                    action=copy,
                    name=indicator.name,
                    unit=indicator.unit,
                    target=indicator.target,
                    current=indicator.current,
                )
                for indicator in previous.indicators.all()
            ]
        )
        record(
            copy,
            "rolled_over",
            actor=actor,
            changes={"continues": [None, previous.pk]},
        )
    return new_plan
