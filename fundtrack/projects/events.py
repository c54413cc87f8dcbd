"""What the projects domain asks of the domains above it."""

from fundtrack.events import signals

page_sections = signals.signal("project_page_sections")
page_sections.__doc__ = """Parts of a project's page from other domains (its documents): receivers get the project and
`user` and return a Section."""
