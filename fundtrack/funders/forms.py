"""Funder, contact and round forms."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from fundtrack.forms import AmountField, DayField, Form, OptionalIntegerField, TagsField, choices


class FunderForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=[])
    website = StringField(_l("Website"), validators=[Length(max=300)])
    description = TextAreaField(_l("Description"))
    focus_tags = TagsField(_l("Focus (tags, separated by commas)"))
    un_goals = StringField(_l("UN goals (numbers 1-17)"), validators=[Length(max=100)])
    grant_min_ore = AmountField(_l("Smallest typical grant (DKK)"))
    grant_max_ore = AmountField(_l("Largest typical grant (DKK)"))
    allows_consultant_fees = SelectField(
        _l("May consultant fees be paid from the grant?"),
        choices=choices([("", _l("Not known")), ("yes", _l("Yes")), ("no", _l("No"))]),
    )
    cooldown_after_grant_months = OptionalIntegerField(
        _l("Wait after a grant before asking again (months)"),
        description=_l("Counted from the day of the last grant; a grant whose project still runs holds the next ask as well."),
    )
    cooldown_after_rejection_months = OptionalIntegerField(
        _l("Wait after a rejection before asking again (months)"),
        description=_l("Many foundations ask for a pause after a no, often a year; leave empty if they do not."),
    )
    interim_report_months = OptionalIntegerField(_l("Interim report, months after the project starts"))
    final_report_months = OptionalIntegerField(_l("Final report, months after the project ends"))
    instalment_shares = StringField(
        _l("Usual instalments (per cent of the grant, e.g. 50, 40, 10)"), validators=[Length(max=100)]
    )
    notes = TextAreaField(_l("Notes"))


class RoundForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Repeats"), choices=[])
    yearly_dates = StringField(_l("Dates every year (e.g. 1. marts og 1. september, or 01-03, 01-09)"))
    month_day = OptionalIntegerField(_l("Day of the month"))
    once_on = DayField(_l("Date (one-off round)"))
    rule = StringField(_l("Custom rule (RRULE)"))
    deadline_time = StringField(_l("Time of day (e.g. 12:00; empty for the whole day)"))
    active = BooleanField(_l("Active"), default=True)
    notes = TextAreaField(_l("Notes"))
