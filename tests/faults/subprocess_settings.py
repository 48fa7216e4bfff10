"""Settings of the processes the fault tests start (workers, commands): the
project's, with e-mails written to files the test reads."""

import os

from crig.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["CRIG_TEST_EMAIL_DIR"]
