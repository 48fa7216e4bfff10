"""pycsw 2.6.2's WSGI application on the loopback, for the search benchmark.

Usage (pycsw virtualenv): serve.py DATABASE PORT. Runs until terminated.
"""

import logging
import os
import sys
import tempfile
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

CONFIG = """\
[server]
home={home}
url=http://127.0.0.1:{port}/csw
mimetype=application/xml; charset=UTF-8
encoding=UTF-8
language=fr-FR
maxrecords=100
loglevel=ERROR
logfile=
pretty_print=false
gzip_compresslevel=6
domainquerytype=list
domaincounts=false
profiles=apiso

[manager]
transactions=false
allowed_ips=127.0.0.1

[metadata:main]
identification_title=pycsw (benchmark peer)
identification_abstract=pycsw 2.6.2 loaded with the crig benchmark catalogue
identification_keywords=benchmark
identification_keywords_type=theme
identification_fees=None
identification_accessconstraints=None
provider_name=crig bench
provider_url=http://127.0.0.1/
contact_name=crig
contact_position=bench
contact_address=-
contact_city=-
contact_stateorprovince=-
contact_postalcode=-
contact_country=France
contact_phone=-
contact_fax=-
contact_email=bench@example.org
contact_url=http://127.0.0.1/
contact_hours=-
contact_instructions=-
contact_role=pointOfContact

[repository]
database=sqlite:///{database}
table=records
"""


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def main(database: str, port: str) -> None:
    logging.disable(logging.CRITICAL)
    directory = tempfile.mkdtemp(prefix="pycsw-peer-")
    configuration = Path(directory) / "pycsw.cfg"
    configuration.write_text(
        CONFIG.format(home=directory, port=port, database=database), encoding="utf-8"
    )
    os.environ["PYCSW_CONFIG"] = str(configuration)
    from pycsw import wsgi

    def application(environ, start_response):
        # pycsw computes Content-Length before gzipping: never let it gzip.
        environ.pop("HTTP_ACCEPT_ENCODING", None)
        environ["PYCSW_CONFIG"] = str(configuration)
        return wsgi.application(environ, start_response)

    server = make_server(
        "127.0.0.1", int(port), application, handler_class=QuietHandler
    )
    server.serve_forever()


if __name__ == "__main__":
    main(*sys.argv[1:])
