"""Smoke test of the browser machinery (live server, Chromium, axe-core) and the public pages that no
journey visits: the start page's way to the sign-in form and the accessibility statement.

The user journeys are in test_journeys.py and test_keyboard.py beside this one; they use the same
fixtures (`page`, `live_server`, `check_a11y`).
"""

from __future__ import annotations

import pytest

SIGN_IN = "/anmelden"


def test_start_page_leads_to_sign_in(page, check_a11y) -> None:
    response = page.goto("/")
    assert response is not None and response.ok, f"GET / answered {response and response.status}"
    assert page.url.split("?")[0].endswith(SIGN_IN)
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator("input[type=password]").count() == 1
    check_a11y(page)


def test_accessibility_statement(page, check_a11y) -> None:
    """The Erklärung zur Barrierefreiheit is public (BITV 2.0 § 7) and itself accessible."""
    response = page.goto("/barrierefreiheit")
    assert response is not None and response.status == 200
    assert page.get_by_role("heading", level=1).count() == 1
    check_a11y(page)


def test_axe_reports_serious_violations(page, check_a11y) -> None:
    """The check itself: an image without a text alternative and a nameless button fail it,
    with rule ids and selectors in the message."""
    page.set_content(
        '<!doctype html><html lang="de"><head><title>Prüfseite</title></head>'
        '<body><main><h1>Prüfseite</h1><img src="data:," id="ohne-alt"><button id="leer"></button></main></body></html>'
    )
    with pytest.raises(pytest.fail.Exception) as failure:
        check_a11y(page)
    message = str(failure.value)
    assert "image-alt [critical]" in message and "#ohne-alt" in message
    assert "button-name [critical]" in message and "#leer" in message
