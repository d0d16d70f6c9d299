"""An honest word when the page loses its server.

Streamlit's own dialog, shown when the page cannot reach the server, blames the user's
internet connection ("Streamlit server is not responding. Are you connected to the
internet?"). Its text is fixed in Streamlit's front end: no option or API changes it
(streamlit/streamlit#12661 asks for one). Most often here the server restarted (an update, a
sleeping Community Cloud app waking up), and the uploaded data of the tab is gone with it.

So each page adds a small script (``st.html`` with JavaScript allowed; our own text, no user
input in it) that watches for that dialog and puts a plain sentence in place of Streamlit's.
It watches only the layers added to the page's body, where dialogs are drawn, not the app.
It matches Streamlit's two known sentences exactly; should a Streamlit release change them,
the script does nothing and Streamlit's dialog shows as it is. tests/test_reconnect_browser.py
stops a server under an open page and checks the sentence the user reads.
"""

from __future__ import annotations

import streamlit as st

MESSAGE = (
    "The app's server stopped or restarted, for example after an update or because the app "
    "was asleep. This page reconnects by itself when the server is back. Data you uploaded "
    "in this tab is not kept across a restart: upload it again, or open your analysis file."
)
_KNOWN = (
    "Streamlit server is not responding. Are you connected to the internet?",
    "Is Streamlit still running? If you accidentally stopped Streamlit, just restart it in "
    "your terminal:",
)

_SCRIPT = """<script>
(() => {
  if (window.__kpiReconnect) return;
  window.__kpiReconnect = true;
  const known = %(known)s;
  const message = %(message)s;
  const fix = () => {
    for (const dialog of document.querySelectorAll('[role="dialog"]')) {
      const walker = document.createTreeWalker(dialog, NodeFilter.SHOW_TEXT);
      let node;
      while ((node = walker.nextNode())) {
        if (known.includes(node.nodeValue.trim())) {
          node.nodeValue = message;
          const code = dialog.querySelector('pre');
          if (code) code.remove();  // "streamlit run yourscript.py" is for the developer
        }
      }
    }
  };
  // Dialogs are drawn in layers that are children of the body, outside the app's root: watch
  // inside each of those (those there now, and those added later), not the app. Watching the
  // whole page, the app's own drawing (thousands of chart nodes on a first visit) queued a
  // record for every node.
  const inside = node => new MutationObserver(fix).observe(node, {childList: true, subtree: true});
  for (const node of document.body.children) if (node.id !== 'root') inside(node);
  new MutationObserver(records => {
    for (const record of records) {
      for (const node of record.addedNodes) if (node.nodeType === 1) inside(node);
    }
    fix();
  }).observe(document.body, {childList: true});
})();
</script>"""


def install() -> None:
    """Add the watcher to this page (once per browser tab; reruns add nothing new)."""
    import json

    script = _SCRIPT % {"known": json.dumps(list(_KNOWN)), "message": json.dumps(MESSAGE)}
    with st.sidebar:
        st.html(script, unsafe_allow_javascript=True)
