"""Den Gyldne Donation: each funder's relationship with each organisation, its gifts, and when to ask again."""
