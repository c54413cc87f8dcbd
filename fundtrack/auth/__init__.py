"""Users, login, roles and the one place where access to every view is decided."""
