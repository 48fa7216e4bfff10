# ruff: noqa: E501  (sample file names, titles and XML kept on one line each)
"""Every bundled sample harvests to a defined result: a number of records read, a
number of records refused with a reason, and one title; or the exact error for
the documents that are broken upstream or are not metadata."""

from pathlib import Path

import pytest

from crig.catalog.harvesting.document import document_from_file
from crig.catalog.ingest.errors import DocumentNotMetadata, DocumentUnreadable

SAMPLES = Path(__file__).resolve().parents[1] / "samples"

DUBLIN_CORE = (
    "Dublin Core records are not harvested; configure the source for the ISO 19139 "
    "output schema."
)

READ = [
    ("csw/owslib_csw_dov_getrecordbyid.xml", 1, 0, "Grondwatermeetnetten"),
    ("csw/owslib_inspire-getrecords-response.xml", 2, 0, "CSW Suchdienst der ZAMG"),
    ("csw/pycsw_apiso_GetRecords-all.xml", 5, 0, "Aerial Photos"),
    ("csw/pycsw_apiso_GetRecords-filter-bbox.xml", 5, 0, "Aerial Photos"),
    ("csw/pycsw_default_GetRecords-all-dc.xml", 0, 5, None),
    ("csw/pycsw_default_GetRecords-hits.xml", 0, 0, None),
    (
        "csw/udata_geoide-iso19139-single-dataset.xml",
        1,
        0,
        "Plan local d'urbanisme de la commune de Combles",
    ),
    (
        "csw/udata_geonetwork-dcat-page-1.xml",
        2,
        0,
        "INSEE - Part des ménages présents depuis 5 ans ou plus dans leur logement actuel (2010)",
    ),
    (
        "csw/udata_geonetwork-dcat-page-3.xml",
        2,
        0,
        "Communes en état de catastrophe naturelle au 30 novembre 2023",
    ),
    (
        "csw/udata_geonetwork-dcat-page-5.xml",
        2,
        0,
        "Plages sans plastique en Hauts-de-France en 2022",
    ),
    (
        "csw/udata_geonetwork-geodcatap-page-1.xml",
        2,
        0,
        "INSEE - Part des ménages présents depuis 5 ans ou plus dans leur logement actuel (2010)",
    ),
    (
        "csw/udata_geonetwork-geodcatap-page-3.xml",
        2,
        0,
        "Communes en état de catastrophe naturelle au 30 novembre 2023",
    ),
    (
        "csw/udata_geonetwork-geodcatap-page-5.xml",
        2,
        0,
        "Plages sans plastique en Hauts-de-France en 2022",
    ),
    (
        "csw/udata_geonetwork-iso19139-page-1.xml",
        2,
        0,
        "Plan local d'urbanisme de la commune de Cartigny",
    ),
    (
        "csw/udata_geonetwork-iso19139-page-3.xml",
        2,
        0,
        "Plan local d'urbanisme de la commune de Longueau",
    ),
    (
        "csw/udata_geonetwork-iso19139-page-5.xml",
        2,
        0,
        "Plan local d'urbanisme de la commune de Combles",
    ),
    ("csw/udata_geoplateforme-iso19139-IGNF_RPG.xml", 1, 0, "RPG"),
    ("dcat/ckanext-dcat_catalog.rdf", 2, 0, "Example dataset 1"),
    (
        "dcat/ckanext-dcat_catalog_pod.jsonld",
        1,
        0,
        "U.S. Widget Manufacturing Statistics",
    ),
    ("dcat/ckanext-dcat_catalog_with_at_graph.jsonld", 1, 0, "Title dataset"),
    ("dcat/ckanext-dcat_dataset.rdf", 1, 0, "Zimbabwe Regional Geochemical Survey."),
    (
        "dcat/ckanext-dcat_dataset_gob_es.ttl",
        1,
        0,
        "Estudio de Satisfacción con el Programa de Escuelas Municipales de Promoción Deportiva en centros escolares",
    ),
    (
        "dcat/ckanext-dcat_dataset_gov_de.rdf",
        1,
        0,
        "Liefer- und Abholservices (Gastronomie)",
    ),
    ("dcat/ckanext-dcat_dataset_multilingual.ttl", 1, 0, "Test DCAT dataset"),
    ("dcat/udata_catalog.xml", 4, 0, "Dataset 1"),
    (
        "dcat/udata_datara--5a26b0f6-0ccf-46ad-ac58-734054b91977.rdf.xml",
        1,
        0,
        "Campings issus de la BDTopo de Auvergne Rhône-Alpes",
    ),
    (
        "dcat/udata_datara--f40c3860-7236-4b30-a141-23b8ae33f7b2.rdf.xml",
        1,
        0,
        "Couche relevés de végétations patrimoniales. PRFB. 2020",
    ),
    ("dcat/udata_flat.jsonld", 3, 0, "Dataset 1"),
    (
        "dcat/udata_geonetwork.xml",
        1,
        0,
        "Data of type chemistry in Le Gardon basin, from the Observatory of the former mining site of Carnoulès (TO Carnoules)",
    ),
    ("dcat/udata_paged-collection-1.jsonld", 3, 0, "Dataset 1"),
    ("dcat/udata_paged-collection-2.jsonld", 1, 0, "Dataset 1"),
    ("dcat/udata_series.xml", 1, 0, "DCE – Bassin Artois-Picardie - Etat global"),
    (
        "dcat/udata_sig.oreme.rdf",
        1,
        0,
        "National network of repeated absolute gravimetry (GRAVI) : Observation Service of the Montpellier Research Observatory of Environment (OSU OREME)",
    ),
    ("dcat/udata_udata.xml", 2, 0, "Bureaux de vote - Vanves"),
    (
        "iso19139/de_service_01ef8e6a_srv.xml",
        1,
        0,
        "ALKIS®-vereinfacht ohne Eigentümer - Web Feature Service",
    ),
    (
        "iso19139/fr_extracted_geoide-iso19139-single-dataset_fr-120066022-ldd-3f4cc8c8-5c3e-4a0e-8b56.xml",
        1,
        0,
        "Plan local d'urbanisme de la commune de Combles",
    ),
    (
        "iso19139/fr_extracted_geonetwork-iso19139-page-1_fr-120066022-ldd-56fce164-04b2-41ae-be87.xml",
        1,
        0,
        "Plan local d'urbanisme de la commune de Cartigny",
    ),
    (
        "iso19139/fr_extracted_geonetwork-iso19139-page-1_fr-120066022-ldd-777b1c6b-36a7-4650-befa.xml",
        1,
        0,
        "Plan local d'urbanisme de la commune de Flesselles",
    ),
    ("iso19139/fr_extracted_geoplateforme-iso19139-IGNF_RPG_IGNF_RPG.xml", 1, 0, "RPG"),
    ("iso19139/fr_geobretagne_955c3e47.xml", 1, 0, "Cadastre 2018 en Bretagne"),
    (
        "iso19139/fr_rennes_metropole_53056e53.xml",
        1,
        0,
        "Comités de secteur de Rennes Métropole",
    ),
    ("iso19139/ie_marine_keywords_anchor.xml", 1, 0, "CE0911 Climate Change Survey"),
    (
        "iso19139/iso19115-3/auscope-3d-model.xml",
        1,
        0,
        "3D geological model of the Otway and Torquay Basin 2011",
    ),
    (
        "iso19139/iso19115-3/metawal.wallonie.be-catchments.xml",
        1,
        0,
        "Protection des captages - Série",
    ),
    (
        "iso19139/iso19115-3/metawal.wallonie.be-srv.xml",
        1,
        0,
        "INSPIRE - Santé et sécurité des personnes en Wallonie (BE) - Service de visualisation WMS",
    ),
    (
        "iso19139/pycsw_apiso_T_aerfo_RAS_1991_GR800P001800000012.xml",
        1,
        0,
        "Aerial Photos",
    ),
    ("iso19139/pycsw_apiso_T_ortho_RAS_1998_284404.xml", 1, 0, "Ortho"),
    ("iso19139/pycsw_apiso_T_pmoed_DTM_1996_276395.xml", 1, 0, "DTM"),
]

REFUSED = [
    (
        "csw/pycsw_apiso-inspire_GetCapabilities.xml",
        DocumentNotMetadata,
        "Not a metadata document (root element Capabilities).",
    ),
    (
        "csw/pycsw_default_GetCapabilities.xml",
        DocumentNotMetadata,
        "Not a metadata document (root element Capabilities).",
    ),
    (
        "csw/pycsw_default_ExceptionReport.xml",
        DocumentNotMetadata,
        "The CSW server answered with an exception: Invalid value for request: "
        "GetCapabilitiese",
    ),
    (
        "dcat/ckanext-dcat_dataset_INVALID-upstream-turtle-syntax.ttl",
        DocumentUnreadable,
        "The turtle document cannot be read: at line 158 of <>: Bad syntax (Prefix "
        '"healthdcatap:" not bound)',
    ),
    (
        "dcat/udata_evian.json",
        DocumentNotMetadata,
        "The JSON-LD document has a remote @context "
        "(https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld), which is "
        "not fetched: it is not a DCAT document this catalogue can read (DCAT-US / "
        "Project Open Data JSON?).",
    ),
]


def test_every_sample_is_listed():
    listed = {name for name, *_rest in READ} | {name for name, *_rest in REFUSED}
    bundled = {
        str(path.relative_to(SAMPLES))
        for path in SAMPLES.rglob("*")
        if path.is_file() and path.suffix != ".md"
    }
    assert listed == bundled


@pytest.mark.parametrize(("name", "records", "failures", "title"), READ)
def test_sample_is_read(name, records, failures, title):
    page = document_from_file(SAMPLES / name)

    assert len(page.records) == records
    assert len(page.failures) == failures
    titles = sorted(record.title for record in page.records)
    assert (titles[0] if titles else None) == title


@pytest.mark.parametrize(("name", "error", "message"), REFUSED)
def test_sample_is_refused_with_its_reason(name, error, message):
    with pytest.raises(error) as caught:
        document_from_file(SAMPLES / name)

    assert str(caught.value.message).startswith(message)


@pytest.mark.parametrize(
    "name",
    [
        "csw/udata_geonetwork-geodcatap-page-1.xml",
        "csw/udata_geonetwork-geodcatap-page-3.xml",
        "csw/udata_geonetwork-geodcatap-page-5.xml",
    ],
)
def test_geodcatap_pages_whose_header_disagrees_read_the_records_found(name):
    page = document_from_file(SAMPLES / name)

    assert len(page.records) == 2
    assert page.warnings == [
        "The response announces 6 records but holds 2; the records found were read."
    ]


def test_dublin_core_records_are_failures_with_a_reason():
    page = document_from_file(SAMPLES / "csw/pycsw_default_GetRecords-all-dc.xml")

    assert page.failures[0] == (
        "urn:uuid:19887a8a-f6b0-4a63-ae56-7fba0e17801f",
        DUBLIN_CORE,
    )
