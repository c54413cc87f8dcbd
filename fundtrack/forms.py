"""The base form of every fundtrack form: WTForms' own messages translated through fundtrack's catalog.

WTForms ships no Danish messages, so the messages its validators and fields use are listed
here for the extractor and translated in fundtrack's own catalog.
"""

import datetime as dt
import re

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from fundtrack.i18n_markers import N_
from fundtrack.money import parse_dkk
from fundtrack.spreadsheets import parse_date
from fundtrack.tags import MAX_TAG_LENGTH
from fundtrack.validation import EARLIEST_DAY, LATEST_DAY

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
    N_("A tag may hold %(max)d characters; this one is longer: %(tag)s"),
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


class AmountField(StringField):
    """An amount in DKK typed the Danish or the English way; `data` is whole øre (or None)."""

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else ""
        if not self.raw or not self.raw.strip():
            self.data = None
            return
        try:
            self.data = parse_dkk(self.raw)
        except ValueError:
            self.data = None
            raise ValueError(_l("Not an amount. Write e.g. 250.000 or 250000,50.")) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        kroner, ore = divmod(self.data, 100)
        return f"{kroner:,}".replace(",", ".") + (f",{ore:02d}" if ore else "")


class DayField(DateField):
    """A date from the browser's date picker (ISO) or typed the Danish way (1/3/2027, 1. marts 2027), within
    the years fundtrack keeps: a year such as 9999 is refused here, in every form, with what was typed kept."""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            self.data = None
            return
        try:
            self.data = parse_date(text)
        except ValueError:
            self.data = None
            raise ValueError(self.gettext("Not a valid date value.")) from None
        if not EARLIEST_DAY <= self.data <= LATEST_DAY:
            self.data = None
            raise ValueError(
                get_translations().gettext("Give a date between %(first)d and %(last)d.")
                % {"first": EARLIEST_DAY.year, "last": LATEST_DAY.year}
            )


CLOCK = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


class ClockField(StringField):
    """A time of day, typed `12:00` or `12.00`; empty for none. Its data is a `datetime.time` or None."""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not text:
            return
        match = CLOCK.match(text)
        if not match:
            raise ValueError(get_translations().gettext("Give a time such as 12:00."))
        self.data = dt.time(int(match.group(1)), int(match.group(2)))

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.data.strftime("%H:%M") if isinstance(self.data, dt.time) else (self.data or "")


class OptionalIntegerField(IntegerField):
    """A whole number that may be left empty."""

    def process_formdata(self, valuelist):
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        super().process_formdata(valuelist)


class TagsField(StringField):
    """Tags separated by commas. A tag longer than a tag may be, or a list longer than the field holds, is
    refused with a message: `parse_tags` would otherwise cut it without a word."""

    LIST_LIMIT = 2000

    def pre_validate(self, form):
        text = self.data or ""
        if len(text) > self.LIST_LIMIT:
            raise ValidationError(self.gettext("Field cannot be longer than %(max)d characters.") % {"max": self.LIST_LIMIT})
        too_long = next((tag.strip() for tag in re.split(r"[,;\n]", text) if len(tag.strip()) > MAX_TAG_LENGTH), None)
        if too_long:
            message = get_translations().ugettext("A tag may hold %(max)d characters; this one is longer: %(tag)s")
            raise ValidationError(message % {"max": MAX_TAG_LENGTH, "tag": too_long[:40] + "…"})
