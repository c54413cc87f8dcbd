"""Contact people of organisations and of funders: one model, one form, one service for both."""
