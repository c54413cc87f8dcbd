"""The form of how a user gets reminders."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField

from fundtrack.deadlines.models import DEADLINE_KINDS
from fundtrack.forms import Form, choices
from fundtrack.i18n import translate_label
from fundtrack.i18n_markers import N_

KNOWN_KINDS = {
    **DEADLINE_KINDS,
    "calls": N_("Open calls passed on"),
    "task": N_("Tasks assigned to me"),
    "mention": N_("Mentions by e-mail"),
}


class ReminderForm(Form):
    language = SelectField(_l("Language"), choices=choices([("da", "Dansk"), ("en", "English")]))
    alert_mode = SelectField(
        _l("Reminders"), choices=choices([("immediate", _l("Each reminder at once")), ("digest", _l("One daily digest"))])
    )
    alert_opt_out = SelectMultipleField(_l("Kinds I do not want reminders about"), choices=[], validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.alert_opt_out.choices = choices((k, translate_label(v)) for k, v in KNOWN_KINDS.items())

    @classmethod
    def for_user(cls, user):
        """The form filled in with the user's choices."""
        form = cls(formdata=None)
        form.language.data, form.alert_mode.data, form.alert_opt_out.data = user.language, user.alert_mode, user.alert_opt_out
        return form
