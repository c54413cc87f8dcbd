"""A grant's payment schedule: the instalments the funder pays, planned and received."""
