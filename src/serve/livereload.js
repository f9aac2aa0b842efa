// dotwork serve: reload this page when the site is rebuilt, and show what
// stops it from building over the page. `dotwork serve` adds this script to
// every HTML page it serves; `dotwork build` never does.
(() => {
  "use strict";
  const script = document.currentScript;
  const build = script ? script.dataset.build : "";
  const title = document.title;
  let events = null;
  let overlay = null;

  function connect() {
    if (events) return;
    // The page is named so a rebuild renders the pages open in a browser first.
    events = new EventSource("/__dotwork/events?page=" + encodeURIComponent(location.pathname));
    // A rebuild happened while this page was not listening: catch up.
    // Each event's data is a JSON string, so no character in it can split the event.
    events.addEventListener("hello", (e) => { if (JSON.parse(e.data) !== build) location.reload(); });
    events.addEventListener("reload", () => location.reload());
    events.addEventListener("errors", (e) => show(JSON.parse(e.data)));
  }

  // Browsers allow about six open connections per site; listening only while
  // the page is visible keeps background tabs from using them all up.
  function disconnect() {
    if (events) {
      events.close();
      events = null;
    }
  }

  function show(text) {
    if (!overlay) overlay = makeOverlay();
    overlay.host.style.display = "";
    overlay.text.textContent = text;
    document.title = "\u26a0 build error \u00b7 " + title;
  }

  // Styles are set through the CSSOM, which a page's Content-Security-Policy
  // does not block, inside a shadow root the site's CSS cannot reach.
  function makeOverlay() {
    const host = document.createElement("div");
    host.id = "dotwork-errors";
    Object.assign(host.style, {
      position: "fixed", left: "0", right: "0", top: "0", zIndex: "2147483647",
      maxHeight: "85vh", overflow: "auto",
    });
    const root = host.attachShadow({ mode: "open" });
    const box = document.createElement("section");
    box.setAttribute("role", "alert");
    Object.assign(box.style, {
      margin: "0", padding: "1rem 1.25rem", background: "#2b1416", color: "#fbeaea",
      borderBottom: "4px solid #e5484d", font: "15px/1.45 system-ui, sans-serif",
      boxShadow: "0 4px 24px rgba(0,0,0,.4)",
    });
    const heading = document.createElement("strong");
    heading.textContent = "The site could not be rebuilt. This is the last version that built; "
      + "fix the problem below and save, and this page will reload by itself.";
    const text = document.createElement("pre");
    Object.assign(text.style, {
      margin: ".75rem 0 .5rem", whiteSpace: "pre-wrap", overflowWrap: "anywhere",
      font: "14px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
    });
    const hide = document.createElement("button");
    hide.type = "button";
    hide.textContent = "Hide";
    hide.addEventListener("click", () => { host.style.display = "none"; });
    box.append(heading, text, hide);
    root.append(box);
    (document.body || document.documentElement).append(host);
    return { host, text };
  }

  document.addEventListener("visibilitychange", () => (document.hidden ? disconnect() : connect()));
  addEventListener("pagehide", disconnect);
  addEventListener("pageshow", () => { if (!document.hidden) connect(); });
  if (!document.hidden) connect();
})();
