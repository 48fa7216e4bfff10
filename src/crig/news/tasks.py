"""Background jobs of the news module (django-tasks, database backend; worker
``crig db_worker``). Each calls one service and is safe to run twice: a
delivery already sent, or being sent by another worker, is left alone."""

from django_tasks import task


@task()
def delivery_send_task(delivery_id: int) -> None:
    from crig.news.services.deliveries import delivery_send

    delivery_send(delivery_id=delivery_id)
