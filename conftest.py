"""Test-wide fixtures: each app's fixtures module is a pytest plugin."""

pytest_plugins = [
    "crig.territory.tests.fixtures",
    "crig.members.tests.fixtures",
]
