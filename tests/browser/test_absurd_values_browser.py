"""Every form of every page, filled with absurd values in a real browser: none answers 500, and a form that
is refused comes back with what was typed still in it."""

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

pytestmark = pytest.mark.browser

# Forms that end or remove something, or leave the page for another reason: they are tried elsewhere.
SKIPPED_ACTIONS = re.compile(r"/(delete|remove|logout|undo|language|reopen|dismiss)\b|/login$")

# The forms of the page worth filling: their index, action and method, and what makes two of them the same
# form (so that a form repeated on many pages, or in every row of a list, is tried once).
FORMS = """() => Array.from(document.querySelectorAll("main form")).map((form, index) => {
    const fields = Array.from(form.elements).filter((el) => el.name && !el.disabled &&
        !["hidden", "submit", "button", "file", "checkbox", "radio", "password"].includes(el.type));
    const action = new URL(form.action, location.href);
    return {index, action: action.pathname, method: (form.getAttribute("method") || "get").toLowerCase(),
            confirm: form.hasAttribute("data-confirm"), fields: fields.length,
            shape: action.pathname.replace(/\\d+/g, "N") + " " + fields.map((el) => el.name).sort().join(",")};
})"""

# Fills the form with values no person means: numbers beyond any bound, Unicode digits, impossible dates,
# text far longer than any field, an option the select never offered. The browser's own checks (type,
# maxlength, required) are taken off, as a hand-made request would. Answers what was typed, by field name.
FILL = """(index) => {
    const form = document.querySelectorAll("main form")[index];
    form.noValidate = true;
    const typed = {};
    const absurd = (el) => {
        const name = el.name.toLowerCase(), type = el.getAttribute("type") || el.tagName.toLowerCase();
        if (type === "date" || /(_on|date|_at|^from$|^to$|until|since)$/.test(name)) return "31.02.99999";
        if (type === "number" || /(amount|ore|kr|percent|share|count|days|year|number|people|hours|minutes)/.test(name))
            return "9".repeat(40);
        if (type === "time") return "25:61";
        if (el.tagName === "TEXTAREA") return "Lang tekst æøå 😀 ".repeat(1500);
        return "²³ " + "Ж".repeat(1200);
    };
    Array.from(form.elements).forEach((el) => {
        if (!el.name || el.disabled) return;
        ["maxlength", "minlength", "min", "max", "required", "pattern", "step"].forEach((a) => el.removeAttribute(a));
        if (el.tagName === "SELECT") {
            const option = document.createElement("option");
            option.value = "99999999999999999999";
            option.textContent = "absurd";
            el.append(option);
            el.value = option.value;
            return;
        }
        if (["hidden", "submit", "button", "file", "checkbox", "radio", "password"].includes(el.type)) return;
        const value = absurd(el);
        if (el.tagName === "INPUT") el.type = "text";
        el.value = value;
        typed[el.name] = value;
    });
    return typed;
}"""

# What the form now holds, by field name, after the server's answer: the form with the same action, or the
# form that took its place (a fuller form of the same record). A date or number input shows the value the
# server sent back only in its attribute: the browser clears what its own picker could never produce.
KEPT = """([action, names]) => {
    const forms = Array.from(document.querySelectorAll("main form"));
    const form = forms.find((f) => new URL(f.action, location.href).pathname === action) ||
        forms.find((f) => names.every((name) => f.elements.namedItem(name)));
    if (!form) return null;
    const kept = {};
    Array.from(form.elements).forEach((el) => {
        if (el.name) kept[el.name] = ["date", "number", "time"].includes(el.type) ? el.getAttribute("value") || "" : el.value;
    });
    return kept;
}"""

REFUSED = "document.querySelector('.field-error, .flash-error, .errors, .alert, [aria-invalid=true]') !== null"


def _forms_to_try(page, address, seen):
    for form in page.evaluate(FORMS):
        if form["confirm"] or not form["fields"] or SKIPPED_ACTIONS.search(form["action"]) or form["shape"] in seen:
            continue
        seen.add(form["shape"])
        yield form


def _submit(page, form):
    typed = page.evaluate(FILL, form["index"])
    try:
        with page.expect_navigation(timeout=20_000) as answer:
            page.evaluate("(i) => document.querySelectorAll('main form')[i].requestSubmit()", form["index"])
    except PlaywrightTimeout:
        return typed, None
    return typed, answer.value


def _lost(typed, kept):
    """The fields whose typed text did not come back (a browser sends a textarea's line ends as CR LF)."""
    return sorted(name for name, value in typed.items() if name in kept and kept[name].replace("\r\n", "\n") != value)


def test_no_form_answers_500_and_a_refused_form_keeps_what_was_typed(browser, live_server, demo_pages):
    context = browser.new_context(locale="da-DK", timezone_id="Europe/Copenhagen")
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", "fundraiser@example.dk")
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server}/")
    problems, seen, tried = [], set(), 0
    for address in demo_pages:
        page.goto(live_server + address)
        for form in list(_forms_to_try(page, address, seen)):
            page.goto(live_server + address)
            typed, answer = _submit(page, form)
            tried += 1
            where = f"{form['method'].upper()} {form['action']} (from {address})"
            if answer is None:
                problems.append(f"{where}: no page answered")
                page.wait_for_load_state()
                continue
            if answer.status >= 500:
                problems.append(f"{where}: answers {answer.status}")
                continue
            if form["method"] != "post" or not page.evaluate(REFUSED):
                continue
            kept = page.evaluate(KEPT, [form["action"], sorted(typed)])
            if kept is None:
                problems.append(f"{where}: refused, but the form is gone")
            elif lost := _lost(typed, kept):
                problems.append(f"{where}: refused, and lost what was typed in {', '.join(lost)}")
    context.close()
    assert tried > 40, f"only {tried} forms were found"
    assert not problems, "\n".join(problems)
