"""Spreadsheet imports: upload, preview every row's errors, and write only a file that is valid throughout."""
