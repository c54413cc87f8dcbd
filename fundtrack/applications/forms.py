"""Application forms: the application itself, a stage move, money received and money reclaimed."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from fundtrack.forms import AmountField, DayField, Form


class ApplicationForm(Form):
    # The choices are offered for convenience; the view resolves the ids and the service checks them.
    organisation = SelectField(_l("Organisation"), choices=[], validate_choice=False)
    funder = SelectField(_l("Funder"), choices=[], validate_choice=False)
    round = SelectField(_l("Round"), choices=[], validate_choice=False)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=250)])
    purpose = TextAreaField(_l("Purpose"))
    amount_requested_ore = AmountField(_l("Amount requested (DKK)"))
    amount_granted_ore = AmountField(_l("Amount granted (DKK)"))
    project_start_on = DayField(_l("Project starts"))
    project_end_on = DayField(_l("Project ends"))
    owner = SelectField(_l("Owner"), choices=[], validate_choice=False)
    cosigned_on = DayField(_l("Co-signed by the municipality on"))
    cosigned_by = StringField(_l("Co-signed by"), validators=[Length(max=200)])
    notes = TextAreaField(_l("Notes"))


class MoveForm(Form):
    to = HiddenField()
    reason_code = SelectField(_l("Reason for the rejection"), choices=[], validate_choice=False)
    reason = TextAreaField(_l("Comment"))
    amount_granted_ore = AmountField(_l("Amount granted (DKK)"))
    decided_on = DayField(_l("Date of the decision"))
    override_reason = TextAreaField(_l("Submit anyway, because (fundraisers only; kept in the history)"))


class MoneyReceivedForm(Form):
    money_received_on = DayField(_l("Money received on"), validators=[InputRequired()])


class ReclaimForm(Form):
    amount = AmountField(_l("Amount reclaimed (DKK)"), validators=[DataRequired()])
    reclaimed_on = DayField(_l("Reclaimed on"), validators=[InputRequired()])
    reason = TextAreaField(_l("Why"), validators=[DataRequired()])


class PartnerForm(Form):
    organisation = SelectField(_l("Partner organisation"), choices=[], validate_choice=False)
    share = StringField(_l("Its share of the budget (per cent)"), validators=[Length(max=20)])


class ShareForm(Form):
    share = StringField(_l("Share of the budget (per cent)"), validators=[Length(max=20)])
