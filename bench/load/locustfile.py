"""The visitors of the load test (locust): who asks for what, how often, and how
long each waits between two requests.

Three kinds of visitor, each waiting ``THINK_TIME`` (1 to 5 s, uniform: reading a
page or a result before the next click) between two actions:

- ``Visitor`` (weight 6), anonymous: the home page, the catalogue (search with
  and without words and facets, a record's page), the coverage pages, the needs
  (list, heat map, a need's page), the action plan, events, meetings, news and
  the opinions register, a commune's page;
- ``Member`` (weight 2), signed in as the demo member (a session prepared by
  ``targets.py``): the same pages, plus their account and the funding requests;
- ``ApiClient`` (weight 2): a script of a member organisation on ``/api/v1/``
  with an API token: catalogue search, needs, coverage of a commune and of a
  référentiel, communes, events, news.

A page that shows a map makes its browser fetch the map's GeoJSON
(``data-geojson-url``) right after; the visitors do the same, so the map data
are part of the load in the proportion a browser asks for them. Static files are
left out: a browser caches them (WhiteNoise serves them with far-future expiry
headers), and in production the reverse proxy may serve them.

Requests are grouped by route in the figures (``name=``: ``/besoins/[id]/``). A
response other than 2xx, or a page without its closing ``</html>``, counts as a
failure. The targets (ids, slugs, the session and the token) are read from the
JSON file named by ``CRIG_LOAD_TARGETS``.
"""

import html
import json
import os
import random
import re
from urllib.parse import urlencode, urlsplit

from locust import HttpUser, between, task

from bench.load import THINK_TIME_SECONDS

THINK_TIME = THINK_TIME_SECONDS
#: Not for secrets: SystemRandom only keeps the linter's S311 quiet without a noqa
#: on every line.
pick = random.SystemRandom()
TARGETS = json.loads(
    open(os.environ["CRIG_LOAD_TARGETS"], encoding="utf-8").read()  # noqa: PTH123, SIM115
)
MAP_URL = re.compile(r'data-geojson-url="([^"]+)"')
#: Query parameters kept in a map request's name, so that the figures tell the
#: maps apart (the rest, like ``limit``, is dropped).
NAMED_PARAMETERS = ("format",)


def _route(path: str) -> str:
    """``/besoins/12/?x=1`` → ``/besoins/[id]/``: digits and slugs of the targets
    become placeholders, so that each route is one line of the figures."""
    parts = []
    for part in path.split("/"):
        if part.isdigit():
            parts.append("[id]")
        elif part in TARGETS["events"]:
            parts.append("[slug]")
        elif part in TARGETS["referentiels"]:
            parts.append("[referentiel]")
        else:
            parts.append(part)
    return "/".join(parts)


class _Browsing(HttpUser):
    abstract = True
    wait_time = between(*THINK_TIME)

    def page(self, path: str, name: str | None = None, *, maps: bool = True):
        """GET a page like a browser: then the GeoJSON of the map it shows."""
        with self.client.get(
            path, name=name or _route(path.split("?")[0]), catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
                return
            if "</html>" not in response.text:
                response.failure("truncated page")
                return
            response.success()
            body = response.text
        if maps:
            for url in MAP_URL.findall(body):
                self.map_data(html.unescape(url))

    def map_data(self, url: str):
        parts = urlsplit(url)
        query = dict(
            pair.split("=", 1) for pair in parts.query.split("&") if "=" in pair
        )
        kept = {k: v for k, v in query.items() if k in NAMED_PARAMETERS}
        name = _route(parts.path) + ("?" + urlencode(kept) if kept else "")
        self.client.get(url, name=name + " (map)")

    # The mix. Weights are relative frequencies within one kind of visitor.

    @task(10)
    def home(self):
        self.page("/")

    @task(5)
    def catalogue(self):
        self.page("/catalogue/")

    @task(8)
    def catalogue_words(self):
        words = pick.choice(TARGETS["catalogue_words"])
        self.page("/catalogue/?" + urlencode({"q": words}), name="/catalogue/?q=")

    @task(4)
    def catalogue_facets(self):
        pairs = []
        for facet in ("theme", "licence", "producer"):
            values = TARGETS["facets"].get(facet)
            if values and pick.random() < 0.6:
                pairs.append((facet, pick.choice(values)))
        if pick.random() < 0.5:
            pairs.append(("q", pick.choice(TARGETS["catalogue_words"][:6])))
        if pick.random() < 0.3:
            pairs.append(("departement", pick.choice(TARGETS["departements"])))
        self.page(
            "/catalogue/?" + urlencode(pairs or [("theme", "referentiel:lidar")]),
            name="/catalogue/?facets",
        )

    @task(10)
    def dataset(self):
        self.page(f"/catalogue/jeux-de-donnees/{pick.choice(TARGETS['datasets'])}/")

    @task(2)
    def coverage(self):
        self.page("/catalogue/couverture/")

    @task(2)
    def coverage_referentiel(self):
        referentiel = pick.choice(TARGETS["referentiels"])
        self.page(f"/catalogue/couverture/{referentiel}/")

    @task(4)
    def needs(self):
        self.page("/besoins/")

    @task(3)
    def needs_heatmap(self):
        self.page("/besoins/carte/")

    @task(4)
    def need(self):
        self.page(f"/besoins/{pick.choice(TARGETS['needs'])}/")

    @task(4)
    def plan(self):
        self.page(f"/plan-d-actions/{pick.choice(TARGETS['plan_years'])}/")

    @task(3)
    def events(self):
        self.page("/evenements/")

    @task(2)
    def event(self):
        self.page(f"/evenements/{pick.choice(TARGETS['events'])}/")

    @task(2)
    def meetings(self):
        self.page("/reunions/")

    @task(1)
    def meeting(self):
        self.page(f"/reunions/{pick.choice(TARGETS['meetings'])}/")

    @task(4)
    def news(self):
        self.page("/actualites/")

    @task(3)
    def news_item(self):
        self.page(f"/actualites/{pick.choice(TARGETS['news'])}/")

    @task(2)
    def register(self):
        self.page("/financements/avis/")

    @task(3)
    def commune(self):
        self.page(f"/territoire/communes/{pick.choice(TARGETS['communes'])}/")


class Visitor(_Browsing):
    weight = 6


class Member(_Browsing):
    weight = 2

    def on_start(self):
        self.client.cookies.set(TARGETS["session_cookie"], TARGETS["member_session"])

    @task(3)
    def account(self):
        self.page("/mon-compte/")

    @task(2)
    def funding_requests(self):
        self.page("/financements/")


class ApiClient(HttpUser):
    weight = 2
    wait_time = between(*THINK_TIME)

    def on_start(self):
        self.client.headers["Authorization"] = f"Bearer {TARGETS['member_api_token']}"

    def api(self, path: str, name: str, **parameters):
        self.client.get(
            "/api/v1/" + path + ("?" + urlencode(parameters) if parameters else ""),
            name="/api/v1/" + name,
        )

    @task(6)
    def datasets(self):
        self.api(
            "datasets",
            "datasets?q=",
            q=pick.choice(TARGETS["catalogue_words"]),
            limit=50,
        )

    @task(3)
    def datasets_filtered(self):
        parameters = {"limit": 50}
        if TARGETS["facets"].get("theme"):
            parameters["theme"] = pick.choice(TARGETS["facets"]["theme"])
        parameters["departement"] = pick.choice(TARGETS["departements"])
        self.api("datasets", "datasets?theme=&departement=", **parameters)

    @task(3)
    def dataset(self):
        self.api(f"datasets/{pick.choice(TARGETS['datasets'])}", "datasets/[id]")

    @task(4)
    def needs(self):
        self.api("needs", "needs")

    @task(2)
    def needs_theme(self):
        self.api("needs", "needs?theme=", theme=pick.choice(TARGETS["need_themes"]))

    @task(2)
    def need(self):
        self.api(f"needs/{pick.choice(TARGETS['needs'])}", "needs/[id]")

    @task(1)
    def needs_heatmap(self):
        self.api("needs/heatmap", "needs/heatmap")

    @task(4)
    def commune_coverage(self):
        insee = pick.choice(TARGETS["communes"])
        self.api(f"communes/{insee}/coverage", "communes/[insee]/coverage")

    @task(1)
    def referentiel_coverage(self):
        referentiel = pick.choice(TARGETS["referentiels"])
        self.api(f"coverage/{referentiel}", "coverage/[referentiel]")

    @task(2)
    def communes(self):
        self.api("communes", "communes?q=", q=pick.choice(["saint", "tou", "mont"]))

    @task(1)
    def events(self):
        self.api("events", "events")

    @task(1)
    def news(self):
        self.api("news", "news")
