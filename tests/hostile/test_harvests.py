"""XML bombs, external entities and remote contexts in the catalogue's inputs.

``HARVEST_DOCUMENTS`` is the corpus: ISO 19139 records, RDF/XML, JSON-LD and
Turtle DCAT documents, CSW answers, each hostile in one way. Each goes through
every way a document reaches the catalogue that takes its kind:
``crig catalog import FILE``, a single-document source, a DCAT source and a CSW
source (capabilities or a GetRecords page), served by a local server. Expected:
the run fails with a clear reason, no record is written, nothing under
``/evil/`` on the local server is ever requested, and the content of a local
file named by an entity is nowhere in the database.

The parser itself is tested in ``crig/catalog/tests/test_ingest_safexml.py``;
this is the layer above it, through the services and the command.
"""

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from crig.catalog.models import Dataset, HarvestRun, Provenance
from crig.catalog.services.harvest import harvest_source, harvest_source_create
from tests.hostile import files

SAMPLES = Path(files.__file__).resolve().parents[2] / "src/crig/catalog/samples"
CAPABILITIES = (SAMPLES / "csw/pycsw_apiso-inspire_GetCapabilities.xml").read_bytes()
ISO_RECORD = (
    SAMPLES / "iso19139/fr_extracted_geoplateforme-iso19139-IGNF_RPG_IGNF_RPG.xml"
).read_bytes()
SECRET_LINE = "root:x:0:0"

GMD = 'xmlns:gmd="http://www.isotc211.org/2005/gmd"'
GCO = 'xmlns:gco="http://www.isotc211.org/2005/gco"'
RDF = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
DCAT = 'xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dct="http://purl.org/dc/terms/"'
CSW = 'xmlns:csw="http://www.opengis.net/cat/csw/2.0.2"'


def iso(doctype: str, entity: str = "") -> bytes:
    return (
        f'<?xml version="1.0"?>\n{doctype}\n<gmd:MD_Metadata {GMD} {GCO}>'
        f"<gmd:fileIdentifier><gco:CharacterString>hostile-{entity}"
        "</gco:CharacterString></gmd:fileIdentifier></gmd:MD_Metadata>"
    ).encode()


def rdf(doctype: str, entity: str = "") -> bytes:
    return (
        f'<?xml version="1.0"?>\n{doctype}\n<rdf:RDF {RDF} {DCAT}>'
        '<dcat:Dataset rdf:about="http://x.org/1">'
        f"<dct:title>Titre {entity}</dct:title></dcat:Dataset></rdf:RDF>"
    ).encode()


def csw_page(doctype: str, entity: str = "") -> bytes:
    return (
        f'<?xml version="1.0"?>\n{doctype}\n<csw:GetRecordsResponse {CSW}>'
        '<csw:SearchResults numberOfRecordsMatched="1" numberOfRecordsReturned="1" '
        f'nextRecord="0">{entity}</csw:SearchResults></csw:GetRecordsResponse>'
    ).encode()


def capabilities(doctype: str, entity: str = "") -> bytes:
    body = CAPABILITIES.split(b"?>", 1)[1]
    return f'<?xml version="1.0"?>\n{doctype}'.encode() + body.replace(
        b"<ows:Title>", f"<ows:Title>{entity}".encode(), 1
    )


def jsonld(document) -> bytes:
    return json.dumps(document).encode()


DCAT_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
}

#: kind → the routes that take it.
ROUTES = {
    "iso": ("import", "document"),
    "rdf": ("import", "document", "dcat"),
    "jsonld": ("import", "document", "dcat"),
    "turtle": ("import", "document", "dcat"),
    "csw-page": ("import", "document", "csw"),
    "csw-capabilities": ("csw-capabilities",),
}
EXTENSIONS = {
    "iso": ".xml",
    "rdf": ".rdf",
    "jsonld": ".jsonld",
    "turtle": ".ttl",
    "csw-page": ".xml",
    "csw-capabilities": ".xml",
}
CONTENT_TYPES = {
    ".xml": "application/xml",
    ".rdf": "application/rdf+xml",
    ".jsonld": "application/ld+json",
    ".ttl": "text/turtle",
}


@dataclass(frozen=True)
class HarvestDocument:
    id: str
    kind: str
    build: Callable[[str], bytes]  # the local server's URL → the document


SECRET = f"file://{files.SECRET_FILE}"

HARVEST_DOCUMENTS = [
    HarvestDocument(
        "iso-billion-laughs",
        "iso",
        lambda url: iso(files.billion_laughs_doctype("gmd:MD_Metadata"), "&lol9;"),
    ),
    HarvestDocument(
        "iso-quadratic-blowup",
        "iso",
        lambda url: iso(
            files.quadratic_blowup_doctype("gmd:MD_Metadata"), "&a;" * 5000
        ),
    ),
    HarvestDocument(
        "iso-xxe-file",
        "iso",
        lambda url: iso(
            files.external_entity_doctype(SECRET, "gmd:MD_Metadata"), "&xxe;"
        ),
    ),
    HarvestDocument(
        "iso-xxe-http",
        "iso",
        lambda url: iso(
            files.external_entity_doctype(f"{url}/evil/entity", "gmd:MD_Metadata"),
            "&xxe;",
        ),
    ),
    HarvestDocument(
        "iso-external-dtd",
        "iso",
        lambda url: iso(files.external_dtd_doctype(f"{url}/evil/iso.dtd", "x")),
    ),
    HarvestDocument(
        "iso-public-dtd",
        "iso",
        lambda url: iso(
            f'<!DOCTYPE gmd:MD_Metadata PUBLIC "-//X//EN" "{url}/evil/public.dtd">'
        ),
    ),
    HarvestDocument(
        "iso-parameter-entity",
        "iso",
        lambda url: iso(files.parameter_entity_doctype(f"{url}/evil/param.dtd", "x")),
    ),
    HarvestDocument(
        "iso-utf16-xxe",
        "iso",
        lambda url: (
            iso(
                files.external_entity_doctype(f"{url}/evil/utf16", "gmd:MD_Metadata"),
                "&xxe;",
            )
            .decode()
            .replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>')
            .encode("utf-16")
        ),
    ),
    HarvestDocument(
        "iso-xinclude",
        "iso",
        lambda url: (
            f'<?xml version="1.0"?>\n<gmd:MD_Metadata {GMD} {GCO} '
            'xmlns:xi="http://www.w3.org/2001/XInclude"><gmd:fileIdentifier>'
            f'<xi:include href="{SECRET}" parse="text"/><xi:include '
            f'href="{url}/evil/xinclude" parse="text"/></gmd:fileIdentifier>'
            "</gmd:MD_Metadata>"
        ).encode(),
    ),
    HarvestDocument(
        "rdf-billion-laughs",
        "rdf",
        lambda url: rdf(files.billion_laughs_doctype("rdf:RDF"), "&lol9;"),
    ),
    HarvestDocument(
        "rdf-xxe-file",
        "rdf",
        lambda url: rdf(files.external_entity_doctype(SECRET, "rdf:RDF"), "&xxe;"),
    ),
    HarvestDocument(
        "rdf-xxe-http",
        "rdf",
        lambda url: rdf(
            files.external_entity_doctype(f"{url}/evil/entity", "rdf:RDF"), "&xxe;"
        ),
    ),
    HarvestDocument(
        "rdf-external-dtd",
        "rdf",
        lambda url: rdf(files.external_dtd_doctype(f"{url}/evil/rdf.dtd", "rdf:RDF")),
    ),
    HarvestDocument(
        "jsonld-remote-context",
        "jsonld",
        lambda url: jsonld({"@context": f"{url}/evil/context", "@id": "x"}),
    ),
    HarvestDocument(
        "jsonld-context-in-a-node",
        "jsonld",
        lambda url: jsonld(
            {
                "@context": DCAT_CONTEXT,
                "@graph": [
                    {
                        "@id": "http://x.org/1",
                        "@type": "dcat:Dataset",
                        "dct:title": "Titre",
                        "dct:publisher": {
                            "@context": f"{url}/evil/node",
                            "@id": "http://x.org/p",
                        },
                    }
                ],
            }
        ),
    ),
    HarvestDocument(
        "jsonld-scoped-context",
        "jsonld",
        lambda url: jsonld(
            {
                "@context": {
                    **DCAT_CONTEXT,
                    "pub": {"@id": "dct:publisher", "@context": f"{url}/evil/scoped"},
                },
                "@id": "http://x.org/1",
                "@type": "dcat:Dataset",
                "dct:title": "Titre",
                "pub": {"@id": "http://x.org/p"},
            }
        ),
    ),
    HarvestDocument(
        "jsonld-import-file",
        "jsonld",
        lambda url: jsonld(
            {
                "@context": [DCAT_CONTEXT, {"@import": SECRET}],
                "@id": "http://x.org/1",
                "@type": "dcat:Dataset",
            }
        ),
    ),
    HarvestDocument(
        "jsonld-deep-nesting",
        "jsonld",
        lambda url: b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    ),
    HarvestDocument(
        "turtle-not-utf8",
        "turtle",
        lambda url: (
            b"@prefix dct: <http://purl.org/dc/terms/> .\n<x> dct:title '\xff' ."
        ),
    ),
    HarvestDocument(
        "csw-page-billion-laughs",
        "csw-page",
        lambda url: csw_page(
            files.billion_laughs_doctype("csw:GetRecordsResponse"), "&lol9;"
        ),
    ),
    HarvestDocument(
        "csw-page-xxe-http",
        "csw-page",
        lambda url: csw_page(
            files.external_entity_doctype(
                f"{url}/evil/entity", "csw:GetRecordsResponse"
            ),
            "&xxe;",
        ),
    ),
    HarvestDocument(
        "csw-capabilities-xxe-file",
        "csw-capabilities",
        lambda url: capabilities(
            files.external_entity_doctype(SECRET, "Capabilities"), "&xxe;"
        ),
    ),
    HarvestDocument(
        "csw-capabilities-xxe-http",
        "csw-capabilities",
        lambda url: capabilities(
            files.external_entity_doctype(f"{url}/evil/entity", "Capabilities"),
            "&xxe;",
        ),
    ),
]
CASES = [
    pytest.param(document, route, id=f"{route}-{document.id}")
    for document in HARVEST_DOCUMENTS
    for route in ROUTES[document.kind]
]


def test_corpus_ids_are_unique():
    ids = [document.id for document in HARVEST_DOCUMENTS]
    assert len(set(ids)) == len(ids)


def _nothing_leaked() -> None:
    texts = [
        value
        for model, fields in (
            (Provenance, ("document",)),
            (Dataset, ("title", "identifier")),
            (HarvestRun, ("error",)),
        )
        for row in model.objects.values_list(*fields)
        for value in row
    ] + [json.dumps(report) for report in HarvestRun.objects.values_list("report")]
    assert not [text for text in texts if SECRET_LINE in (text or "")]
    assert not [text for text in texts if "followed" in (text or "")]


def _serve(listener, path: str, document: HarvestDocument) -> str:
    body = document.build(listener.url)
    listener.answers[path] = (CONTENT_TYPES[EXTENSIONS[document.kind]], body)
    return f"{listener.url}{path}"


def _import(document, listener, tmp_path) -> str:
    path = tmp_path / f"hostile{EXTENSIONS[document.kind]}"
    path.write_bytes(document.build(listener.url))
    output = io.StringIO()
    with pytest.raises(CommandError, match="Rien n.a pu être importé"):
        call_command("catalog", "import", str(path), "--no-progress", stdout=output)
    run = HarvestRun.objects.get()
    assert run.failed_count == 1
    return json.dumps(run.report, ensure_ascii=False)


def _harvest(kind: str, url: str) -> str:
    source = harvest_source_create(name="hostile", kind=kind, url=url, page_size=10)
    run = harvest_source(source=source)
    assert run.status == HarvestRun.Status.FAILED
    return run.error


def _route(route, document, listener, tmp_path) -> str:
    if route == "import":
        return _import(document, listener, tmp_path)
    path = f"/catalogue{EXTENSIONS[document.kind]}"
    if route in ("document", "dcat"):
        return _harvest(route, _serve(listener, path, document))
    capabilities_path = "/csw?service=CSW&version=2.0.2&request=GetCapabilities"
    if route == "csw":
        listener.answers[capabilities_path] = ("application/xml", CAPABILITIES)
        _serve(listener, "/csw", document)  # the GetRecords POST
        return _harvest("csw", f"{listener.url}/csw")
    _serve(listener, capabilities_path, document)
    return _harvest("csw", f"{listener.url}/csw")


@pytest.mark.parametrize(("document", "route"), CASES)
@pytest.mark.django_db(transaction=True)
def test_hostile_document_fails_the_run_and_writes_nothing(
    document, route, listener, tmp_path
):
    reason = _route(route, document, listener, tmp_path)

    assert reason.strip()
    assert Dataset.objects.count() == 0
    assert Provenance.objects.count() == 0
    assert listener.evil_requests == []
    _nothing_leaked()


@pytest.mark.django_db(transaction=True)
def test_a_good_document_is_imported_by_the_same_routes(listener, tmp_path):
    # The cases above would pass if the routes imported nothing at all.
    listener.answers["/record.xml"] = ("application/xml", ISO_RECORD)
    source = harvest_source_create(
        name="good", kind="document", url=f"{listener.url}/record.xml"
    )
    path = tmp_path / "record.xml"
    path.write_bytes(ISO_RECORD)

    harvested = harvest_source(source=source)
    call_command("catalog", "import", str(path), "--no-progress", stdout=io.StringIO())

    assert harvested.status == HarvestRun.Status.SUCCEEDED
    assert Dataset.objects.count() == 1
    assert Provenance.objects.count() == 2
