"""Starting Django from outside a web server: the command line, reports and scripts.

Library packages never import this module; the command-line layer and the report commands do,
so that ``setup_django`` has one home below every caller.
"""

from __future__ import annotations

import os


def setup_django() -> None:
    """Configure Django with the project's settings (idempotent)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skillnader.web.settings")
    import django

    django.setup()


def migrate(verbosity: int = 0) -> None:
    """Apply every migration to the configured database, without prompts."""
    from django.core.management import call_command

    call_command("migrate", verbosity=verbosity, interactive=False)
