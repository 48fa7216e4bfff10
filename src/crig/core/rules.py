"""Who may edit what core holds: the home-page texts, which the secretariat
writes in the admin (administrators pass every check as superusers)."""

import rules

from crig.members.rules import is_administrator, is_secretariat

is_staff_role = is_secretariat | is_administrator

for action in ("view", "add", "change", "delete"):
    rules.add_perm(f"core.{action}_sitetext", is_staff_role)
