/* The speech review page: open a candidate in the editor without reloading, and turn a text
 * selection into a new candidate (the add form's start/end). Without JavaScript the links and
 * forms work as plain pages. */
(function () {
  "use strict";
  var textEl = document.getElementById("speech-text");
  if (!textEl) return;

  // --- open a candidate beside the text ------------------------------------------------------
  function openCandidate(id, link) {
    var url = new URL(window.location.href);
    url.searchParams.set("d", id);
    url.hash = "";
    var partial = new URL(url);
    partial.searchParams.set("partial", "editor");
    fetch(partial.toString(), { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(function (html) {
        var old = document.getElementById("editor");
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("#editor");
        if (!old || !fresh) { window.location.href = link.href; return; }
        old.replaceWith(fresh);
        document.querySelectorAll("mark.cand.current").forEach(function (m) { m.classList.remove("current"); });
        var mark = document.getElementById("c-" + id);
        if (mark) {
          mark.classList.add("current");
          var r = mark.getBoundingClientRect();
          var narrow = window.matchMedia("(max-width: 980px)").matches;
          if (!narrow && (r.top < 0 || r.bottom > window.innerHeight)) mark.scrollIntoView({ behavior: "smooth", block: "center" });
        }
        history.replaceState(null, "", url.toString() + "#c-" + id);
        if (window.matchMedia("(max-width: 980px)").matches) fresh.scrollIntoView({ behavior: "smooth", block: "start" });
        var first = fresh.querySelector("input[name=title]");
        if (first && !window.matchMedia("(max-width: 980px)").matches) first.focus({ preventScroll: true });
      })
      .catch(function () { window.location.href = link.href; });
  }
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a[data-id]");
    if (!a || !(textEl.contains(a) || a.closest("#editor"))) return;
    var sel = window.getSelection();
    if (sel && !sel.isCollapsed && textEl.contains(sel.anchorNode)) return; // selecting, not clicking
    e.preventDefault();
    openCandidate(a.getAttribute("data-id"), a);
  });

  // phones: the editor sits below the speech; a page opened on a candidate (after 保存, 下一条…) shows it
  if (window.matchMedia("(max-width: 980px)").matches && new URL(window.location.href).searchParams.get("d")) {
    var ed = document.getElementById("editor");
    if (ed) setTimeout(function () { ed.scrollIntoView({ block: "start" }); }, 0);
  }

  // --- a selection becomes a candidate --------------------------------------------------------
  var form = document.getElementById("add-form");
  var bar = document.getElementById("selbar");
  var barText = document.getElementById("selbar-text");
  var preview = document.getElementById("add-preview");
  var startIn = form && form.querySelector("input[name=start]");
  var endIn = form && form.querySelector("input[name=end]");
  var previewDefault = preview ? preview.textContent : "";

  function offsetOf(node, offset) {
    var el = node.nodeType === 3 ? node.parentNode : node;
    var seg = el.closest && el.closest(".seg");
    if (!seg || !textEl.contains(seg)) return null;
    var base = parseInt(seg.getAttribute("data-start"), 10);
    if (node.nodeType !== 3) offset = offset > 0 ? seg.textContent.length : 0;
    return base + offset;
  }
  function clear() {
    if (bar) bar.hidden = true;
    if (startIn) startIn.value = "";
    if (endIn) endIn.value = "";
    if (preview) preview.textContent = previewDefault;
  }
  function onSelect() {
    var sel = window.getSelection();
    if (!sel || sel.isCollapsed || !sel.rangeCount) { return; }
    var r = sel.getRangeAt(0);
    if (!textEl.contains(r.startContainer) || !textEl.contains(r.endContainer)) return;
    var a = offsetOf(r.startContainer, r.startOffset), b = offsetOf(r.endContainer, r.endOffset);
    if (a === null || b === null || b <= a) return;
    var chosen = sel.toString().trim();
    if (chosen.length < 2) return;
    startIn.value = a; endIn.value = b;
    var shown = chosen.length > 60 ? chosen.slice(0, 60) + "…" : chosen;
    if (preview) preview.textContent = "已选中：“" + shown + "”";
    if (bar) { barText.textContent = "已选中：“" + shown + "”"; bar.hidden = false; }
  }
  textEl.addEventListener("mouseup", function () { setTimeout(onSelect, 0); });
  textEl.addEventListener("keyup", function () { setTimeout(onSelect, 0); });
  document.addEventListener("selectionchange", function () {
    var sel = window.getSelection();
    if (sel && !sel.isCollapsed && textEl.contains(sel.anchorNode)) { clearTimeout(onSelect.t); onSelect.t = setTimeout(onSelect, 250); }
  });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") clear(); });
})();
