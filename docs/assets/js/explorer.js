// The explorer page: text -> UTF-8 byte ids -> token rows + position rows -> sums,
// computed in the browser from the seeded tables that the site build exports from the
// package (assets/generated/embeddings-seed0.json). Plain JavaScript, no framework.
(function () {
  "use strict";

  var scriptSrc = document.currentScript && document.currentScript.src;
  var dataUrl = new URL("../generated/embeddings-seed0.json", scriptSrc || document.baseURI).href;
  var tablesPromise = null;

  function loadTables() {
    if (!tablesPromise) {
      tablesPromise = fetch(dataUrl).then(function (r) {
        if (!r.ok) throw new Error("could not load " + dataUrl + ": " + r.status);
        return r.json();
      });
    }
    return tablesPromise;
  }

  // As the pages print numbers: 4 decimals, and no "-0.0000".
  function fmt(x) {
    var s = x.toFixed(4);
    return s === "-0.0000" ? "0.0000" : s;
  }

  // PyTorch adds float32 numbers; Math.fround rounds the exact sum to float32 the same way.
  function add32(a, b) {
    return Math.fround(a + b);
  }

  function label(byte) {
    return byte >= 33 && byte < 127 ? byte + " ('" + String.fromCharCode(byte) + "')" : String(byte);
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function heat(v) {
    var a = Math.min(Math.abs(v) / 3, 1) * 0.45;
    return v >= 0 ? "rgba(229, 57, 53, " + a.toFixed(3) + ")" : "rgba(30, 136, 229, " + a.toFixed(3) + ")";
  }

  function table(id, caption, rowLabels, rows, nEmbd) {
    var t = el("table", { id: id, "class": "ee-heat" });
    t.appendChild(el("caption", {}, caption));
    var head = el("tr");
    head.appendChild(el("th", { scope: "col" }, ""));
    for (var j = 0; j < nEmbd; j++) head.appendChild(el("th", { scope: "col" }, "dim " + j));
    var thead = el("thead");
    thead.appendChild(head);
    t.appendChild(thead);
    var tbody = el("tbody");
    rows.forEach(function (row, i) {
      var tr = el("tr");
      tr.appendChild(el("th", { scope: "row" }, rowLabels[i]));
      row.forEach(function (v) {
        var td = el("td", { "class": "ee-num", "data-value": String(v) }, fmt(v));
        td.style.background = heat(v);
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
    t.appendChild(tbody);
    return t;
  }

  function render(root, data) {
    var input = root.querySelector("#ee-text");
    var error = root.querySelector("#ee-error");
    var bytesOut = root.querySelector("#ee-bytes");
    var out = root.querySelector("#ee-tables");
    var text = input.value;
    var ids = Array.from(new TextEncoder().encode(text));

    out.replaceChildren();
    bytesOut.replaceChildren();
    error.hidden = true;
    error.textContent = "";

    var perChar = Array.from(text).map(function (ch) {
      return "'" + ch + "' → [" + Array.from(new TextEncoder().encode(ch)).join(", ") + "]";
    });
    bytesOut.appendChild(el("p", {}, perChar.length ? perChar.join(" · ") : "Type some text."));
    bytesOut.appendChild(el("p", {}, "token ids: "));
    bytesOut.lastChild.appendChild(el("code", { id: "ee-ids" }, "[" + ids.join(", ") + "]"));

    if (ids.length > data.block_size) {
      error.textContent = "ValueError: " + data.too_long_message.replace("{T}", String(ids.length));
      error.hidden = false;
      return;
    }
    if (!ids.length) return;

    var tok = ids.map(function (i) { return data.token_embedding[i]; });
    var pos = ids.map(function (_, t) { return data.position_embedding[t]; });
    var sums = tok.map(function (row, t) {
      return row.map(function (v, j) { return add32(v, pos[t][j]); });
    });
    var n = data.n_embd;
    out.appendChild(table("ee-token-rows", "Step 1: token rows looked up",
      ids.map(function (i) { return "row " + label(i); }), tok, n));
    out.appendChild(table("ee-position-rows", "Step 2: position rows looked up",
      ids.map(function (_, t) { return "row " + t; }), pos, n));
    out.appendChild(table("ee-sums", "Step 3: sums, the output [0, t]",
      ids.map(function (i, t) { return label(i) + " @ " + t; }), sums, n));
  }

  function init() {
    var root = document.getElementById("ee-explorer");
    if (!root || root.dataset.ready) return;
    root.dataset.ready = "1";
    var input = root.querySelector("#ee-text");
    loadTables().then(function (data) {
      var size = document.getElementById("ee-block-size");
      if (size) size.textContent = String(data.block_size);
      render(root, data);
      input.addEventListener("input", function () { render(root, data); });
      root.dataset.loaded = "1";
    }).catch(function (e) {
      var error = root.querySelector("#ee-error");
      error.textContent = String(e);
      error.hidden = false;
    });
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init); // Material's instant navigation
  } else {
    document.addEventListener("DOMContentLoaded", init);
  }
})();
