"""Reading catalogue documents (ISO 19139, ISO 19115-3, DCAT) into ``RecordData``.

Pure Python (lxml, rdflib, shapely): nothing here imports Django models or touches
the database, so the parsers are tested on the bundled samples without one.
"""
