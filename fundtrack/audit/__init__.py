"""The record of every change: who changed which record, when, from what to what; shown as each record
page's History and as the fundraiser's activity page.

A core module: it imports no domain. Each domain describes its tables once (`describe`: labels, how each
field is shown, which page and organisation a record belongs to), and its services record every write.
"""
