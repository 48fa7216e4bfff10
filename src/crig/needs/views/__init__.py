"""Pages of the needs module: ``needs`` (needs, supports, maps, the secretariat's
decisions) and ``priorities`` (score, weights, prioritisation rounds). Each module
exposes its ``routes``, gathered by ``crig.needs.urls``."""
