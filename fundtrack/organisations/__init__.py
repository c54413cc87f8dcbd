"""Partner organisations: the social enterprises and initiatives that apply for funds."""
