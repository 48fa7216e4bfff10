"""Pages of the funding module: ``requests`` (files, review, opinions) and
``register`` (the public register). Each module exposes its ``routes``."""
