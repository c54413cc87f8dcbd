"""An empty installation greets the fundraiser with the first steps, each with its links, until the first
application is in."""


def test_an_empty_installation_shows_the_first_steps_to_the_fundraiser(client, login_as, create_organisation):
    login_as("fundraiser")
    page = client.get("/").get_data(as_text=True)
    assert 'id="getting-started"' in page
    for link in (
        "/imports/organisations",
        "/imports/applications",
        "/imports/funders",
        "/funders/",
        "/feeds/",
        "/users/new",
        "/calendars/",
        "/account",
    ):
        assert f'href="{link}"' in page, link
    assert "✓" not in page.split('id="getting-started"')[1].split("</section>")[0]
    create_organisation("Café Kornet")
    steps = client.get("/").get_data(as_text=True).split('id="getting-started"')[1].split("</section>")[0]
    assert steps.count("✓") == 1


def test_the_first_steps_go_once_there_is_an_application(client, login_as, create_application):
    login_as("fundraiser")
    create_application(title="Køkkenskolen")
    assert 'id="getting-started"' not in client.get("/").get_data(as_text=True)


def test_members_and_viewers_are_not_shown_the_first_steps(client, login_as, create_organisation):
    login_as("member", organisation=create_organisation("Café Kornet"))
    assert 'id="getting-started"' not in client.get("/").get_data(as_text=True)
