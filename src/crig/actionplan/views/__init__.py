"""Pages of the action plan: ``plans`` (the plan at a glance, exports, the
editors' forms), ``actions`` (an action's page and forms) and ``report`` (the
yearly report, HTML and PDF). Each module exposes its ``routes``, gathered here
for ``crig.actionplan.urls``."""

from crig.actionplan.views import actions, plans, report

routes = [*plans.routes, *actions.routes, *report.routes]
