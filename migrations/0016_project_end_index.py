"""The overviews find the grants whose project runs in a period by the day the project ends."""


def up(migrator, db):
    migrator.migrate(migrator.add_index("application", ("project_end_on",)))


def down(migrator, db):
    migrator.migrate(migrator.drop_index("application", "application_project_end_on"))
