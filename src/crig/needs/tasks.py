"""Background jobs of the needs module (django-tasks). Each calls one service and
is safe to run twice."""

from django_tasks import task


@task()
def need_event_notify_task(event_id: int) -> None:
    from crig.needs.services.notifications import need_event_notify

    need_event_notify(event_id=event_id)
