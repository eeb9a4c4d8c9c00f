"""Typed errors raised to users.

Every error that reaches a user names the file, the place in it (line, cell, key), the value that
was found and what was expected, so that the user knows what to fix.
"""

from __future__ import annotations


class SkillnaderError(Exception):
    """Base class for every error the product reports to a user."""

    exit_code = 1


class InputError(SkillnaderError):
    """Bad input: a file, a cell, an argument.

    ``path`` is the file (or URL), ``location`` a human-readable place ("line 12", "cell B7",
    "keyword VALUES(\"region\")"), ``value`` the offending value (shortened), ``expected`` what
    would have been valid.
    """

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        location: str | None = None,
        value: object = None,
        expected: str | None = None,
    ) -> None:
        self.message = message
        self.path = None if path is None else str(path)
        self.location = location
        self.value = value
        self.expected = expected
        super().__init__(self.__str__())

    def __str__(self) -> str:
        parts = []
        if self.path:
            parts.append(self.path)
        if self.location:
            parts.append(self.location)
        head = ": ".join(parts)
        text = f"{head}: {self.message}" if head else self.message
        if self.value is not None:
            shown = repr(self.value)
            if len(shown) > 80:
                shown = shown[:77] + "..."
            text += f" (found {shown}"
            text += f"; expected {self.expected})" if self.expected else ")"
        elif self.expected:
            text += f" (expected {self.expected})"
        return text


class FormatError(InputError):
    """The file is not a valid instance of its format (syntax, structure, encoding)."""


class EncodingError(FormatError):
    """The bytes cannot be decoded with the declared or detected character set."""


class ShapeError(FormatError):
    """The data does not match the declared dimensions (e.g. too few or too many cells)."""


class ValueFormatError(InputError):
    """A cell holds a value that is neither a number nor a known missing-value symbol."""


class MappingError(InputError):
    """A mapping file or import option is wrong or does not fit the data."""


class AggregationError(MappingError):
    """A mapping sums rows (``aggregate: sum`` or age ``bands``) of a measure that does not add
    up: rates, means, medians, shares and indices cannot be summed, only counts can."""


class UnknownAreaError(InputError):
    """An area code that is not in the database for the level and vintage in question."""


class UnknownIndicatorError(InputError):
    """An indicator id that is not in the catalogue."""


class DuplicateKeyError(InputError):
    """Two cells of one import map to the same indicator × area × group × period."""


class VintageError(InputError):
    """Areas of different vintages would be mixed in one series or one import."""


class NetworkError(SkillnaderError):
    """A remote API could not be reached or answered with an error."""

    exit_code = 3


class MethodError(SkillnaderError, ValueError):
    """A statistical method cannot be applied to these data (too few areas, zeros in a log measure,
    fewer events than the method needs). Raised instead of returning a misleading number."""

    exit_code = 4
