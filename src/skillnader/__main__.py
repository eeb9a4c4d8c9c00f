"""``python -m skillnader``: the ``skillnader`` command line."""

from skillnader.cli import main

if __name__ == "__main__":
    main(prog_name="skillnader")
