"""The consultation (*remiss*) workflow as a Django app.

An analyst of the secretariat sets up a :class:`~.models.Consultation` (or imports one from a
``skillnader.remiss`` configuration with ``manage.py import_consultation``) and sends it to
boards of the bundled registry (``manage.py sync_boards``). Each board's writers answer per
question or by uploading their official statement, which :mod:`skillnader.remiss` reads and maps
to the questions; every save is kept as a version. Analysts follow the completeness matrix,
review candidate additional challenges and publish the compilation, exported by the library.

URLs live under ``/remiss/`` (see :mod:`.urls`); every page answers ``?format=json`` too.
"""
