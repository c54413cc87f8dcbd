"""The start page: what needs doing next."""
