"""Reads of the funding module: requests (the confidential files), the public
register of opinions, and the analysis shown beside a file."""
