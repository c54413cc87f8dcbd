"""The error that services raise when input is wrong, naming each field and what is wrong with it."""
from __future__ import annotations


class ValidationError(Exception):
    """Field name -> message (an English msgid, translated where it is shown) and its parameters."""

    def __init__(self, errors: dict[str, str | tuple[str, dict]]):
        self.errors = {
            field: (message if isinstance(message, tuple) else (message, {}))
            for field, message in errors.items()
        }
        super().__init__("; ".join(f"{field}: {message % params if params else message}"
                                   for field, (message, params) in self.errors.items()))


def require(errors: dict, field: str, value, message: str = "This field is required.") -> None:
    """Add a 'required' error for an empty value."""
    if value is None or (isinstance(value, str) and not value.strip()):
        errors[field] = message
