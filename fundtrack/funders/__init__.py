"""Funders: foundations, public pools, EU programmes and company CSR, with their rounds and rules."""
