"""The browser chat as a person uses it: Debian's chromium, driven by playwright, against a
launched app with a real Assistant on a temporary data dir. Screenshots go to
artifacts/screenshots/ for a human to look at."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ingest.load import SUPPORTED
from tests.support import free_port, make_assistant

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
SEED_NAME = "yonhap-korea-japan-collective-self-defense.txt"
HOSTILE = (
    "The Quillport harbour authority requires a permit stamped in green ink.\n"
    '<script>window.__xss = 1; alert("xss")</script> Quillport boats must carry lanterns.\n'
    '<img src=x onerror="window.__xss = 2; alert(2)"> Boats are inspected every Thursday.\n'
    "Fees: $$5 or ${alert(3)} per **boat**.\n"
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium: apt-get install -y chromium"),
]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    from assistant.ui import build_app, serve

    assistant = make_assistant(tmp_path_factory.mktemp("ui") / "data")
    app = build_app(assistant)
    url = serve(app, assistant.settings, "127.0.0.1", free_port(), block=False)
    yield url
    app.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, app_url):
    """A fresh tab on the app, ready (index prepared); records any dialog a script opens."""
    context = browser.new_context(viewport={"width": 1400, "height": 950})
    page = context.new_page()
    page.dialogs = []

    def on_dialog(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(app_url)
    page.locator("#da-status").get_by_text("Ready").wait_for(timeout=120_000)
    yield page
    context.close()


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def last_answer(page):
    """The newest bot message once it is complete (the meta line comes last)."""
    bot = page.locator("#da-chat .bot").last
    bot.locator(".da-meta").wait_for(timeout=120_000)
    return bot


def ask(page, question):
    before = page.locator("#da-chat .da-meta").count()
    box = page.locator("#da-question textarea")
    box.fill(question)
    box.press("Enter")
    page.locator("#da-chat .da-meta").nth(before).wait_for(timeout=120_000)
    return page.locator("#da-chat .bot").last


def upload(page, path):
    page.locator("#da-upload input[type=file]").set_input_files(str(path))
    page.locator("#da-results li").filter(has_text=path.name).wait_for(timeout=120_000)
    return page.locator("#da-results").inner_text()


def test_an_example_question_is_answered_with_a_citation_whose_source_expands(page):
    assert SEED_NAME in page.locator("#da-docs").inner_text()
    shot(page, "01-empty-chat")

    page.locator("#da-chat").get_by_text("What consent does Seoul require?").click()
    answer = last_answer(page)

    assert re.search(r"consent", answer.locator(".da-answer").inner_text(), re.I)
    assert answer.locator(".da-answer .da-cite").first.inner_text() == "[1]"
    source = answer.locator("details.da-source").first
    assert SEED_NAME in source.locator("summary").inner_text()
    # where in the document: its heading path, not a raw retrieval score
    assert "S. Korea reaffirms stance" in source.locator(".da-headings").inner_text()
    assert not re.search(r"score \d", source.locator("summary").inner_text())
    passage = source.locator(".da-passage")
    assert not passage.is_visible()

    source.locator("summary").click()

    assert passage.is_visible()
    highlighted = passage.locator("mark").inner_text()
    assert "consent" in highlighted.lower()
    assert len(passage.inner_text()) > len(highlighted), "the quote is shown inside its passage"
    shot(page, "02-answer-with-source-expanded")


def test_a_follow_up_uses_the_conversation_and_new_chat_clears_it(page):
    ask(page, "What consent does Seoul require?")
    follow = ask(page, "Who said that?")
    assert follow.locator("details.da-source").count() > 0
    # the follow-up was searched for together with what it refers to
    assert "consent" in follow.locator(".da-resolved").inner_text().lower()
    assert page.locator("#da-chat .user").count() == 2
    shot(page, "03-follow-up")

    page.locator("#da-clear").click()

    expect(page.locator("#da-chat .user")).to_have_count(0)
    expect(page.locator("#da-chat .bot")).to_have_count(0)
    page.locator("#da-chat").get_by_text("What consent does Seoul require?").wait_for()  # examples back


def test_a_question_the_documents_cannot_answer_is_refused_plainly(page):
    answer = ask(page, "What is the boiling point of liquid nitrogen?")
    assert answer.locator(".da-refusal").is_visible()
    assert "do not answer" in answer.locator(".da-heading").inner_text().lower()
    assert answer.locator("details.da-source").count() > 0
    shot(page, "04-refusal")


def test_an_uploaded_document_is_listed_and_answers_questions(page, tmp_path):
    doc = tmp_path / "lighthouse.md"
    doc.write_text("# Lighthouse\n\nThe keeper of the Brenmouth lighthouse is Marta Ilves.\n")

    results = upload(page, doc)

    assert "lighthouse.md" in results and "added" in results
    page.locator("#da-docs").get_by_text("lighthouse.md").wait_for()
    assert "1 chunk" in page.locator("#da-docs li").filter(has_text="lighthouse.md").inner_text()
    answer = ask(page, "Who keeps the Brenmouth lighthouse?")
    assert "Marta Ilves" in answer.locator(".da-answer").inner_text()
    assert "lighthouse.md" in answer.locator("details.da-source summary").first.inner_text()
    shot(page, "05-uploaded-document-answer")


def test_a_file_type_outside_the_allow_list_is_refused_naming_the_allowed_types(page, tmp_path):
    # the picker only offers allowed types; a file given anyway (dropped, or the filter
    # bypassed as here) is refused before it is uploaded. The server refuses it too
    # (test_ui.py::test_uploads_are_stored_under_the_data_dir_and_ingested_with_a_result_per_file).
    bad = tmp_path / "payload.exe"
    bad.write_bytes(b"MZ\x90\x00")
    picker = page.locator("#da-upload input[type=file]")
    assert picker.get_attribute("accept").split(", ") == list(SUPPORTED)  # .docx, .pptx, ... too
    picker.evaluate("el => el.removeAttribute('accept')")

    picker.set_input_files(str(bad))

    refusal = page.get_by_text(re.compile(r"Invalid file type: payload\.exe\. Only \.txt, .*\.pdf, .*\.docx, .* allowed"))
    refusal.wait_for(timeout=30_000)
    shot(page, "08-refused-file-type")
    assert "payload.exe" not in page.locator("#da-docs").inner_text()


def test_a_hostile_document_is_shown_as_text_and_runs_nothing(page, tmp_path):
    doc = tmp_path / "quillport.txt"
    doc.write_text(HOSTILE)
    upload(page, doc)

    answer = ask(page, "What does the Quillport harbour authority require?")
    for summary in answer.locator("details.da-source summary").all():
        summary.click()
    passage = answer.locator("details.da-source").filter(has_text="quillport.txt").first
    shown = passage.locator(".da-passage").inner_text()

    assert '<script>window.__xss = 1; alert("xss")</script>' in shown
    assert '<img src=x onerror="window.__xss = 2; alert(2)">' in shown
    assert "$$5 or ${alert(3)} per **boat**" in shown
    assert page.evaluate("window.__xss") is None
    assert page.dialogs == []
    assert page.locator("#da-chat script, #da-chat img[src='x'], #da-docs script").count() == 0
    shot(page, "06-hostile-document-as-text")


def test_removing_a_document_takes_it_out_of_the_list(page, tmp_path):
    doc = tmp_path / "to-remove.txt"
    doc.write_text("The Ostvik ferry leaves at dawn.")
    upload(page, doc)
    page.locator("#da-docs").get_by_text("to-remove.txt").wait_for()

    page.locator("#da-remove-choice input").click()
    page.get_by_role("option", name="to-remove.txt").click()
    page.locator("#da-remove").click()

    page.locator("#da-results").get_by_text("Removed 'to-remove.txt'").wait_for(timeout=60_000)
    assert "to-remove.txt" not in page.locator("#da-docs").inner_text()
    shot(page, "07-document-removed")
