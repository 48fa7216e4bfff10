from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionPlanConfig(AppConfig):
    name = "crig.actionplan"
    label = "actionplan"
    verbose_name = _("Action plan")

    def ready(self):
        # Registers the system check actionplan.W001 (PDF report needs Pango).
        from crig.actionplan import report  # noqa: F401
