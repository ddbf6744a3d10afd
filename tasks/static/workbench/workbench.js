/* 督查室工作台: shared behaviour (no inline scripts; works on top of plain server-rendered forms).
 * - unit autocomplete on input.unit-ac (directory from <script id="wb-directory" type="application/json">)
 * - chips: add from the autocomplete, remove (×)
 * - selection counters and "select all" buttons for input.pick checkboxes
 */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var directory = null;
  function units() {
    if (directory === null) {
      var el = document.getElementById("wb-directory");
      directory = el ? JSON.parse(el.textContent) : [];
    }
    return directory;
  }

  function matches(q) {
    q = q.trim();
    if (!q) return [];
    var exact = [], starts = [], contains = [];
    units().forEach(function (u) {
      var names = [u.name, u.short].concat(u.aliases || []).filter(Boolean);
      var hit = null, rank = 9;
      names.forEach(function (n) {
        var i = n.indexOf(q);
        if (i < 0) return;
        var r = n === q ? 0 : i === 0 ? 1 : 2;
        if (r < rank) { rank = r; hit = n; }
      });
      if (hit === null) return;
      var item = { unit: u, via: hit === u.name ? "" : hit };
      (rank === 0 ? exact : rank === 1 ? starts : contains).push(item);
    });
    return exact.concat(starts, contains).slice(0, 10);
  }

  function text(tag, cls, value) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    if (value !== undefined) el.textContent = value;
    return el;
  }

  function hidden(name, value) {
    var i = document.createElement("input");
    i.type = "hidden"; i.name = name; i.value = value;
    return i;
  }

  function addChip(input, unit) {
    var target = input.getAttribute("data-target");
    var box = document.getElementById("chips-" + target);
    if (!box) return;
    var name = box.getAttribute("data-name");
    var ref = name === "chip" ? "u" + unit.id : String(unit.id);
    var dup = Array.prototype.some.call(box.querySelectorAll('input[name="' + name + '"]'), function (h) {
      return h.value === ref && !h.closest(".chip").classList.contains("removed");
    });
    if (dup) return;
    var empty = box.querySelector(".chip-empty");
    if (empty) empty.remove();
    var chip = text("span", "chip");
    chip.setAttribute("data-testid", name === "chip" ? "owner-chip" : "unit-chip");
    chip.appendChild(hidden(name, ref));
    chip.appendChild(text("span", "chip-name", unit.name));
    if (name === "chip") {
      var roleSrc = input.parentNode.querySelector("select");
      var sel = document.createElement("select");
      sel.name = "chip_role"; sel.className = "role";
      [["lead", "主办"], ["co", "协办"]].forEach(function (o) {
        var opt = text("option", "", o[1]); opt.value = o[0];
        if (roleSrc && roleSrc.value === o[0]) opt.selected = true;
        sel.appendChild(opt);
      });
      chip.appendChild(sel);
    }
    var del = text("button", "chip-del", "×");
    del.type = "button"; del.setAttribute("aria-label", "移除");
    chip.appendChild(del);
    box.appendChild(chip);
  }

  // --- autocomplete -------------------------------------------------------------------------
  var list = null, listFor = null, activeIdx = -1, found = [];
  function closeList() {
    if (list) list.remove();
    list = null; listFor = null; activeIdx = -1; found = [];
  }
  function choose(i) {
    var input = listFor, item = found[i];
    if (!input || !item) return;
    addChip(input, item.unit);
    input.value = "";
    closeList();
    input.focus();
  }
  function openList(input) {
    closeList();
    found = matches(input.value);
    if (!found.length) return;
    list = text("ul", "ac-list");
    list.setAttribute("role", "listbox");
    list.setAttribute("data-testid", "ac-list");
    found.forEach(function (f, i) {
      var li = text("li", "", f.unit.name);
      li.setAttribute("role", "option");
      if (f.via) li.appendChild(text("span", "alias", "（" + f.via + "）"));
      li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(i); });
      list.appendChild(li);
    });
    listFor = input;
    (input.closest(".ac-wrap") || input.parentNode).appendChild(list);
  }
  function move(d) {
    if (!list) return;
    var items = list.querySelectorAll("li");
    if (activeIdx >= 0) items[activeIdx].classList.remove("active");
    activeIdx = (activeIdx + d + items.length) % items.length;
    items[activeIdx].classList.add("active");
    items[activeIdx].scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("input", function (e) {
    if (e.target.matches && e.target.matches("input.unit-ac")) openList(e.target);
  });
  document.addEventListener("keydown", function (e) {
    if (!(e.target.matches && e.target.matches("input.unit-ac"))) return;
    if (e.key === "ArrowDown") { e.preventDefault(); if (!list) openList(e.target); move(1); }
    else if (e.key === "ArrowUp") { e.preventDefault(); move(-1); }
    else if (e.key === "Enter" && list) { e.preventDefault(); choose(activeIdx >= 0 ? activeIdx : 0); }
    else if (e.key === "Escape") closeList();
  });
  document.addEventListener("focusout", function (e) {
    if (e.target === listFor) setTimeout(closeList, 150);
  });

  // --- chips: remove -------------------------------------------------------------------------
  document.addEventListener("click", function (e) {
    var del = e.target.closest && e.target.closest(".chip-del");
    if (del) { del.closest(".chip").remove(); }
  });
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches(".chip-x input")) {
      e.target.closest(".chip").classList.toggle("removed", e.target.checked);
    }
  });

  // --- selection counters ----------------------------------------------------------------------
  function updateCount() {
    var out = document.getElementById("sel-count");
    if (out) out.textContent = document.querySelectorAll("input.pick:checked").length;
  }
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("input.pick, input.pick-all")) {
      if (e.target.matches("input.pick-all")) {
        document.querySelectorAll("input.pick:not(:disabled)").forEach(function (c) { c.checked = e.target.checked; });
      }
      updateCount();
    }
  });
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("[data-select]");
    if (!b) return;
    var mode = b.getAttribute("data-select");
    document.querySelectorAll("input.pick:not(:disabled)").forEach(function (c) {
      if (mode === "none") c.checked = false;
      else if (mode === "pending") c.checked = true;
      else if (mode === "unmapped") c.checked = c.checked || !!c.closest(".unmapped");
    });
    updateCount();
  });
  document.addEventListener("DOMContentLoaded", updateCount);
})();

/* phones: the bulk bar starts folded, so the speech comes first */
(function () {
  "use strict";
  var d = document.querySelector(".bulk-details");
  if (d && window.matchMedia("(max-width: 640px)").matches && !document.querySelector(".bulkbar .form-errors")) d.open = false;
})();
