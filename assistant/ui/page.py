"""The page: chat in the middle, documents and settings in the sidebar, and the `/ask` API.

Only imported by assistant.ui.build_app(), which is called when the UI is wanted, so importing
gradio at the top of this module is still "gradio only in the UI".
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import gradio as gr

from assistant.answer_types import QuestionError
from assistant.ui.chat import EMPTY, chat_turn, export_markdown, restore
from assistant.ui.documents import ALLOWED, PICK, document_choices, iter_uploads, remove_document
from assistant.ui.format import documents_html, ingest_results_html, notice_html

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


def build(assistant, warmup) -> gr.Blocks:
    s = assistant.settings
    llm_available = getattr(assistant, "llm_configured", bool(s.llm))
    answer_limits = dict(concurrency_id="answer", concurrency_limit=s.ui_concurrency)
    write_limits = dict(concurrency_id="index-write", concurrency_limit=1)  # one writer
    exports = Path(tempfile.mkdtemp(prefix="assistant-export-"))  # gradio serves temp files

    def ready() -> None:
        try:
            warmup.wait()
        except RuntimeError as exc:
            raise gr.Error(str(exc)) from None

    def status(docs: list[dict]) -> str:
        chunks = sum(d["chunks"] for d in docs)
        mode = "LLM answers available" if llm_available else "extractive answers (no LLM set)"
        return f"Ready · {len(docs)} document{'s' * (len(docs) != 1)}, {chunks} chunks · {mode}"

    def documents_view(scope=None):
        """(list, remove dropdown, scope multi-select, status line) for the documents now."""
        docs = assistant.documents()
        choices = document_choices(docs)
        known = {source for _, source in choices}
        return (
            documents_html(docs),
            gr.update(choices=[(PICK, "")] + choices, value=""),
            gr.update(choices=choices, value=[x for x in scope or [] if x in known]),
            status(docs),
        )

    # -- chat ---------------------------------------------------------------------------
    def respond(question, chat, pairs, turns, k, mode, scope):
        yield from chat_turn(
            assistant, ready, question, chat, pairs, turns, k, mode, scope,
            warn=gr.Warning, page_error=gr.Error,
        )

    def pick_example(evt: gr.SelectData) -> str:
        return evt.value["text"]

    def save(chat, pairs, turns):
        """Into the browser (survives a reload), and the export file brought up to date."""
        return {"chat": chat, "pairs": pairs, "turns": turns}, export_file(turns)

    def export_file(turns) -> str | None:
        if not turns:
            return None
        path = exports / f"chat-{len(turns)}-{abs(hash(str(turns))):x}.md"
        path.write_text(export_markdown(turns), encoding="utf-8")
        return str(path)

    def on_restore(saved):
        chat, pairs, turns = restore(saved)
        return chat, pairs, turns, export_file(turns)

    # -- documents --------------------------------------------------------------------------
    def upload(files, scope):
        """One progress line for the whole batch (in the results area, covering nothing),
        then a line per file."""
        ready()
        files, done = files or [], []
        keep = (gr.update(),) * 5
        for i, n, name, result in iter_uploads(assistant, files):
            if result is None:
                line = notice_html(f"Adding {i + 1} of {n}: {name}…")
                yield (line + ingest_results_html(done), *keep)
            else:
                done.append(result)
        yield (ingest_results_html(done), *documents_view(scope), None)

    def remove(source, scope):
        ready()
        message = remove_document(assistant, source or "")
        return (notice_html(message), *documents_view(scope))

    def on_load():
        try:
            ready()
        except gr.Error as exc:
            return gr.update(), gr.update(), gr.update(), f"⚠ {exc.message}"
        return documents_view()

    # -- API for scripts ----------------------------------------------------------------------
    def ask(
        question: str,
        history: list[list[str]] | None = None,
        k: int | None = None,
        mode: str | None = None,
        sources: list[str] | None = None,
    ) -> dict:
        """Answer a question from the documents. history: earlier [question, answer] pairs for
        follow-ups. sources: answer only from these documents (`source` as /documents lists
        them; none: all). Returns Answer.to_dict(): text (with [n] markers), found, citations
        (n, source, quote, start, end, score, title, passage, passage_start, page), confidence,
        mode, flags, notice, question."""
        ready()
        try:  # every argument is checked by answer(): QuestionError says what is wrong
            return assistant.answer(
                question, history=history, k=k, mode=mode or None, sources=sources or None
            ).to_dict()
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
        pairs, turns = gr.State([]), gr.State([])
        # the conversation, kept in this browser (encrypted with a key of this server run)
        saved = gr.BrowserState(EMPTY, storage_key="doc-assistant-chat")
        with gr.Sidebar(label="Documents", width=380, elem_id="da-sidebar"):
            gr.Markdown("### Documents")
            docs_list = gr.HTML(
                '<div class="da-empty">Loading the document list…</div>', elem_id="da-docs"
            )
            # the types go below the drop zone: a label this long covered the zone's icon
            files = gr.File(
                label=f"Add documents (up to {s.max_upload_mb:g} MB each)",
                file_count="multiple",
                file_types=list(ALLOWED),
                type="filepath",
                elem_id="da-upload",
            )
            gr.HTML(f'<div class="da-types">Accepted: {" ".join(ALLOWED)}</div>')
            results = gr.HTML(elem_id="da-results")
            with gr.Row():
                remove_choice = gr.Dropdown(
                    label="Remove a document", choices=[(PICK, "")], value="", scale=3,
                    elem_id="da-remove-choice",
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
            height="60vh",
            placeholder="**Ask a question about your documents.** Try an example:",
            examples=[{"text": q} for q in EXAMPLES],
            latex_delimiters=[],  # "$" in a document is a dollar sign, not math
            buttons=["copy"],
            feedback_options=None,
        )
        scope = gr.Dropdown(
            label="Ask within", info="Choose documents to answer from; none chosen: all of them",
            choices=[], value=[], multiselect=True, elem_id="da-scope",
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
            export = gr.DownloadButton(
                "Export chat", scale=1, min_width=110, elem_id="da-export", size="md"
            )

        chat_io = dict(
            inputs=[question, chatbot, pairs, turns, k, mode, scope],
            outputs=[chatbot, pairs, turns, question],
            show_progress="hidden",
            api_visibility="private",
            **answer_limits,
        )
        # UI-only steps, no queue wait, no progress overlay
        quick = dict(queue=False, api_visibility="private", show_progress="hidden")
        keep = dict(fn=save, inputs=[chatbot, pairs, turns], outputs=[saved, export], **quick)
        question.submit(respond, **chat_io).then(**keep)
        chatbot.example_select(pick_example, None, question, **quick).then(
            respond, **chat_io).then(**keep)
        reset = (lambda: ([], [], [], "", EMPTY, None), None,
                 [chatbot, pairs, turns, question, saved, export])
        clear.click(*reset, **quick)
        chatbot.clear(*reset, **quick)

        doc_outputs = [docs_list, remove_choice, scope, status_line]
        files.upload(
            upload, [files, scope], [results, *doc_outputs, files], show_progress="hidden",
            api_visibility="private", **write_limits,
        )
        remove_btn.click(
            remove, [remove_choice, scope], [results, *doc_outputs], show_progress="hidden",
            api_visibility="private", **write_limits,
        )
        app.load(on_load, None, doc_outputs, api_visibility="private", show_progress="hidden")
        app.load(on_restore, saved, [chatbot, pairs, turns, export], **quick)

        gr.api(ask, api_name="ask", **answer_limits)
        gr.api(documents, api_name="documents")
    return app
