"""axe-core finds no accessibility problem on any page type, in the light or the dark colour scheme."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.page_types import PAGE_TYPES

AXE = Axe()


def axe_violations(page):
    results = AXE.run(page)
    return results.violations_count, results.generate_report()


@pytest.mark.parametrize("scheme", ["javascript", "dark"], ids=["light", "dark"])
@pytest.mark.parametrize("page_type", PAGE_TYPES, ids=str)
def test_axe_finds_no_violations(open_page, site, page_type, scheme):
    page = open_page(scheme)
    response = page.goto(site.url(page_type.path))
    assert response.status == page_type.status
    count, report = axe_violations(page)
    assert count == 0, report


def test_axe_reports_a_page_with_problems(open_page, site):
    page = open_page()
    page.goto(site.url("/"))
    # An image without a text alternative and an unlabelled field: axe must object.
    page.evaluate(
        """() => {
            const main = document.querySelector("main");
            main.insertAdjacentHTML("beforeend", '<img src="/static/img/favicon.svg"><input type="text">');
        }"""
    )
    count, report = axe_violations(page)
    assert count >= 2, report
    assert "image-alt" in report and "label" in report
