"""The load test (``make load``, ``python -m bench.load``): many people using the
site at once, on this machine, against the production stack — gunicorn serving
``crig.wsgi`` with production settings (``CRIG_DEBUG`` unset, hashed static files
through WhiteNoise, argon2, every middleware) — on SQLite and on PostgreSQL.

For each database, in a throwaway directory: migrate, load the demo (``crig
demo``; on SQLite the loaded file is kept under ``var/bench/`` for the next runs of
the same day), ``crig collectstatic``, pick the pages to visit
(``targets.py``), start gunicorn, wait for ``/healthz``, warm each worker up, run
locust headless (``locustfile.py``: the visitors, the mix of pages and API calls,
the think time), stop everything, and write requests/s, p50/p95/p99 and errors,
overall and per endpoint, to ``bench/load-results.json``.

PostgreSQL: ``CRIG_DATABASE_URL`` (``postgres://…``, an empty database: the demo
is loaded into it) if set, otherwise a throwaway cluster of the newest installed
server (``apt-get install postgresql``), started as ``.ci/run`` does (``initdb``
and ``pg_ctl`` as the ``postgres`` user, through ``runuser``: run as root) but
with the server's default settings: ``fsync`` stays on, since a load figure
should include durable writes.

The figures include locust itself, which runs on the same machine as the server.
"""

#: Uniform pause between two requests of one visitor, in seconds: reading a page.
THINK_TIME_SECONDS = (1, 5)
#: gunicorn on 2 cores: see docs/deployment.md ("Application server").
GUNICORN_WORKERS = 3
GUNICORN_THREADS = 4
GUNICORN_TIMEOUT = 60
#: Longer than the longest think time: locust, unlike a browser, does not retry a
#: request on a kept-alive connection the server closed meanwhile, which would
#: count as an error of the site. (Behind nginx, which opens the connections to
#: gunicorn, the question does not arise.)
GUNICORN_KEEP_ALIVE = 10
#: The target of issue 9: zero errors and a 95th percentile under this.
TARGET_P95_MS = 300
