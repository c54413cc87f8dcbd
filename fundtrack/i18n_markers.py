"""A marker for text that is translated later, where it is shown.

Models and services stay free of Flask; they mark their labels with N_ so that the
message extractor finds them, and templates translate them with _() at render time.
"""


def N_(text: str) -> str:
    return text
