"""The page: chat in the middle, documents and settings in the sidebar, and the `/ask` API.

Only imported by assistant.ui.build_app(), which is called when the UI is wanted, so importing
gradio at the top of this module is still "gradio only in the UI".
"""

from __future__ import annotations

import logging

import gradio as gr

from assistant.answer_types import Answer, QuestionError
from assistant.ui_documents import (
    ALLOWED,
    document_choices,
    ingest_uploads,
    remove_document,
)
from assistant.ui_format import (
    answer_html,
    documents_html,
    error_html,
    ingest_results_html,
    message_html,
    notice_html,
    text,
)

log = logging.getLogger(__name__)

EXAMPLES = [
    "What consent does Seoul require?",
    "When may Japan use the right on the Korean Peninsula?",
    "Why is South Korea unnerved by Japan's push?",
]
INTRO = (
    "### Document assistant\n"
    "Answers come only from your documents, with every claim cited. "
    "Click a source to see the quoted passage."
)


def chat_turn(assistant, ready, question, chat, pairs, k, mode):
    """One question in the chat, streamed: yields (chat messages, history pairs, text for the
    question box) after each piece. `pairs` (question, answer text) is the plain-text history
    the assistant resolves follow-ups with (the chat itself holds HTML)."""
    question = question or ""
    chat = list(chat or []) + [
        {"role": "user", "content": text(question)},
        {"role": "assistant", "content": notice_html("Searching your documents…")},
    ]
    yield list(chat), pairs, ""
    streamed = ""
    try:
        ready()
        for item in assistant.stream(question, history=list(pairs), k=int(k), mode=mode or None):
            if isinstance(item, Answer):
                chat[-1] = {"role": "assistant", "content": message_html(item, question)}
                yield list(chat), list(pairs) + [(question, item.text)], ""
                return
            streamed += item
            chat[-1] = {"role": "assistant", "content": answer_html(streamed, streaming=True)}
            yield list(chat), pairs, ""  # a new list each time: each yield is its own state
    except QuestionError as exc:
        gr.Warning(str(exc))
        yield chat[:-2], pairs, question  # nothing was asked: give the text back to edit
    except gr.Error as exc:
        chat[-1] = {"role": "assistant", "content": error_html(exc.message)}
        yield chat, pairs, ""
    except Exception as exc:
        log.exception("answering failed")
        message = (
            f"Could not answer ({type(exc).__name__}: {exc}). Try again; if it keeps failing, "
            "see the terminal running `assistant ui`."
        )
        chat[-1] = {"role": "assistant", "content": error_html(message)}
        yield chat, pairs, ""


def build(assistant, warmup) -> gr.Blocks:
    s = assistant.settings
    llm_available = getattr(assistant, "llm_configured", bool(s.llm))
    answer_limits = dict(concurrency_id="answer", concurrency_limit=s.ui_concurrency)
    write_limits = dict(concurrency_id="index-write", concurrency_limit=1)  # one writer

    def ready() -> None:
        try:
            warmup.wait()
        except RuntimeError as exc:
            raise gr.Error(str(exc)) from None

    def status(docs: list[dict]) -> str:
        chunks = sum(d["chunks"] for d in docs)
        mode = "LLM answers available" if llm_available else "extractive answers (no LLM set)"
        return f"Ready · {len(docs)} document{'s' * (len(docs) != 1)}, {chunks} chunks · {mode}"

    def documents_view():
        docs = assistant.documents()
        choices = document_choices(docs)
        return (
            documents_html(docs),
            gr.update(choices=choices, value=None),
            status(docs),
        )

    # -- chat ---------------------------------------------------------------------------
    def respond(question, chat, pairs, k, mode):
        yield from chat_turn(assistant, ready, question, chat, pairs, k, mode)

    def pick_example(evt: gr.SelectData) -> str:
        return evt.value["text"]

    # -- documents --------------------------------------------------------------------------
    def upload(files, progress=gr.Progress()):
        ready()
        files = files or []

        def step(i, n, name):
            progress((i, n), desc=f"Ingesting {name}" if name else "Done", unit="files")

        results = ingest_uploads(assistant, files, step)
        return (ingest_results_html(results), *documents_view(), None)

    def remove(source):
        ready()
        message = remove_document(assistant, source or "")
        return (notice_html(message), *documents_view())

    def on_load():
        try:
            ready()
        except gr.Error as exc:
            return gr.update(), gr.update(), f"⚠ {exc.message}"
        return documents_view()

    # -- API for scripts ----------------------------------------------------------------------
    def ask(
        question: str,
        history: list[list[str]] | None = None,
        k: int | None = None,
        mode: str | None = None,
    ) -> dict:
        """Answer a question from the documents. history: earlier [question, answer] pairs for
        follow-ups. Returns Answer.to_dict(): text (with [n] markers), found, citations
        (n, source, quote, start, end, score, title, passage, passage_start, page), confidence,
        mode, flags, notice, question."""
        ready()
        try:  # history, k and mode are checked by answer(): QuestionError says what is wrong
            return assistant.answer(question, history=history, k=k, mode=mode or None).to_dict()
        except QuestionError as exc:
            raise gr.Error(str(exc)) from None

    def documents() -> list[dict]:
        """The ingested documents: source, name, chunks, ingested_at (epoch seconds)."""
        ready()
        return assistant.documents()

    # -- layout -------------------------------------------------------------------------------
    # delete_cache: gradio keeps a temp copy of every upload; purge copies older than an hour
    # (the kept copy is the one under <data_dir>/uploads)
    with gr.Blocks(
        title="Document assistant", fill_height=True, analytics_enabled=False,
        delete_cache=(3600, 3600),
    ) as app:
        pairs = gr.State([])
        with gr.Sidebar(label="Documents", width=380, elem_id="da-sidebar"):
            gr.Markdown("### Documents")
            docs_list = gr.HTML(
                '<div class="da-empty">Loading the document list…</div>', elem_id="da-docs"
            )
            files = gr.File(
                label=f"Add documents ({', '.join(ALLOWED)}; up to {s.max_upload_mb:g} MB each)",
                file_count="multiple",
                file_types=list(ALLOWED),
                type="filepath",
                elem_id="da-upload",
            )
            results = gr.HTML(elem_id="da-results")
            with gr.Row():
                remove_choice = gr.Dropdown(
                    label="Remove a document", choices=[], scale=3, elem_id="da-remove-choice"
                )
                remove_btn = gr.Button("Remove", variant="stop", scale=1, elem_id="da-remove")
            with gr.Accordion("Answer settings", open=False, elem_id="da-settings"):
                k = gr.Slider(
                    1, max(20, s.k), value=s.k, step=1, label="Passages to search (top-k)"
                )
                mode = gr.Radio(
                    ["extractive", "llm"],
                    value="llm" if llm_available else "extractive",
                    label="Answer mode",
                    info="extractive: quotes sentences; llm: writes an answer citing passages",
                    visible=llm_available,
                )
        gr.Markdown(INTRO)
        status_line = gr.Markdown(
            "Preparing the index (the first run ingests the bundled documents)…",
            elem_id="da-status",
        )
        chatbot = gr.Chatbot(
            show_label=False,
            elem_id="da-chat",
            scale=1,
            height="65vh",
            placeholder="**Ask a question about your documents.** Try an example:",
            examples=[{"text": q} for q in EXAMPLES],
            latex_delimiters=[],  # "$" in a document is a dollar sign, not math
            buttons=["copy"],
            feedback_options=None,
        )
        with gr.Row(equal_height=True):
            question = gr.Textbox(
                placeholder="Ask about your documents…",
                show_label=False,
                submit_btn=True,
                scale=8,
                max_lines=6,
                autofocus=True,
                elem_id="da-question",
            )
            clear = gr.Button("New chat", scale=1, min_width=110, elem_id="da-clear")

        chat_io = dict(
            inputs=[question, chatbot, pairs, k, mode],
            outputs=[chatbot, pairs, question],
            show_progress="hidden",
            api_visibility="private",
            **answer_limits,
        )
        question.submit(respond, **chat_io)
        quick = dict(queue=False, api_visibility="private")  # UI-only steps, no queue wait
        chatbot.example_select(pick_example, None, question, **quick).then(respond, **chat_io)
        clear.click(lambda: ([], [], ""), None, [chatbot, pairs, question], **quick)
        chatbot.clear(lambda: [], None, pairs, **quick)

        doc_outputs = [docs_list, remove_choice, status_line]
        files.upload(
            upload, files, [results, *doc_outputs, files], api_visibility="private", **write_limits
        )
        remove_btn.click(
            remove, remove_choice, [results, *doc_outputs], api_visibility="private", **write_limits
        )
        app.load(on_load, None, doc_outputs, api_visibility="private")

        gr.api(ask, api_name="ask", **answer_limits)
        gr.api(documents, api_name="documents")
    return app
