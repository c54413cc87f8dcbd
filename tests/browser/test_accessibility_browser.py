"""Every page, as every role, at a desktop and a phone width: axe-core finds nothing, and no page scrolls sideways."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

AXE = Path(__file__).with_name("axe.min.js")
WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}
ROLES = ("fundraiser", "member", "viewer")


def _violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run(document)).violations")
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})" for v in found]


# The elements that stick out on the right, outside any area that scrolls by itself: what makes a page scroll
# sideways, named so that a failure says where to look.
STICKING_OUT = """() => {
    const root = document.documentElement;
    if (root.scrollWidth <= root.clientWidth + 1) return [];
    const scrolls = (el) => ["auto", "scroll", "hidden"].includes(getComputedStyle(el).overflowX);
    const inside = (el) => { for (let up = el.parentElement; up && up !== root; up = up.parentElement) {
        if (scrolls(up)) return true; } return false; };
    const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
        (el.classList.length ? "." + Array.from(el.classList).join(".") : "");
    return Array.from(document.body.querySelectorAll("*"))
        .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 1 && !inside(el))
        .filter((el) => !Array.from(el.children).some((child) => child.getBoundingClientRect().right > root.clientWidth + 1))
        .slice(0, 3).map(name);
}"""


def _sticking_out(page) -> list[str]:
    return page.evaluate(STICKING_OUT)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_is_accessible_at_both_widths(browser, live_server, demo_pages, role):
    context = browser.new_context(locale="da-DK", timezone_id="Europe/Copenhagen", bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", f"{role}@example.dk")
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server}/")
    problems = []
    for width, size in WIDTHS.items():
        page.set_viewport_size({"width": size[0], "height": size[1]})
        for address in demo_pages:
            answer = page.goto(live_server + address)
            if answer.status >= 500:
                problems.append(f"{width} {address}: answers {answer.status}")
                continue
            problems += [f"{width} {address}: {v}" for v in _violations(page)]
            if width == "phone" and (culprits := _sticking_out(page)):
                problems.append(f"{width} {address}: the page scrolls sideways ({', '.join(culprits)})")
    context.close()
    assert not problems, "\n".join(problems)
