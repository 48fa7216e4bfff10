"""Background jobs of the events module (django-tasks). Each calls one service and
is safe to run twice."""

from django_tasks import task


@task()
def registration_notify_task(registration_id: int, promoted: bool = False) -> None:
    from crig.events.services.notifications import registration_notify

    registration_notify(registration_id=registration_id, promoted=promoted)
