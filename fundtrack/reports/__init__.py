"""Quarterly, half-yearly and yearly funding overviews for the political committee and the annual report."""
