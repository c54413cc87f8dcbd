"""Project and budget-line forms."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from fundtrack.forms import AmountField, DayField, Form


class ProjectForm(Form):
    organisation = SelectField(_l("Organisation"), choices=[], validate_choice=False)
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description (the idea, the small trial)"), validators=[Length(max=5000)])
    start_on = DayField(_l("Start"))
    end_on = DayField(_l("End"))


class LineForm(Form):
    side = SelectField(_l("Cost or income"), choices=[], validate_choice=False)
    kind = SelectField(_l("Where the money comes from"), choices=[], validate_choice=False)
    application = SelectField(_l("Application"), choices=[], validate_choice=False)
    label = StringField(_l("Line (e.g. wages, kitchen equipment)"), validators=[Length(max=200)])
    amount_ore = AmountField(_l("Amount (DKK; for an application, if only part of it funds the project)"))
    covers = SelectField(_l("Covers the cost"), choices=[], validate_choice=False)
