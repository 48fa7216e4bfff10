"""Background jobs of the funding module (django-tasks). Each calls one service
and is safe to run twice."""

from django_tasks import task


@task()
def reviewer_seat_notify_task(seat_id: int) -> None:
    from crig.funding.services.notifications import reviewer_seat_notify

    reviewer_seat_notify(seat_id=seat_id)


@task()
def opinion_notify_task(opinion_id: int) -> None:
    from crig.funding.services.notifications import opinion_notify

    opinion_notify(opinion_id=opinion_id)
