"""Pick what the simulated visitors ask for, from the loaded demo, and write it as
JSON for the locustfile: ``python -m bench.load.targets OUT.json``, run with the
``CRIG_*`` environment of the instance under test.

Everything is read through the anonymous selectors, so that no page of the mix
answers 404 or 403 to an anonymous visitor. The signed-in visitors get a session
made here (``Client.force_login``: a real row of the session table) and an API
token, so that the load does not include the login's deliberately slow password
hash (argon2) nor run into its rate limit.
"""

import json
import os
import sys
from pathlib import Path

#: Demo accounts the signed-in visitors use (see README, "Demo accounts").
MEMBER_EMAIL = "membre@demo.crig.example"
#: Words a visitor types into the catalogue search: one of each kind (common
#: word, phrase, place name, rare word, nothing found).
CATALOGUE_WORDS = [
    "orthophotographie",
    "plan local d'urbanisme",
    "Toulouse",
    "occupation du sol",
    "lidar",
    "adresses",
    "inondation",
    "réseaux",
    "xylophone",
]


def collect() -> dict:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import AnonymousUser
    from django.test import Client

    from crig.actionplan.selectors import plans_visible_to
    from crig.catalog.models import Referentiel
    from crig.catalog.selectors.search import datasets_search
    from crig.catalog.selectors.visibility import datasets_published_to
    from crig.events.selectors import events_visible_to, meetings_visible_to
    from crig.members.services.tokens import api_token_create
    from crig.needs.models import Need, Theme
    from crig.needs.selectors.needs import needs_visible_to
    from crig.news.selectors import news_public_feed
    from crig.territory.models import Commune, Departement

    anonymous = AnonymousUser()
    facets = datasets_search(user=anonymous).facets
    member = get_user_model().objects.get(email=MEMBER_EMAIL)
    client = Client()
    client.force_login(member)
    _token, api_token = api_token_create(user=member, name="load test")
    return {
        "datasets": list(
            datasets_published_to(anonymous).order_by("pk").values_list("pk", flat=True)
        ),
        "catalogue_words": CATALOGUE_WORDS,
        "facets": {
            name: [value.value for value in facets.get(name, [])[:8]]
            for name in ("theme", "producer", "licence")
        },
        "referentiels": list(Referentiel.values),
        "needs": list(
            needs_visible_to(anonymous)
            .exclude(state=Need.State.MERGED)
            .order_by("pk")
            .values_list("pk", flat=True)
        ),
        "need_themes": list(Theme.values),
        "plan_years": list(
            plans_visible_to(anonymous).order_by("year").values_list("year", flat=True)
        ),
        "events": list(events_visible_to(anonymous).values_list("slug", flat=True)),
        "meetings": list(meetings_visible_to(anonymous).values_list("pk", flat=True)),
        "news": [item.pk for item in news_public_feed(limit=100)],
        # The most populated communes: the ones people look up.
        "communes": list(
            Commune.objects.order_by("-population").values_list("insee", flat=True)[:60]
        ),
        "departements": list(
            Departement.objects.order_by("code").values_list("code", flat=True)
        ),
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "member_session": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "member_api_token": api_token,
    }


def main(out: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crig.settings")
    import django

    django.setup()
    targets = collect()
    Path(out).write_text(json.dumps(targets, indent=1), encoding="utf-8")
    counts = {k: len(v) for k, v in targets.items() if isinstance(v, list | dict)}
    print(f"targets: {counts}")


if __name__ == "__main__":
    main(sys.argv[1])
