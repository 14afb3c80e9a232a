"""What the page needs beyond its components, declared once: the CSS of the one-line tables and the
script that keeps the address bar saying where the visitor is (``?task=…``, ``?model=…``) and copies
links. ``leaderboard.app`` hands both to ``launch`` (Gradio 6 takes them there)."""

from __future__ import annotations

# Tables: one line per row, long values cut with an ellipsis (the full value is the cell's tooltip or
# its link's title); the header may still wrap, so a column stays narrow and its name readable.
PAGE_CSS = """
.one-line-table .body-cell .cell-wrap, .one-line-table .body-cell .cell-wrap * {
  white-space: nowrap !important; overflow: hidden; text-overflow: ellipsis;
}
.one-line-table .body-cell p { margin: 0 !important; }
.one-line-table th .header-content span.header {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
}
.link-line p { margin: 0; }
.one-line-table, .one-line-table * { font-family: var(--font) !important; }
.board-panels { gap: 8px !important; }
.one-line-table .body-cell .cell-wrap { padding-top: 5px !important; padding-bottom: 5px !important; }
.board-summary p { margin: 0 !important; }
.board-controls { gap: 8px !important; }
"""

# Type: one family per run of text, with every glyph it needs. Gradio's default faces come from Google Fonts
# (unreachable offline, and the bold face fell back glyph by glyph); these stacks are complete fonts a
# browser has: DejaVu and Liberation on Linux (Debian's chromium brings them), Arial / Helvetica elsewhere.
FONT_STACK = ("DejaVu Sans", "Liberation Sans", "Arial", "Helvetica", "sans-serif")
MONO_FONT_STACK = ("DejaVu Sans Mono", "Liberation Mono", "Menlo", "Consolas", "monospace")

# ``greenLink``: the view's address from its parts (empty ones dropped), put in the address bar without a
# reload; ``greenCopyLink``: the same address, copied to the clipboard (and returned, so the page can
# show it where the clipboard is not available).
PAGE_HEAD = """
<script>
window.greenLink = function (parts) {
  const url = new URL(window.location.href);
  url.search = "";
  for (const [key, value] of Object.entries(parts)) {
    if (value !== null && value !== undefined && value !== "" && value !== "latest" && value !== "reference") {
      url.searchParams.set(key, value);
    }
  }
  window.history.replaceState(null, "", url);
  return url.toString();
};
window.greenCopyLink = function (parts) {
  const link = window.greenLink(parts);
  if (navigator.clipboard) { navigator.clipboard.writeText(link).catch(() => {}); }
  return link;
};
</script>
"""
