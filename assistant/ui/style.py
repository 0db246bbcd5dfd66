"""The page's CSS and its one script (no gradio here; passed to launch() by ui/launch.py).

The script does what the chat's HTML cannot do by itself (the chat's sanitiser removes inline
handlers): a click on [n] in an answer opens source n of that message, scrolls to it and
highlights it; and on a narrow screen the sidebar starts closed, so the chat is what shows.
"""

CSS = """
.da-answer { line-height: 1.55; }
.da-cite { display: inline-block; font-size: 0.75em; font-weight: 600; padding: 0 0.35em;
  margin: 0 0.1em; border-radius: 0.6em; background: var(--color-accent-soft);
  color: var(--color-accent); vertical-align: super; line-height: 1.4; }
.da-cursor { animation: da-blink 1s steps(1) infinite; opacity: 0.6; }
@keyframes da-blink { 50% { opacity: 0; } }
.da-refusal { font-weight: 600; }
.da-flagged { background: rgba(245, 158, 11, 0.18); border-bottom: 2px dotted #d97706; }
.da-flags, .da-notice, .da-error { margin-top: 0.6em; font-size: 0.9em; padding: 0.4em 0.6em;
  border-radius: 0.5em; background: var(--background-fill-secondary); }
.da-error { border-left: 3px solid #dc2626; }
.da-sources { margin-top: 0.8em; display: flex; flex-direction: column; gap: 0.4em; }
.da-heading { font-size: 0.8em; text-transform: uppercase; letter-spacing: 0.04em; opacity: 0.7; }
.da-source { border: 1px solid var(--border-color-primary); border-radius: 0.6em;
  padding: 0.4em 0.7em; background: var(--background-fill-primary); }
.da-source summary { cursor: pointer; list-style-position: outside; }
.da-name { font-weight: 600; }
.da-headings { font-size: 0.8em; opacity: 0.7; margin-left: 0.3em; }
.da-quote { font-size: 0.9em; opacity: 0.85; margin-top: 0.2em; }
.da-short { font-weight: 700; font-size: 1.15em; margin-bottom: 0.3em; }
.da-passage { margin-top: 0.5em; padding-top: 0.5em; font-size: 0.9em; white-space: normal;
  border-top: 1px dashed var(--border-color-primary); }
.da-passage mark, .da-source mark { background: rgba(250, 204, 21, 0.45); color: inherit;
  padding: 0 0.1em; border-radius: 0.2em; }
.da-meta { margin-top: 0.5em; font-size: 0.75em; opacity: 0.6; }
.da-results { list-style: none; padding-left: 0; margin: 0; }
.da-results li { padding: 0.15em 0; }
.da-ok { color: var(--body-text-color); }
.da-failed { color: #dc2626; }
#da-status { font-size: 0.9em; opacity: 0.8; }
.da-doclist { list-style: none; padding: 0; margin: 0; display: flex; flex-direction: column;
  gap: 0.35em; max-height: 40vh; overflow-y: auto; }
.da-doc { padding: 0.45em 0.6em; border-radius: 0.5em;
  border: 1px solid var(--border-color-primary); background: var(--background-fill-primary); }
.da-docname { font-weight: 600; overflow-wrap: anywhere; }
.da-docmeta, .da-empty, .da-types { font-size: 0.8em; opacity: 0.7; }
a.da-cite { text-decoration: none; cursor: pointer; }
a.da-cite:hover, a.da-cite:focus { background: var(--color-accent); color: white; }
.da-source.da-target { outline: 2px solid var(--color-accent); outline-offset: 1px;
  background: var(--color-accent-soft); }
#da-progress { font-size: 0.9em; }
/* the example questions: buttons, not loose text */
#da-chat .examples button, #da-chat button.example {
  border: 1px solid var(--color-accent); border-radius: 0.6em; background: var(--color-accent-soft);
  color: var(--body-text-color); cursor: pointer; }
#da-chat .examples button:hover, #da-chat button.example:hover { background: var(--color-accent);
  color: white; }
/* phones: the open sidebar leaves a strip of the chat, so its toggle stays reachable */
@media (max-width: 768px) {
  #da-sidebar.sidebar { width: 85vw !important; }
  #da-sidebar.sidebar:not(.right) { left: -85vw !important; }
  #da-chat { height: 55vh !important; }
}
"""

# Run by gradio once the page is loaded (launch(js=...)): one listener for the whole page,
# so answers that arrive later need nothing of their own.
JS = """
() => {
  document.addEventListener("click", (event) => {
    const cite = event.target.closest ? event.target.closest("a.da-cite") : null;
    if (!cite) return;
    event.preventDefault();
    event.stopPropagation();
    const match = [...cite.classList].map((c) => /^da-cite-(\\d+)$/.exec(c)).find(Boolean);
    const message = cite.closest(".da-msg");
    const source = match && message && message.querySelector("details.da-src-" + match[1]);
    if (!source) return;
    message.querySelectorAll("details.da-target").forEach((d) => d.classList.remove("da-target"));
    source.open = true;
    source.classList.add("da-target");
    source.scrollIntoView({ behavior: "smooth", block: "center" });
  }, true);
  if (window.matchMedia("(max-width: 768px)").matches) {
    let tries = 0;
    const close = () => {
      const sidebar = document.querySelector("#da-sidebar");
      if (sidebar && sidebar.classList.contains("open")) {
        sidebar.querySelector(".toggle-button").click();
      } else if (!sidebar && tries++ < 50) {
        setTimeout(close, 100);
      }
    };
    close();
  }
}
"""
