"""Fee forms: the agreement and the steps of its ledger."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from fundtrack.fees.models import FEE_KINDS, FEE_TRIGGERS
from fundtrack.forms import AmountField, DayField, Form, choices
from fundtrack.i18n import translate_label


class FeeAgreementForm(Form):
    kind = SelectField(_l("Kind of fee"), choices=[])
    percent = StringField(_l("Percentage of the grant"))
    minimum_ore = AmountField(_l("Minimum fee (DKK)"))
    cap_ore = AmountField(_l("Maximum fee (DKK)"))
    fixed_ore = AmountField(_l("Fixed fee (DKK)"))
    trigger = SelectField(
        _l("The fee falls due"),
        choices=[],
        description=_l("No cure, no pay: on the award letter, or only as the money arrives, each instalment its share."),
    )
    notes = TextAreaField(_l("Notes"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices((k, translate_label(v)) for k, v in FEE_KINDS.items())
        self.trigger.choices = choices((k, translate_label(v)) for k, v in FEE_TRIGGERS.items())

    @classmethod
    def for_agreement(cls, agreement):
        """The form filled in with an agreement's terms (or empty for a new one)."""
        form = cls(formdata=None, obj=agreement)
        if agreement is not None and agreement.percent_bp is not None:
            form.percent.data = f"{agreement.percent_bp / 100:g}".replace(".", ",")
        return form


class InvoiceForm(Form):
    number = StringField(_l("Invoice number"), validators=[Length(max=100)])
    on = DayField(_l("Invoiced on"), validators=[InputRequired()])


class PaidForm(Form):
    on = DayField(_l("Paid on"), validators=[InputRequired()])


class WriteOffForm(Form):
    on = DayField(_l("Written off on"), validators=[InputRequired()])
    reason = StringField(_l("Why"), validators=[DataRequired(), Length(max=500)])
