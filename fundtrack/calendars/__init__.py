"""Deadline calendars: secret iCalendar subscription URLs that every calendar client accepts."""
