"""The task form and the task template form."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from fundtrack.forms import DayField, Form, OptionalIntegerField


class TaskForm(Form):
    title = StringField(_l("Task"), validators=[InputRequired(), Length(max=200)])
    due_on = DayField(_l("Due"), validators=[InputRequired()])
    assignee = SelectField(_l("Assigned to"), choices=[], validate_choice=False)
    notes = TextAreaField(_l("Notes"))


class TemplateForm(Form):
    deadline_kind = SelectField(_l("Deadline kind"), choices=[])
    title = StringField(_l("Task"), validators=[InputRequired(), Length(max=200)])
    days_before = OptionalIntegerField(_l("Days before the deadline"), validators=[InputRequired()])
    assign_to = SelectField(_l("Assigned to"), choices=[])
