import factory
from django.utils import timezone

from crig.catalog.models import (
    Dataset,
    Distribution,
    HarvestSource,
    Keyword,
    Provenance,
    Referentiel,
)


class HarvestSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HarvestSource
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"source-{n}")
    title = factory.Sequence(lambda n: f"Plateforme {n}")
    kind = HarvestSource.Kind.CSW
    url = factory.Sequence(lambda n: f"https://catalogue{n}.example.org/csw")


class DatasetFactory(factory.django.DjangoModelFactory):
    """A public, active dataset over Toulouse's bounding box by default."""

    class Meta:
        model = Dataset

    identifier = factory.Sequence(lambda n: f"crig-test-{n:05d}")
    title = factory.Sequence(lambda n: f"Orthophotographie de test {n}")
    abstract = "Prise de vue aérienne à 20 cm de résolution."
    producer_name = "IGN"
    referentiel = Referentiel.ORTHOPHOTO
    year = 2022
    licence = "Licence Ouverte 2.0"
    min_lon, min_lat, max_lon, max_lat = 1.35, 43.53, 1.51, 43.67
    footprint = factory.LazyAttribute(
        lambda d: (
            '{"type": "Polygon", "coordinates": [[['
            f"{d.min_lon}, {d.min_lat}], [{d.max_lon}, {d.min_lat}], "
            f"[{d.max_lon}, {d.max_lat}], [{d.min_lon}, {d.max_lat}], "
            f"[{d.min_lon}, {d.min_lat}]]]}}"
        )
    )
    first_seen_at = factory.LazyFunction(timezone.now)
    last_seen_at = factory.LazyFunction(timezone.now)


class KeywordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Keyword

    dataset = factory.SubFactory(DatasetFactory)
    kind = Keyword.Kind.FREE
    code = factory.Sequence(lambda n: f"mot-cle-{n}")
    label = factory.Sequence(lambda n: f"Mot-clé {n}")


class DistributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Distribution

    dataset = factory.SubFactory(DatasetFactory)
    kind = Distribution.Kind.WMS
    url = "https://data.geopf.fr/wms-r/wms"
    name = "ORTHOIMAGERY.ORTHOPHOTOS"


class ProvenanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provenance

    dataset = factory.SubFactory(DatasetFactory)
    source = factory.SubFactory(HarvestSourceFactory)
    origin = factory.LazyAttribute(lambda p: p.source.name)
    remote_identifier = factory.LazyAttribute(lambda p: p.dataset.identifier)
    document_format = Provenance.Format.ISO19139
    content_hash = factory.Sequence(lambda n: f"{n:064x}")
    first_seen_at = factory.LazyFunction(timezone.now)
    last_seen_at = factory.LazyFunction(timezone.now)
