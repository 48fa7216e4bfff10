"""Standards endpoints at the site root: /csw, /ogcapi/, /catalog.{ttl,rdf,jsonld}."""

app_name = "standards"
urlpatterns: list = []
