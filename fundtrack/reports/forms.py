"""The report schedule's form."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from fundtrack.forms import Form, OptionalIntegerField, choices
from fundtrack.i18n import translate_label
from fundtrack.reports.models import PERIOD_KINDS

LANGUAGES = {"da": "Dansk", "en": "English"}


class ScheduleForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    period_kind = SelectField(_l("Which overview"), choices=[], validate_choice=False)
    days_after = OptionalIntegerField(
        _l("Days after the period's end"),
        default=10,
        description=_l("Time for the decisions of the period's last days to be entered."),
    )
    to_viewers = BooleanField(_l("To every viewer (the committee's readers)"), default=True)
    addresses = TextAreaField(
        _l("And to these addresses"), validators=[Length(max=10_000)], description=_l("One per line, or separated by commas.")
    )
    language = SelectField(_l("Language"), choices=[], validate_choice=False)
    with_fees = BooleanField(_l("With the fundraiser's fees"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.period_kind.choices = choices((key, translate_label(label)) for key, label in PERIOD_KINDS.items())
        self.language.choices = choices(LANGUAGES.items())

    def values(self) -> dict:
        return {
            "name": self.name.data.strip(),
            "period_kind": self.period_kind.data,
            "days_after": self.days_after.data,
            "to_viewers": bool(self.to_viewers.data),
            "addresses": [a for a in (self.addresses.data or "").replace(",", "\n").replace(";", "\n").split("\n")],
            "language": self.language.data if self.language.data in LANGUAGES else "da",
            "with_fees": bool(self.with_fees.data),
        }
