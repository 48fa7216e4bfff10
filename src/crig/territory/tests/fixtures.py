"""Territory fixtures (see crig/territory/tests/fixtures.py)."""
