"""The ``bundle_db`` fixture lives in ``tests/conftest.py`` so every test package can use it."""
