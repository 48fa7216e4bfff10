"""Pages of the catalogue, under /catalogue/ (standards endpoints: urls_standards)."""

from crig.catalog.views import coverage, datasets

app_name = "catalog"
urlpatterns = [*datasets.urlpatterns, *coverage.urlpatterns]
