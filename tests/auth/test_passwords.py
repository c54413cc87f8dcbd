"""New passwords are checked as Django checks them: length, the common passwords, digits only, and likeness to
the user's e-mail address and name."""

import pytest

from fundtrack.auth.services import password_problem


@pytest.mark.parametrize(
    "password, problem",
    [
        ("kort", "at least"),
        ("x" * 129, "at most"),
        ("12345678901", "only digits"),
        ("password1", "most common"),
        ("Qwertyuiop", "most common"),
        ("mette.holm", "too like"),
        ("MetteHolm!", "too like"),
        ("kommune.example", None),  # the domain alone is not the person
        ("correct horse battery", None),
        ("Grønne haver i Aarhus Vest", None),
    ],
)
def test_a_new_password_is_checked(password, problem):
    found = password_problem(password, email="mette.holm@kommune.example.dk", name="Mette Holm")
    assert (found is None) == (problem is None), found
    if problem:
        assert problem in found[0]


def test_a_refused_new_password_says_why_on_the_account_page(client, login_as):
    from tests.conftest import post

    login_as("viewer", name="Mette Holm", email="mette.holm@kommune.example.dk")
    answer = post(client, "/account", {"current": "correct horse", "password": "password1"}, token_from="/account")
    assert answer.status_code == 400 and "mest almindelige" in answer.get_data(as_text=True)
