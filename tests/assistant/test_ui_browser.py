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


def open_page(browser, app_url, width=1400, height=950, **context_options):
    """A fresh tab on the app, ready (index prepared); records any dialog a script opens and
    every console message."""
    context = browser.new_context(viewport={"width": width, "height": height}, **context_options)
    page = context.new_page()
    page.dialogs, page.console = [], []

    def on_dialog(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("console", lambda message: page.console.append((message.type, message.text)))
    page.goto(app_url)
    page.locator("#da-status").get_by_text("Ready").wait_for(timeout=120_000)
    return page


@pytest.fixture
def page(browser, app_url):
    page = open_page(browser, app_url)
    yield page
    page.context.close()


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


# -- citations, screens, formats, scope, reload, export ----------------------------------------
EXAMPLE = "What consent does Seoul require?"


def ask_example(page):
    before = page.locator("#da-chat .da-meta").count()
    page.locator("#da-chat").get_by_text(EXAMPLE).click()
    page.locator("#da-chat .da-meta").nth(before).wait_for(timeout=120_000)
    return page.locator("#da-chat .bot").last


def test_clicking_a_citation_opens_scrolls_to_and_highlights_its_source(page):
    answer = ask_example(page)
    link = answer.locator(".da-answer a.da-cite-1").first
    source = answer.locator("details.da-src-1")
    quote = source.locator(".da-quote").inner_text().strip("“”")
    # hovering shows the quote: the link's title is the quote the source shows
    assert link.get_attribute("title") and quote[:40] in link.get_attribute("title")
    assert not source.locator(".da-passage").is_visible()
    page.locator("#da-chat .bubble-wrap, #da-chat [role=log]").first.evaluate("el => el.scrollTop = 0")

    link.click()

    expect(source).to_have_attribute("open", "")
    expect(source).to_have_class(re.compile(r"\bda-target\b"))
    expect(source.locator(".da-passage mark")).to_be_in_viewport()
    assert "““" not in answer.inner_text()  # a quote's own marks are not doubled
    shot(page, "09-citation-clicked")


@pytest.mark.parametrize("width, height", [(390, 844), (1920, 1080)])
def test_an_example_question_can_be_asked_on_a_phone_and_a_wide_screen(browser, app_url, width, height):
    page = open_page(browser, app_url, width, height)
    try:
        sidebar = page.locator("#da-sidebar")
        if width < 768:  # a phone: the chat shows, the sidebar waits behind its toggle
            expect(sidebar).not_to_have_class(re.compile(r"\bopen\b"))
        else:
            expect(sidebar).to_have_class(re.compile(r"\bopen\b"))
        example = page.locator("#da-chat").get_by_text(EXAMPLE)
        expect(example).to_be_in_viewport()
        # the examples look like buttons: a border and a background of their own
        looks = page.locator("#da-chat button").filter(has_text=EXAMPLE).first.evaluate(
            "el => [getComputedStyle(el).borderTopWidth, getComputedStyle(el).cursor]"
        )
        assert looks[0] != "0px" and looks[1] == "pointer"
        answer = ask_example(page)
        assert answer.locator("details.da-source").count() > 0
        box = answer.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1  # nothing off-screen
        shot(page, f"10-example-answered-{width}px")
        if width < 768:  # the documents are one tap away
            sidebar.locator(".toggle-button").click()
            expect(sidebar).to_have_class(re.compile(r"\bopen\b"))
            docs = page.locator("#da-docs").get_by_text(SEED_NAME)
            expect(docs).to_be_in_viewport()
            page.wait_for_timeout(400)  # the slide-in transition, for the screenshot
            box = sidebar.bounding_box()
            assert box["x"] >= -1 and box["x"] + box["width"] < width  # a strip of chat stays
            shot(page, f"11-sidebar-opened-{width}px")
    finally:
        page.context.close()


def make_docx(path):
    import docx

    d = docx.Document()
    d.add_heading("Harbour rules", level=1)
    d.add_paragraph("The Wrenfield harbour master is Ingrid Solvang. She sets the tide tables.")
    d.save(path)
    return path


def make_pptx(path):
    from pptx import Presentation

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "Ferry timetable"
    slide.placeholders[1].text = "The Kelby ferry departs at 7:40 every weekday morning."
    deck.save(path)
    return path


def test_word_and_powerpoint_uploads_get_a_line_each_and_answer_questions(page, tmp_path):
    word = make_docx(tmp_path / "harbour-rules.docx")
    slides = make_pptx(tmp_path / "ferry.pptx")
    # a small file's progress line can come and go between two polls: record every change
    page.evaluate("""() => {
        window.__sidebarSeen = [];
        new MutationObserver(() => {
            const bar = document.querySelector('#da-sidebar');
            if (bar) window.__sidebarSeen.push(bar.innerText);
        }).observe(document.body, {subtree: true, childList: true, characterData: true});
    }""")
    page.locator("#da-upload input[type=file]").set_input_files([str(word), str(slides)])
    results = page.locator("#da-results")
    seen = []  # what the sidebar showed while the batch was ingested
    while results.locator("li").count() < 2 and len(seen) < 900:
        seen.append(page.locator("#da-sidebar").inner_text())
        page.wait_for_timeout(200)
    # every change, even one shorter than a poll (the overlay check below stays on the polls:
    # between them, Gradio's own "processing | 0.1s" flashes for a tenth of a second)
    changes = page.evaluate("window.__sidebarSeen")
    lines = results.locator("li").all_inner_texts()
    assert len(lines) == 2 and all("added" in line for line in lines), lines
    assert "Adding" not in results.inner_text()  # the batch's progress line is gone
    assert any("Adding 1 of 2: harbour-rules.docx" in text for text in seen + changes)
    # one progress display: no overlay percentages stacked over the panel
    assert not [text for text in seen if re.search(r"\d+\.\d%|processing \|", text)], seen
    shot(page, "12-docx-pptx-uploaded")

    answer = ask(page, "Who is the Wrenfield harbour master?")
    assert "Ingrid Solvang" in answer.locator(".da-answer").inner_text()
    assert "harbour-rules.docx" in answer.locator("details.da-source summary").first.inner_text()
    answer = ask(page, "When does the Kelby ferry depart?")
    assert "7:40" in answer.locator(".da-answer").inner_text()
    assert "slide 1" in answer.locator("details.da-source summary").first.inner_text()


def test_a_scoped_question_cites_only_the_chosen_document(page, tmp_path):
    north = tmp_path / "north-light.txt"
    north.write_text("The keeper of the North Point lighthouse is Marta Ilves. She lights the lamp.")
    south = tmp_path / "south-light.txt"
    south.write_text("The keeper of the South Point lighthouse is Olav Brenn. He paints the tower.")
    page.locator("#da-upload input[type=file]").set_input_files([str(north), str(south)])
    page.locator("#da-results li").nth(1).wait_for(timeout=120_000)
    unscoped = ask(page, "Who is the keeper of the lighthouse?")
    unscoped_names = unscoped.locator("details.da-source .da-name").all_inner_texts()
    assert {"north-light.txt", "south-light.txt"} <= set(unscoped_names)

    page.locator("#da-scope input").click()
    page.get_by_role("option", name="south-light.txt").click()
    page.keyboard.press("Escape")
    scoped = ask(page, "Who is the keeper of the lighthouse?")

    names = scoped.locator("details.da-source .da-name").all_inner_texts()
    assert names and set(names) == {"south-light.txt"}
    assert "Olav Brenn" in scoped.locator(".da-answer").inner_text()
    shot(page, "13-scoped-question")


def test_the_chat_survives_a_reload_and_exports_as_markdown_with_footnotes(browser, app_url):
    page = open_page(browser, app_url, accept_downloads=True)
    try:
        answer = ask_example(page)
        text = answer.locator(".da-answer").inner_text()
        page.wait_for_timeout(500)  # the save step runs right after the answer

        page.reload()
        page.locator("#da-status").get_by_text("Ready").wait_for(timeout=120_000)

        expect(page.locator("#da-chat .user")).to_have_count(1)
        assert page.locator("#da-chat .bot .da-answer").last.inner_text() == text
        shot(page, "14-chat-after-reload")
        follow = ask(page, "Who said that?")  # the kept history still resolves follow-ups
        assert "consent" in follow.locator(".da-resolved").inner_text().lower()

        page.wait_for_timeout(500)
        with page.expect_download() as download:
            page.locator("#da-export").click()
        markdown = Path(download.value.path()).read_text(encoding="utf-8")
        assert markdown.startswith("# Chat with your documents")
        assert f"## 1. {EXAMPLE}" in markdown and "## 2. Who said that?" in markdown
        assert "[^1.1]" in markdown and re.search(r"^\[\^1\.1\]: " + re.escape(SEED_NAME), markdown, re.M)
    finally:
        page.context.close()


# gradio's client closes each finished event stream through a polyfill whose close() is a stub
# that logs console.warn("Method not implemented.") (gradio/client, EventSource stand-in): a
# warning about gradio's own code, harmless, and not ours to patch (no global monkeypatches).
HARMLESS = {("warning", "Method not implemented.")}


def test_the_browser_console_shows_no_errors(page):
    ask_example(page)
    page.locator("#da-chat .da-answer a.da-cite").first.click()
    problems = [
        (kind, text) for kind, text in page.console
        if kind in ("error", "warning") and (kind, text) not in HARMLESS
    ]
    assert problems == []
