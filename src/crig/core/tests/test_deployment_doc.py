"""docs/deployment.md lists every ``CRIG_*`` variable the settings read, so that an
operator finds each one there; a new variable without its line fails here."""

import re
from pathlib import Path

import crig.settings

SETTINGS = Path(crig.settings.__file__)
GUIDE = SETTINGS.parents[2] / "docs" / "deployment.md"
# A name read from the environment: the first argument of env_str, env_bool,
# env_int or env_list (or of os.environ / os.getenv, were one ever used).
READ = re.compile(
    r"""(?:env_\w+|environ\.get|getenv|environ)\s*[(\[]\s*["'](CRIG_[A-Z0-9_]+)["']"""
)
# The guide's table: one row per variable, its name in backquotes first.
ROW = re.compile(r"^\|\s*`(CRIG_[A-Z0-9_]+)`", re.MULTILINE)


def variables_read(source: str) -> set[str]:
    return set(READ.findall(source))


def test_reading_is_recognised():
    source = (
        'DEBUG = env_bool("CRIG_DEBUG", default=False)\n'
        "PORT = env_int(\n    'CRIG_EMAIL_PORT', 25)\n"
        'X = os.environ.get("CRIG_X")\n'
        'MESSAGE = "CRIG_NOT_READ is mentioned only"\n'
    )

    assert variables_read(source) == {"CRIG_DEBUG", "CRIG_EMAIL_PORT", "CRIG_X"}


def test_settings_read_a_few_dozen_variables():
    # Guards the pattern itself: were it to stop matching, the next test would
    # pass with nothing to check.
    assert len(variables_read(SETTINGS.read_text(encoding="utf-8"))) >= 40


def test_guide_lists_every_variable_the_settings_read():
    read = variables_read(SETTINGS.read_text(encoding="utf-8"))
    listed = set(ROW.findall(GUIDE.read_text(encoding="utf-8")))

    assert sorted(read - listed) == [], "add these to docs/deployment.md"


def test_guide_lists_no_variable_the_settings_do_not_read():
    read = variables_read(SETTINGS.read_text(encoding="utf-8"))
    listed = set(ROW.findall(GUIDE.read_text(encoding="utf-8")))

    assert sorted(listed - read) == [], "remove these from docs/deployment.md"
