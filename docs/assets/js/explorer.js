// The explorer page: text -> UTF-8 byte ids -> token rows + position rows -> sums,
// computed in the browser from the seeded tables that the site build exports from the
// package. The page links to that JSON (a#ee-data, from showcase.EXPLORER_DATA), and the
// JSON carries the byte labels and the package's too-long message. One message is copied:
// ByteTokenizer.encode's refusal of a lone surrogate (see refusal below); the browser tests
// compare both with the package. Plain JavaScript, no framework. Loaded on this page only.
(function () {
  "use strict";

  var tables = {}; // url -> promise of the JSON

  function loadTables(url) {
    if (!tables[url]) {
      tables[url] = fetch(url).then(function (r) {
        if (!r.ok) throw new Error("could not load " + url + ": " + r.status);
        return r.json();
      });
    }
    return tables[url];
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

  // Characters a reader cannot see, named; the others shown as themselves.
  var NAMES = {
    " ": "space", "\t": "tab", "\n": "newline", "\r": "carriage return", "\u00a0": "no-break space", "\u200b": "zero-width space",
    "\u200d": "zero-width joiner", "\ufeff": "byte order mark", "\u0300": "combining grave accent",
    "\u0301": "combining acute accent", "\u0302": "combining circumflex", "\u0303": "combining tilde",
    "\u0308": "combining diaeresis", "\u0327": "combining cedilla"
  };

  function codePoint(ch) {
    return "U+" + ch.codePointAt(0).toString(16).toUpperCase().padStart(4, "0");
  }

  function charName(ch) {
    if (NAMES[ch]) return NAMES[ch] + " (" + codePoint(ch) + ")";
    if (/\p{M}/u.test(ch)) return "combining mark (" + codePoint(ch) + ")";
    if (/[\p{White_Space}\p{C}]/u.test(ch)) return "invisible character (" + codePoint(ch) + ")";
    return null;
  }

  // Text UTF-8 cannot encode: a lone surrogate (half of a UTF-16 pair, as broken text or a
  // file name can carry). TextEncoder would quietly write U+FFFD's bytes for it; the package's
  // ByteTokenizer.encode refuses it, and so does the explorer, with the package's message
  // (its position counts code points, as Python's str does). Null for text it encodes.
  var LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

  function refusal(text) {
    var m = LONE.exec(text);
    if (!m) return null;
    return "UnicodeEncodeError: 'utf-8' codec can't encode character '\\u" +
      m[0].charCodeAt(0).toString(16) + "' in position " +
      Array.from(text.slice(0, m.index)).length + ": surrogates not allowed";
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

  // One table per step, all with the same columns (colgroup + fixed layout in extra.css),
  // so token + position = sum can be read straight down each column.
  function table(id, caption, head, rowLabels, rows, nEmbd) {
    var t = el("table", { id: id, "class": "ee-heat" });
    t.appendChild(el("caption", {}, caption));
    var cols = el("colgroup");
    cols.appendChild(el("col", { "class": "ee-col-label" }));
    for (var j = 0; j < nEmbd; j++) cols.appendChild(el("col", { "class": "ee-col-num" }));
    t.appendChild(cols);
    var tr = el("tr");
    tr.appendChild(el("th", { scope: "col" }, head));
    for (j = 0; j < nEmbd; j++) tr.appendChild(el("th", { scope: "col" }, "dim " + j));
    var thead = el("thead");
    thead.appendChild(tr);
    t.appendChild(thead);
    var tbody = el("tbody");
    rows.forEach(function (row, i) {
      var r = el("tr");
      r.appendChild(el("th", { scope: "row" }, rowLabels[i]));
      row.forEach(function (v) {
        var td = el("td", { "class": "ee-num", "data-value": String(v) }, fmt(v));
        td.style.background = heat(v);
        r.appendChild(td);
      });
      tbody.appendChild(r);
    });
    t.appendChild(tbody);
    return t;
  }

  function showBytes(box, text, data) {
    var list = el("ul", { "class": "ee-chars", "aria-label": "characters and their bytes" });
    Array.from(text).forEach(function (ch) {
      var name = charName(ch);
      var item = el("li");
      item.appendChild(name ? el("span", { "class": "ee-name" }, name) : el("code", {}, ch));
      item.appendChild(document.createTextNode(" → " + Array.from(new TextEncoder().encode(ch))
        .map(function (b) { return data.byte_labels[b]; }).join(", ")));
      list.appendChild(item);
    });
    box.replaceChildren();
    if (text.length) box.appendChild(list);
    var ids = el("p", {}, "token ids: ");
    ids.appendChild(el("code", { id: "ee-ids" }, "[" + Array.from(new TextEncoder().encode(text)).join(", ") + "]"));
    box.appendChild(ids);
  }

  function render(root, data) {
    var text = root.querySelector("#ee-text").value;
    var refused = refusal(text);
    var all = refused ? [] : Array.from(new TextEncoder().encode(text));
    var max = data.block_size;
    var ids = all.slice(0, max);

    root.querySelector("#ee-count").textContent = refused ? "not valid Unicode: no bytes" :
      all.length + " of " + max + " bytes" + (all.length > max ? ": too long" : "");
    if (refused) root.querySelector("#ee-bytes").replaceChildren();
    else showBytes(root.querySelector("#ee-bytes"), text, data);

    var why = null;
    if (refused) {
      why = "Your text has a lone surrogate: half of a UTF-16 pair, which is not a character, " +
        "so UTF-8 has no bytes for it. The package refuses such text with this message:";
    } else if (all.length > max) {
      why = "Your text is " + all.length + " bytes, but the model has only " + max +
        " position rows (block_size = " + max + "): byte " + (max + 1) +
        " would have no position row to look up. The tables below show the first " + max +
        " bytes. Given the whole text, the package does not guess; it stops with this message:";
      refused = "ValueError: " + data.too_long_message.replace("{T}", String(all.length));
    }
    root.querySelector("#ee-refused").hidden = why === null;
    if (why !== null) {
      root.querySelector("#ee-refused-why").textContent = why;
      root.querySelector("#ee-error").textContent = refused;
    }

    var out = root.querySelector("#ee-tables");
    out.replaceChildren();
    if (!ids.length) return;
    var tok = ids.map(function (i) { return data.token_embedding[i]; });
    var pos = ids.map(function (_, t) { return data.position_embedding[t]; });
    var sums = tok.map(function (row, t) {
      return row.map(function (v, j) { return add32(v, pos[t][j]); });
    });
    var n = data.n_embd;
    var labels = ids.map(function (i) { return data.byte_labels[i]; });
    out.appendChild(table("ee-token-rows", "Step 1: token rows looked up", "token id", labels, tok, n));
    out.appendChild(table("ee-position-rows", "Step 2: position rows looked up", "position",
      ids.map(function (_, t) { return String(t); }), pos, n));
    out.appendChild(table("ee-sums", "Step 3: sums, the output [0, t]", "id @ position",
      labels.map(function (l, t) { return l + " @ " + t; }), sums, n));
  }

  function init() {
    var root = document.getElementById("ee-explorer");
    var link = document.getElementById("ee-data");
    if (!root || !link || root.dataset.ready) return;
    root.dataset.ready = "1";
    var input = root.querySelector("#ee-text");
    loadTables(link.href).then(function (data) {
      render(root, data);
      input.addEventListener("input", function () { render(root, data); });
      root.dataset.loaded = "1";
    }).catch(function (e) {
      var box = root.querySelector("#ee-refused");
      root.querySelector("#ee-error").textContent = String(e);
      box.hidden = false;
    });
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init); // Material's instant navigation
  } else {
    document.addEventListener("DOMContentLoaded", init);
  }
})();
