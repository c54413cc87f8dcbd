"""The base form of every fundtrack form: WTForms' own messages translated through fundtrack's catalog.

WTForms ships no Danish messages, so the messages its validators and fields use are listed
here for the extractor and translated in fundtrack's own catalog.
"""
from flask_babel import get_translations
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from fundtrack.i18n_markers import N_

WTFORMS_MESSAGES = (
    N_("This field is required."),
    N_("Not a valid choice."),
    N_("Invalid Choice: could not coerce."),
    N_("Not a valid integer value."),
    N_("Not a valid decimal value."),
    N_("Not a valid float value."),
    N_("Not a valid date value."),
    N_("Not a valid datetime value."),
    N_("Not a valid time value."),
    N_("Number must be at least %(min)s."),
    N_("Number must be at most %(max)s."),
    N_("Number must be between %(min)s and %(max)s."),
    N_("Date must be at least %(min)s."),
    N_("Date must be at most %(max)s."),
    N_("Invalid input."),
    N_("Invalid email address."),
    N_("Invalid URL."),
    N_("Field must be at least %(min)d characters long."),
    N_("Field cannot be longer than %(max)d characters."),
    N_("Field must be exactly %(max)d characters long."),
    N_("Field must be between %(min)d and %(max)d characters long."),
    N_("The CSRF token is missing."),
    N_("The CSRF token has expired."),
    N_("The CSRF token is invalid."),
    N_("The CSRF tokens do not match."),
    N_("The CSRF session token is missing."),
)


class _CatalogTranslations:
    """WTForms' translation protocol, answered from the request's fundtrack catalog."""

    def gettext(self, string):
        return get_translations().ugettext(string)

    def ngettext(self, singular, plural, n):
        # Danish and English both use the plural form for anything but one; the catalog holds the plural.
        return get_translations().ugettext(plural) if n != 1 else get_translations().ugettext(singular)


class Form(FlaskForm):
    """Every form of fundtrack: CSRF-protected, with messages in the user's language."""

    class Meta:
        def get_translations(self, form):
            return _CatalogTranslations()


def choices(pairs) -> list[SelectChoice]:
    """Options for a SelectField from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]
