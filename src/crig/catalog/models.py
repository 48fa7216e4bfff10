"""The regional catalogue: dataset records pooled from the platforms, where each came
from, how harvests went, and which communes each dataset covers.

Footprints are stored like territory outlines: RFC 7946 GeoJSON text in WGS84 with
the bounding box in indexed float columns.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crig.core.models import TimeStampedModel


class Referentiel(models.TextChoices):
    """The six reference data families the council pools (CRIG action plan)."""

    ORTHOPHOTO = "orthophotographie", _("Orthophotography")
    LAND_COVER = "occupation_du_sol", _("Land cover")
    ERP = "erp", _("Establishments open to the public (ERP)")
    PCRS = "pcrs", _("Simplified street-level base map (PCRS)")
    LIDAR = "lidar", _("LIDAR")
    ADDRESSES = "adresses", _("Addresses")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    # Seen only by the secretariat, administrators and the producer's members.
    RESTRICTED = "restricted", _("Restricted")


class HarvestSource(TimeStampedModel):
    class Kind(models.TextChoices):
        CSW = "csw", _("CSW 2.0.2 catalogue (ISO 19139 / 19115-3)")
        DCAT = "dcat", _("DCAT catalogue (RDF/XML, Turtle, JSON-LD)")
        DOCUMENT = "document", _("Single ISO or DCAT document")

    class Schedule(models.TextChoices):
        MANUAL = "manual", _("On demand only")
        DAILY = "daily", _("Every day")
        WEEKLY = "weekly", _("Every week")
        MONTHLY = "monthly", _("Every month")

    name = models.SlugField(_("name"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    url = models.URLField(_("URL"), max_length=1000)
    page_size = models.PositiveIntegerField(_("page size"), default=50)
    constraint = models.TextField(
        _("constraint"),
        blank=True,
        help_text=_("CSW: an OGC CQL constraint applied to GetRecords."),
    )
    timeout_seconds = models.PositiveIntegerField(_("timeout (seconds)"), default=30)
    schedule = models.CharField(
        _("schedule"), max_length=10, choices=Schedule.choices, default=Schedule.MANUAL
    )
    next_run_at = models.DateTimeField(_("next run at"), null=True, blank=True)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    platform = models.ForeignKey(
        "members.Organisation",
        verbose_name=_("platform operator"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="harvest_sources",
    )

    class Meta:
        verbose_name = _("harvest source")
        verbose_name_plural = _("harvest sources")
        ordering = ["title"]

    def __str__(self):
        return self.title


class HarvestRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        # Some records failed; the others were saved.
        PARTIAL = "partial", _("Partly succeeded")
        # The source could not be read to the end: nothing was changed.
        FAILED = "failed", _("Failed")

    source = models.ForeignKey(
        HarvestSource,
        verbose_name=_("source"),
        on_delete=models.CASCADE,
        related_name="runs",
        null=True,
        blank=True,
        help_text=_("Empty for a file import."),
    )
    label = models.CharField(_("label"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    withdrawn_count = models.PositiveIntegerField(_("withdrawn"), default=0)
    failed_count = models.PositiveIntegerField(_("failed"), default=0)
    error = models.TextField(_("error"), blank=True)
    report = models.JSONField(
        _("report"),
        default=dict,
        blank=True,
        help_text=_("Per-record failures and other details."),
    )
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("triggered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("harvest run")
        verbose_name_plural = _("harvest runs")
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"{self.source or self.label} — {self.get_status_display()}"


class Dataset(TimeStampedModel):
    """One dataset of the regional catalogue, however many platforms publish it."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        # Gone from every source that published it: kept, marked, not deleted.
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Level(models.TextChoices):
        DATASET = "dataset", _("Dataset")
        SERIES = "series", _("Series")
        SERVICE = "service", _("Service")

    identifier = models.CharField(
        _("identifier"),
        max_length=255,
        unique=True,
        help_text=_("The metadata file identifier, or one given by the platform."),
    )
    resource_identifier = models.CharField(
        _("resource identifier"), max_length=500, blank=True, db_index=True
    )
    title = models.CharField(_("title"), max_length=500)
    abstract = models.TextField(_("abstract"), blank=True)
    level = models.CharField(
        _("hierarchy level"),
        max_length=10,
        choices=Level.choices,
        default=Level.DATASET,
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    producer_name = models.CharField(_("producer"), max_length=300, blank=True)
    producer_email = models.EmailField(_("producer e-mail"), blank=True)
    producer = models.ForeignKey(
        "members.Organisation",
        verbose_name=_("producer organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="datasets",
    )
    referentiel = models.CharField(
        _("reference data family"),
        max_length=20,
        choices=Referentiel.choices,
        blank=True,
        db_index=True,
    )
    created_on = models.DateField(_("created on"), null=True, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    revised_on = models.DateField(_("revised on"), null=True, blank=True)
    temporal_start = models.DateField(_("temporal extent start"), null=True, blank=True)
    temporal_end = models.DateField(_("temporal extent end"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(
        pgettext_lazy("dataset vintage", "year"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Vintage: end of the temporal extent, else the latest date."),
    )
    resolution_m = models.FloatField(_("resolution (m)"), null=True, blank=True)
    scale_denominator = models.PositiveIntegerField(
        _("scale denominator"), null=True, blank=True
    )
    licence = models.CharField(_("licence"), max_length=300, blank=True, db_index=True)
    licence_url = models.URLField(_("licence URL"), max_length=500, blank=True)
    lineage = models.TextField(_("lineage"), blank=True)
    min_lon = models.FloatField(_("west longitude"), null=True, blank=True)
    min_lat = models.FloatField(_("south latitude"), null=True, blank=True)
    max_lon = models.FloatField(_("east longitude"), null=True, blank=True)
    max_lat = models.FloatField(_("north latitude"), null=True, blank=True)
    footprint = models.TextField(
        _("footprint (GeoJSON, WGS84)"),
        blank=True,
        help_text=_("A polygon when the source gives one, else the bounding box."),
    )
    footprint_is_bbox = models.BooleanField(_("footprint is the bbox"), default=True)
    coverage_computed_at = models.DateTimeField(
        _("coverage computed at"), null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    visibility = models.CharField(
        _("visibility"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.PUBLIC,
    )
    is_demo = models.BooleanField(
        _("demo record"),
        default=False,
        help_text=_("Generated for the demonstration; not a real dataset."),
    )
    first_seen_at = models.DateTimeField(_("first seen at"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For records entered by hand."),
    )
    search_text = models.TextField(
        _("search text"),
        blank=True,
        editable=False,
        help_text=_("Normalised words for full-text search (see catalog.search)."),
    )
    search_title = models.TextField(
        _("search title"),
        blank=True,
        editable=False,
        help_text=_("The title's search terms, for relevance (see catalog.search)."),
    )
    match_key = models.TextField(
        _("match key"),
        blank=True,
        editable=False,
        help_text=_(
            "The title as the duplicate detection compares it "
            "(see catalog.services.matching)."
        ),
    )

    class Meta:
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")
        ordering = ["title", "id"]
        # Also ``dataset_published_date_idx`` (status, year, revision date, title,
        # id), created per database by migration 0007: SQLite refuses NULLS LAST
        # in an index, PostgreSQL needs it to walk the index in the date order.
        indexes = [
            models.Index(
                fields=["min_lon", "max_lon", "min_lat", "max_lat"],
                name="dataset_bbox_idx",
            ),
            # Also covers the facet columns: their counts read the index only.
            models.Index(
                fields=[
                    "status",
                    "visibility",
                    "referentiel",
                    "producer_name",
                    "licence",
                    "year",
                ],
                name="dataset_status_facets_idx",
            ),
            # The records hidden from someone (not active, or not public) are
            # read by index ranges (see ``search.engine``): a few rows, not all.
            models.Index(
                fields=["visibility", "status"], name="dataset_visibility_idx"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("catalog:dataset_detail", args=[self.pk])


class DatasetFootprint(models.Model):
    """A polygon footprint as WKB, for the exact bbox test of the search: a narrow
    row read without the record's long texts, parsed without JSON. Kept by
    ``search.index.dataset_index`` for the records whose footprint is not their
    bbox (rectangles need no exact test)."""

    dataset = models.OneToOneField(
        Dataset,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="footprint_shape",
    )
    wkb = models.BinaryField(_("footprint (WKB, WGS84)"))
    #: BLAKE2b-128 of ``wkb``, hex: records sharing one footprint (a commune's, an
    #: EPCI's outline) share one parsed shape in the search's cache.
    digest = models.CharField(_("footprint digest"), max_length=32, default="")

    class Meta:
        verbose_name = _("dataset footprint")
        verbose_name_plural = _("dataset footprints")
        indexes = [
            # Digests read without the WKB (which may span overflow pages).
            models.Index(fields=["dataset", "digest"], name="footprint_digest_idx")
        ]

    def __str__(self):
        return str(self.dataset_id)


class DatasetTitleWord(models.Model):
    """A word of an active record's title, as the similarity rule reduces it
    (``services.matching.title_words``): the harvest looks up the records an
    incoming one may duplicate here, by the words of their titles, instead of
    holding an index of the whole catalogue in memory. Derived: written by
    ``search.index.dataset_index`` with the rest of a record's search terms,
    never by hand; withdrawn records have none."""

    #: Longer words are left out: no title shares them usefully, and each row is
    #: an index entry.
    MAX_LENGTH = 100

    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    word = models.CharField(_("word"), max_length=MAX_LENGTH)

    class Meta:
        verbose_name = _("dataset title word")
        verbose_name_plural = _("dataset title words")
        constraints = [
            # Also serves the deletes by record.
            models.UniqueConstraint(
                fields=["dataset", "word"], name="title_word_unique"
            )
        ]
        indexes = [
            # Candidates by word, in record id order; counts read the index only.
            models.Index(fields=["word", "dataset"], name="title_word_idx")
        ]

    def __str__(self):
        return f"{self.dataset_id}: {self.word}"


class SearchChange(models.Model):
    """One row per write that changed what the search sees (``dataset_index``,
    ORM saves and deletes of records): the facet snapshot of
    ``search.facets`` is rebuilt when their count or last token changes.
    Insert-only, so concurrent writers never wait on a shared row."""

    token = models.CharField(max_length=16)

    class Meta:
        verbose_name = _("search change")
        verbose_name_plural = _("search changes")

    def __str__(self):
        return f"{self.pk}: {self.token}"


class Keyword(models.Model):
    """A theme of a dataset: a référentiel, an INSPIRE theme or a free keyword."""

    class Kind(models.TextChoices):
        REFERENTIEL = "referentiel", _("Reference data family")
        INSPIRE = "inspire", _("INSPIRE theme")
        FREE = "keyword", _("Keyword")

    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="keywords"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    code = models.CharField(
        _("code"), max_length=200, help_text=_("Normalised, for facets and filters.")
    )
    label = models.CharField(_("label"), max_length=300)
    thesaurus = models.CharField(_("thesaurus"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("keyword")
        verbose_name_plural = _("keywords")
        indexes = [
            # With the dataset and the label: theme filters and facet counts (with
            # their labels) read the index only.
            models.Index(
                fields=["kind", "code", "dataset", "label"],
                name="keyword_kind_code_ds_lb_idx",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "kind", "code"], name="keyword_unique"
            )
        ]

    def __str__(self):
        return self.label


class Distribution(models.Model):
    """A way to get the data: a service (WMS, WFS, WMTS…) or a download."""

    class Kind(models.TextChoices):
        WMS = "wms", "WMS"
        WFS = "wfs", "WFS"
        WMTS = "wmts", "WMTS"
        OGC_API = "ogcapi", _("OGC API")
        DOWNLOAD = "download", _("Download")
        WEB = "web", _("Web page")
        OTHER = "other", _("Other")

    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="distributions"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    url = models.URLField(_("URL"), max_length=2000)
    name = models.CharField(_("layer or file name"), max_length=300, blank=True)
    title = models.CharField(_("title"), max_length=500, blank=True)
    media_type = models.CharField(_("format"), max_length=200, blank=True)
    protocol = models.CharField(_("protocol"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")
        ordering = ["position", "id"]

    def __str__(self):
        return self.title or self.name or self.url


class Provenance(models.Model):
    """That a platform (a harvest source or a file) publishes a dataset, and how."""

    class Format(models.TextChoices):
        ISO19139 = "iso19139", "ISO 19139"
        ISO19115_3 = "iso19115-3", "ISO 19115-3"
        DCAT = "dcat", "DCAT"
        MANUAL = "manual", _("Entered by hand")

    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="provenances"
    )
    source = models.ForeignKey(
        HarvestSource,
        verbose_name=_("source"),
        on_delete=models.CASCADE,
        related_name="provenances",
        null=True,
        blank=True,
    )
    origin = models.CharField(
        _("origin"),
        max_length=1000,
        help_text=_("The source's name, or the file or URL imported."),
    )
    remote_identifier = models.CharField(_("identifier at the source"), max_length=500)
    document_format = models.CharField(
        _("document format"), max_length=12, choices=Format.choices
    )
    document = models.TextField(_("source document (verbatim)"), blank=True)
    content_hash = models.CharField(_("content hash"), max_length=64)
    first_seen_at = models.DateTimeField(_("first seen at"))
    last_seen_at = models.DateTimeField(_("last seen at"))
    withdrawn_at = models.DateTimeField(
        _("withdrawn at"),
        null=True,
        blank=True,
        help_text=_("When the source stopped publishing it."),
    )

    class Meta:
        verbose_name = _("provenance")
        verbose_name_plural = _("provenances")
        ordering = ["origin"]
        indexes = [
            # Source filter and facet counts read the index only.
            models.Index(fields=["origin", "dataset"], name="provenance_origin_ds_idx")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["origin", "remote_identifier"], name="provenance_unique"
            )
        ]

    def __str__(self):
        return f"{self.dataset} ← {self.origin}"


class DuplicateCandidate(TimeStampedModel):
    """Two records that may describe the same dataset, for the secretariat to settle."""

    class Status(models.TextChoices):
        OPEN = "open", _("To review")
        MERGED = "merged", _("Merged")
        DISTINCT = "distinct", _("Kept apart")

    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="duplicate_candidates"
    )
    other = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("similarity"))
    reasons = models.JSONField(_("reasons"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "other"], name="duplicate_candidate_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(dataset__lt=models.F("other")),
                name="duplicate_candidate_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.dataset} ~ {self.other}"


class CommuneCoverage(models.Model):
    """The share of a commune's area that a dataset's footprint covers."""

    # No single-column indexes: the unique (dataset, commune) and the (commune,
    # fraction) indexes serve those lookups, and each index more slows down the
    # bulk rewrite of a million rows (coverage_compute) by about a quarter.
    dataset = models.ForeignKey(
        Dataset,
        on_delete=models.CASCADE,
        related_name="commune_coverages",
        db_index=False,
    )
    commune = models.ForeignKey(
        "territory.Commune",
        on_delete=models.CASCADE,
        related_name="coverages",
        db_index=False,
    )
    fraction = models.FloatField(_("covered fraction"))

    class Meta:
        verbose_name = _("commune coverage")
        verbose_name_plural = _("commune coverages")
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "commune"], name="commune_coverage_unique"
            )
        ]
        indexes = [
            # With the dataset: the territorial filters of the search read the
            # index only (no row lookups among millions).
            models.Index(
                fields=["commune", "fraction", "dataset"],
                name="coverage_commune_ds_idx",
            )
        ]

    def __str__(self):
        return f"{self.dataset_id} × {self.commune_id}: {self.fraction:.3f}"


class AreaCoverage(models.Model):
    """The largest share of one commune of an EPCI or a département that a
    dataset's footprint covers: ``CommuneCoverage`` summed up per area, so the
    search's EPCI and département filters read one row per dataset instead of one
    per commune. Derived: written by ``services.coverage`` from the commune rows
    (``area_coverage_refresh``), never by hand."""

    class Kind(models.TextChoices):
        EPCI = "epci", _("EPCI")
        DEPARTEMENT = "departement", _("Département")

    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=12)
    fraction = models.FloatField(_("largest covered fraction of one commune"))

    class Meta:
        verbose_name = _("area coverage")
        verbose_name_plural = _("area coverages")
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "kind", "code"], name="area_coverage_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["kind", "code", "fraction", "dataset"],
                name="area_coverage_filter_idx",
            )
        ]

    def __str__(self):
        return f"{self.dataset_id} × {self.kind} {self.code}: {self.fraction:.3f}"
