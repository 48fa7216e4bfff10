"""Reading remote catalogues: CSW 2.0.2, paged DCAT, single documents.

Every request has a timeout and a response size cap (``http.fetch``); every source
reader yields pages of ``RecordData`` and raises ``HarvestSourceError`` when the
source cannot be read to the end, so the service can keep the previous records.
No Django models here.
"""
