"""The caseworker console in a real browser: Playwright driving Debian's Chromium against a live server.

Signon (and the forced password change), search, a person's page, the municipality's inbox with a
citizen's report approved, a move registered through initiate → validate → save, signoff; a
protected person seen by a group without access; and, from the attacker's side, forms posted
without the session's CSRF token and the session cookie's flags. Screenshots of the main pages
go to ``docs/console-*.png`` when ``OPENCPR_SCREENSHOTS=1``.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import httpx
import pytest

from conftest import TEST_USERS

CHROMIUM = "/usr/bin/chromium"
DOCS = Path(__file__).resolve().parent.parent / "docs"
JENS = "0707614285"
PROTECTED = "0701614011"
SPOUSE = "0706614184"  # Jens Mortensen's partner (Familie+ relation "Andet")
ELSEWHERE = "0701614038"  # lives in municipality 0573, not 0851
MOVE = {"KOMKOD": "0851", "VEJKOD": "0004", "HUSNR": "7", "ETAGE": "2", "SIDEDOER": "tv"}

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists() and os.environ.get("OPENCPR_REQUIRE_BROWSER") != "1",
                                reason="Debian's chromium is not installed")


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()


def shoot(page, name: str) -> None:
    if os.environ.get("OPENCPR_SCREENSHOTS") == "1":
        page.screenshot(path=str(DOCS / f"console-{name}.png"), full_page=True)


def sign_on(page, port: int, code: str, password: str) -> None:
    page.goto(f"http://127.0.0.1:{port}/console/")
    assert page.url.endswith("/console/signon")
    page.fill("input[name=user_code]", code)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def citizen_reports_a_move(port: int) -> int:
    code, _, password = TEST_USERS["citizen"]
    with httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v1", timeout=30) as client:
        token = client.post("/signon", json={"user_code": code, "password": password}).json()["token"]
        client.headers["authorization"] = f"Bearer {token}"
        keys = {"pnr": JENS, "event_date": "20141027"}
        ts = client.post("/events/A01/initiate", json=keys).json()["session"]
        assert client.post("/events/A01/validate", json={**keys, "session": ts, "data": MOVE}).status_code == 200
        saved = client.post("/events/A01/save", json={**keys, "session": ts, "data": MOVE}).json()
        return saved["receipt"]["pending_id"]


def test_a_caseworker_day_in_the_console(live, browser, demo_engine, clock):
    from opencpr.access.passwords import CHEAP, Passwords
    from opencpr.access.users import add_user

    pending_id = citizen_reports_a_move(live)
    one_time = add_user(demo_engine, "KOM9", "0851", "municipality", clock=clock, passwords=Passwords(CHEAP))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"http://127.0.0.1:{live}/")
    assert page.get_by_role("link", name="Sagsbehandlerkonsollen").is_visible()
    shoot(page, "front")

    # the first signon with a one-time password forces a new one
    sign_on(page, live, "KOM9", one_time)
    assert page.locator("h1").inner_text() == "Skift kodeord"
    page.fill("input[name=password]", one_time)
    page.fill("input[name=new_password]", "Ny-kode-2014!")
    page.fill("input[name=repeated]", "Ny-kode-2014!")
    page.click("button[type=submit]")
    assert page.locator("h1").inner_text() == "Goddag, KOM9"
    cookie = next(c for c in page.context.cookies() if c["name"] == "opencpr_console")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    shoot(page, "home")

    page.click("text=Søg")
    page.fill("input[name=name]", "Jens Mortensen")
    page.click("text=Søg (NVNSOG2)")
    page.click(f"a[href='/console/person/{JENS}']")
    assert "Jens Mortensen" in page.locator("h1").inner_text()
    assert page.get_by_role("heading", name="Adresser ADRESSE1").is_visible()
    assert page.locator("td.tag", has_text="Tidligere").count() >= 1  # previous addresses too
    # the relatives of Familie+ link to their own pages; the person itself is not listed again
    family = page.locator("section", has=page.get_by_role("heading", name="Familie og relationer Familie+"))
    assert family.locator(f"a[href='/console/person/{SPOUSE}']").is_visible()
    assert family.locator(f"a[href='/console/person/{JENS}']").count() == 0
    assert page.get_by_role("link", name="Registrér flytning").count() == 2  # menu and person page: A01 allowed
    shoot(page, "person")
    family.locator(f"a[href='/console/person/{SPOUSE}']").click()
    assert page.url.endswith(f"/console/person/{SPOUSE}") and SPOUSE in page.locator("h1").inner_text()
    page.go_back()
    page.goto(f"http://127.0.0.1:{live}/console/search?kind=name&name=Jens+Mortensen")
    shoot(page, "search")

    page.click("text=Indbakke")
    report = page.locator(f"#report-{pending_id}")
    assert "VEJKOD 0004" in report.inner_text() and "road 8512" in report.inner_text()
    shoot(page, "pending")
    report.get_by_role("button", name="Godkend").click()
    assert f"Indberetning {pending_id} er godkendt og registreret i CPR." in page.content()

    # a move registered through the dialogue, the road chosen from the road register
    page.goto(f"http://127.0.0.1:{live}/console/move?pnr={JENS}")
    page.fill("input[name=event_date]", "2014-10-27")
    page.click("text=Initiér")
    page.fill("input[name=road_name]", "Absalonsbakken")
    page.click("text=Find vej")
    page.select_option("select[name=road]", "0004")
    page.fill("input[name=house_no]", "9")
    page.click("text=Validér")
    assert "Godkendte data" in page.content()
    shoot(page, "move")
    page.click("text=Gem")
    assert "Flytningen er gemt i CPR" in page.content()
    page.click("text=Se personen")
    assert " 9" in page.locator("dl.master").inner_text()

    page.click("text=Log af")
    assert "Du er logget af" in page.content()
    page.goto(f"http://127.0.0.1:{live}/console/pending")
    assert page.url.endswith("/console/signon")


def test_a_protected_person_seen_by_a_group_without_access(live, browser, demo_engine, clock):
    from opencpr.access.groups import SecurityGroup
    from opencpr.access.passwords import CHEAP, Passwords
    from opencpr.access.users import add_user, set_known_password
    from opencpr.services.permissions import parse, save_group

    save_group(demo_engine, SecurityGroup("indsigt", "Opslag uden beskyttede adresser", parse(
        {"search": {"services": ["Stam+", "ADRESSE1", "NAVNE", "CIVST", "Familie+", "NVNSOG2"], "scope": "all"}})),
        by="test")
    add_user(demo_engine, "INDS1", "0851", "indsigt", clock=clock, passwords=Passwords(CHEAP))
    set_known_password(demo_engine, "INDS1", "Indsigt-851!", clock=clock, passwords=Passwords(CHEAP))
    clock.set(dt.datetime(2002, 6, 1, 10, 0))  # the protection is in force
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_on(page, live, "INDS1", "Indsigt-851!")
    page.goto(f"http://127.0.0.1:{live}/console/person/{PROTECTED}")
    text = page.locator("main").inner_text()
    assert "Navne- og adressebeskyttelse" in text and "Aksel Sander" in text
    assert "Industrivænget" not in text and "8512" not in text and "Ingen adresse vist" in text
    assert "ingen adgang" in text.casefold() or "Kvit 5" in text  # services outside the group say so
    # a group that may not report A01 is not offered the move, nor the person's log or usage
    for name in ("Registrér flytning", "Personens log", "Forbrug"):
        assert page.get_by_role("link", name=name).count() == 0, name
    shoot(page, "protected")
    page.goto(f"http://127.0.0.1:{live}/console/person/{PROTECTED}/audit")
    assert "Ingen adgang" in page.locator("main").inner_text() and "Kvit 5" in page.locator("main").inner_text()

    page = browser.new_page()
    code, _, password = TEST_USERS["municipality"]
    sign_on(page, live, code, password)
    page.goto(f"http://127.0.0.1:{live}/console/person/{PROTECTED}")
    assert "Industrivænget 26" in page.locator("main").inner_text()


def test_the_persons_log_and_the_usage_of_the_own_authority(live, browser, demo_engine, clock):
    code, authority, password = TEST_USERS["municipality"]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_on(page, live, code, password)
    page.goto(f"http://127.0.0.1:{live}/console/person/{JENS}")
    page.get_by_role("link", name="Personens log").click()
    assert page.url.endswith(f"/console/person/{JENS}/audit")
    rows = page.locator("table.audit tbody tr")
    services = [rows.nth(i).locator("td").nth(5).inner_text() for i in range(rows.count())]
    assert "Stam+" in services and "Familie+" in services  # the person page's lookups, newest first
    assert int(rows.nth(0).locator("td").nth(0).inner_text()) > int(rows.nth(rows.count() - 1).locator("td").nth(0)
                                                                     .inner_text())
    page.reload()  # reading the log is itself in the log
    first = page.locator("table.audit tbody tr").nth(0).inner_text()
    assert "PERSONLOG" in first and code in first and authority in first
    shoot(page, "audit")

    # a municipality reads the log of its own persons only; the CPR office reads anyone's
    page.goto(f"http://127.0.0.1:{live}/console/person/{ELSEWHERE}/audit")
    main = page.locator("main").inner_text()
    assert "kun se loggen for personer, der bor i kommunen" in main and "Kvit 5" in main
    assert page.locator("table.audit").count() == 0

    page.get_by_role("link", name="Forbrug").click()
    assert page.url.endswith("/console/usage") and "myndighed 0851 · 2014-10" in page.locator("h1").inner_text()
    lines = {tuple(c.strip() for c in page.locator("table.usage tbody tr").nth(i).inner_text().split("\t"))
             for i in range(page.locator("table.usage tbody tr").count())}
    assert (code, "Stam+", "1") in lines and (code, "Familie+", "1") in lines
    assert not any(line[1] == "PERSONLOG" for line in lines)  # not billable
    shoot(page, "usage")
    page.fill("input[name=month]", "2014-09")
    page.click("text=Vis")
    assert "Ingen betalingspligtige kald i 2014-09" in page.locator("main").inner_text()

    office = browser.new_page()
    code, _, password = TEST_USERS["cpr-office"]
    sign_on(office, live, code, password)
    office.goto(f"http://127.0.0.1:{live}/console/person/{ELSEWHERE}/audit")
    assert office.locator("table.audit").is_visible() and "PERSONLOG" in office.locator("table.audit").inner_text()
    office.goto(f"http://127.0.0.1:{live}/console/usage")
    assert TEST_USERS["municipality"][0] not in office.locator("main").inner_text()  # only its own authority


def test_forms_without_the_session_csrf_token_are_refused(live):
    code, _, password = TEST_USERS["municipality"]
    pending_id = citizen_reports_a_move(live)
    with httpx.Client(base_url=f"http://127.0.0.1:{live}", timeout=30, follow_redirects=False) as client:
        signed = client.post("/console/signon", data={"user_code": code, "password": password})
        assert signed.status_code == 303
        header = signed.headers["set-cookie"].casefold()
        assert "httponly" in header and "samesite=strict" in header and "secure" not in header  # plain HTTP here
        # a page of another site posting the approval with the caseworker's cookie, without the token
        forged = client.post(f"/console/pending/{pending_id}/approve", data={})
        assert forged.status_code == 403
        forged = client.post(f"/console/pending/{pending_id}/approve", data={"csrf": "0" * 40})
        assert forged.status_code == 403
        inbox = client.get("/console/pending")
        assert f"report-{pending_id}" in inbox.text  # still waiting
        # without a session every page leads to signon
        client.cookies.clear()
        assert client.get("/console/pending").headers["location"] == "/console/signon"
        assert client.post(f"/console/pending/{pending_id}/approve", data={}).status_code == 303


def test_the_front_door_and_the_api_documentation_work_offline(live):
    with httpx.Client(base_url=f"http://127.0.0.1:{live}", timeout=30) as client:
        front = client.get("/")
        assert front.status_code == 200 and 'href="/console/"' in front.text and "/cpr-online-gctp/gctp" in front.text
        for page in ("/docs", "/redoc"):
            html = client.get(page).text
            assert "cdn.jsdelivr" not in html and "fonts.googleapis" not in html and "static-offline-docs" in html
        assert client.get("/static-offline-docs/swagger-ui-bundle.js").status_code == 200
        assert client.get("/console/static/console.css").status_code == 200
