/* The argument explorer on the map page: draws data/argument-graph.json with Cytoscape.js at the positions computed
 * at build time (claimkb/site/figures/layout.py), with filters, a find box, keyboard navigation and a linkable view
 * (map/#focus=<claim-id>, #thesis=, #domain=, #kind=, #work=). Contributed text only ever reaches the page as
 * textContent or as canvas text, never as HTML. Colours come from CSS custom properties (claimkb.css), so the
 * canvas follows the light and dark palettes. */
(function () {
  "use strict";

  var SPACING = 240;            // horizontal distance between node centres, at zoom 1 (layout x is in 1/100ths)
  var WIDTH = 204;              // node box width
  var WRAP = 184;               // label line width
  var FONT = 14;                // label size at zoom 1
  var LINE = 18;                // label line height
  var PAD = 9;                  // padding above and below a label
  var ROW_GAP = 64;             // vertical space between rows
  var READABLE = 12 / FONT;     // the least zoom at which labels are at least 12 px
  var HIDE_LABELS = 10;         // labels smaller than this (rendered px) are not drawn: zoomed far out
  var RELAYOUT_MAX = 400;       // a filtered view this small is laid out again in the browser (dagre)
  var RESULTS = 12;             // find box: options shown
  var LAZY = 400;               // a graph of more claims is drawn in slices, the first view first
  var SLICE = 1500;             // elements added at a time while the rest of a large graph loads

  function start() {
    var root = document.querySelector(".ckb-explorer");
    if (!root || root.getAttribute("data-state")) return;  // instant navigation runs page scripts again
    var status = root.querySelector(".ckb-x-status");
    root.setAttribute("data-state", "loading");
    // The theme's instant loading inserts the page's scripts anew, and they may run in any order: wait for the
    // graph library rather than assume it came first.
    var waited = 0;
    (function library() {
      if (typeof window.cytoscape === "function") { load(); return; }
      if ((waited += 25) > 20000) {
        status.textContent = "The graph could not be drawn (its script did not load). The lists below hold every claim.";
        root.setAttribute("data-state", "failed");
        return;
      }
      setTimeout(library, 25);
    })();
    function load() {
      fetch(root.getAttribute("data-graph"))
        .then(function (r) { if (!r.ok) throw new Error(r.status + " " + r.statusText); return r.json(); })
        .then(function (data) { explorer(root, data); })
        .catch(function (err) {
          status.textContent = "The graph could not be loaded (" + err.message + "). The lists below hold every claim.";
          root.setAttribute("data-state", "failed");
        });
    }
  }

  function dagre() {
    // The layout plugin, registered once it has loaded (it may load after this script).
    if (!window.cytoscape.__ckbDagre && window.cytoscapeDagre) {
      window.cytoscape.use(window.cytoscapeDagre);
      window.cytoscape.__ckbDagre = true;
    }
    return !!window.cytoscape.__ckbDagre;
  }

  function explorer(root, data) {
    var canvas = root.querySelector(".ckb-x-canvas");
    var details = root.querySelector(".ckb-x-details");
    var status = root.querySelector(".ckb-x-status");
    var find = root.querySelector("#ckb-x-find");
    var results = root.querySelector("#ckb-x-results");
    var selects = {};
    root.querySelectorAll("select[data-filter]").forEach(function (s) { selects[s.getAttribute("data-filter")] = s; });

    var nodes = data.nodes, n = nodes.length, edges = data.edges;
    var index = new Map();
    nodes.forEach(function (node, i) { index.set(node[0], i); });
    var noPage = new Set(data.nopage || []);
    var above = [], below = [];  // what each claim bears on, and what bears on it (depends-on read as support)
    for (var i = 0; i < n; i++) { above.push([]); below.push([]); }
    for (var j = 0; j < edges.length; j += 3) {
      var s = edges[j], t = edges[j + 1], rel = data.relations[edges[j + 2]];
      if (rel === "depends-on") { above[t].push(s); below[s].push(t); } else { above[s].push(t); below[t].push(s); }
    }
    var statements = null, loadingText = null;
    var nothing = details.firstElementChild.cloneNode(true);  // the panel's text before any claim is chosen

    function url(i) { return noPage.has(i) ? null : data.url.replace("{id}", encodeURIComponent(nodes[i][0])); }
    function kindKey(i) { var k = data.kinds[nodes[i][2]]; return k ? k[0] : "claim"; }
    function kindColour(i) { var k = data.kinds[nodes[i][2]]; return k ? (k[2] || k[0]) : "premise"; }
    function domainTitle(i) { var d = data.domains[nodes[i][3]]; return d ? d[1] : ""; }

    // Labels are wrapped here, with the page's own font, so that every line fits its box and the box fits its label.
    var family = getComputedStyle(root).fontFamily || "sans-serif";
    var measure = (function () {
      var ctx = document.createElement("canvas").getContext("2d"), cache = new Map();
      ctx.font = FONT + "px " + family;
      return function (w) {
        var v = cache.get(w);
        if (v === undefined) { v = ctx.measureText(w).width; cache.set(w, v); }
        return v;
      };
    })();
    function wrap(text) {
      var lines = [], line = "", width = 0, space = measure(" ");
      text.split(" ").forEach(function (word) {
        while (measure(word) > WRAP) {  // a word wider than the box (a long URL) is broken, never cut
          var k = word.length - 1;
          while (k > 1 && measure(word.slice(0, k)) > WRAP) k--;
          if (line) { lines.push(line); line = ""; width = 0; }
          lines.push(word.slice(0, k));
          word = word.slice(k);
        }
        var w = measure(word);
        if (line && width + space + w > WRAP) { lines.push(line); line = word; width = w; }
        else { line = line ? line + " " + word : word; width = line === word ? w : width + space + w; }
      });
      if (line) lines.push(line);
      return lines;
    }

    var rowHeight = [], elements = [], heights = new Array(n);
    var labels = nodes.map(function (node, i) {
      // The first line names the kind (in capitals, set apart from the title) and the evidence domain.
      // A parenthetical gloss in a domain's title is left to the panel: the box keeps one short line for it.
      var domain = domainTitle(i).replace(/\s*\([^)]*\)\s*$/, "");
      var lines = wrap(kindKey(i).toUpperCase() + (domain ? " · " + domain : "")).concat(wrap(node[1]));
      heights[i] = lines.length * LINE + 2 * PAD;
      rowHeight[node[5]] = Math.max(rowHeight[node[5]] || 0, heights[i]);
      return lines.join("\n");
    });
    var rowTop = [], y = 0, r;
    for (r = 0; r < rowHeight.length; r++) { rowTop[r] = y; y += (rowHeight[r] || 0) + ROW_GAP; }
    var theses = new Set(data.theses);
    var home = nodes.map(function (node, i) {
      return { x: node[6] / 100 * SPACING, y: rowTop[node[5]] + rowHeight[node[5]] / 2 };
    });
    function nodeElement(i) {
      return { group: "nodes", data: { id: nodes[i][0], label: labels[i], h: heights[i], i: i },
               position: { x: home[i].x, y: home[i].y }, classes: "k-" + kindColour(i) + (theses.has(i) ? " thesis" : "") };
    }
    function edgeElement(j) {
      var name = data.relations[edges[j + 2]] || "other";
      return { group: "edges", data: { id: "e" + j / 3, source: nodes[edges[j]][0], target: nodes[edges[j + 1]][0],
                                       rel: name.replace("-", " ") }, classes: "r-" + name };
    }

    function firstView() {
      // Where the view opens, in graph coordinates: a claim named in the address, or the heaviest thesis near the top.
      var params = new URLSearchParams(location.hash.replace(/^#/, "")), w = canvas.clientWidth, h = canvas.clientHeight;
      var focus = index.get(params.get("focus") || ""), anchor = focus !== undefined ? focus : data.theses[0];
      if (anchor === undefined) anchor = 0;
      var cx = home[anchor].x, cy0 = focus !== undefined ? home[anchor].y : home[anchor].y - heights[anchor] / 2 - 40 + h / 2;
      return { x1: cx - w / 2, x2: cx + w / 2, y1: cy0 - h / 2, y2: cy0 + h / 2 };
    }
    function around(box) {
      // The claims in the box, and a margin of one box on every side (what a first pan reaches).
      var mx = box.x2 - box.x1, my = box.y2 - box.y1, out = new Set();
      for (var k = 0; k < n; k++) {
        var p = home[k];
        if (p.x > box.x1 - mx && p.x < box.x2 + mx && p.y > box.y1 - my && p.y < box.y2 + my) out.add(k);
      }
      return out;
    }
    function extent(eles) {
      // Bounding box from positions and known box sizes: asking Cytoscape would compute every element's style first.
      var x1 = Infinity, x2 = -Infinity, y1 = Infinity, y2 = -Infinity;
      eles.forEach(function (el) {
        var p = el.position(), hh = heights[el.data("i")] / 2;
        x1 = Math.min(x1, p.x - WIDTH / 2); x2 = Math.max(x2, p.x + WIDTH / 2);
        y1 = Math.min(y1, p.y - hh); y2 = Math.max(y2, p.y + hh);
      });
      return { x1: x1, x2: x2, y1: y1, y2: y2, w: x2 - x1, h: y2 - y1 };
    }
    function palette() {
      var cs = getComputedStyle(root);
      var v = function (name, fallback) { return cs.getPropertyValue(name).trim() || fallback; };
      var out = { fg: v("--ckb-x-fg", "#1d1d1d"), bg: v("--ckb-x-bg", "#ffffff"), focus: v("--ckb-x-focus", "#000"),
                  kinds: {}, rels: {} };
      data.kinds.forEach(function (k) {
        var c = k[2] || k[0];
        out.kinds[c] = { fill: v("--ckb-kind-" + c + "-fill", "#eee"), line: v("--ckb-kind-" + c + "-line", "#666") };
      });
      data.relations.forEach(function (rel) { out.rels[rel] = v("--ckb-rel-" + rel, "#555"); });
      return out;
    }
    function style(p) {
      var big = n > 1500;
      var sheet = [
        { selector: "node", style: {
          shape: "round-rectangle", width: WIDTH, height: "data(h)", label: "data(label)", "text-wrap": "wrap",
          "text-max-width": WIDTH - 4, "font-size": FONT, "line-height": LINE / FONT, "font-family": family,
          color: p.fg, "text-valign": "center", "text-halign": "center", "background-color": p.bg,
          "border-width": 1.5, "border-color": p.fg, "min-zoomed-font-size": HIDE_LABELS, "overlay-opacity": 0 } },
        { selector: "node.thesis", style: { "border-width": 3 } },
        { selector: "node:selected", style: { "border-width": 4, "border-color": p.focus, "underlay-color": p.focus,
                                              "underlay-opacity": 0.25, "underlay-padding": 6 } },
        { selector: "node.hover", style: { "underlay-color": p.focus, "underlay-opacity": 0.15, "underlay-padding": 5 } },
        { selector: ".hidden", style: { display: "none" } },
        { selector: "edge", style: {
          width: 1.6, "curve-style": big ? "straight" : "bezier", "line-color": p.rels.supports,
          "target-arrow-color": p.rels.supports, "target-arrow-shape": "triangle", "arrow-scale": 1.2, "overlay-opacity": 0 } },
        { selector: "edge.r-rebuts", style: { width: 2.4, "line-style": "dashed", "line-dash-pattern": [9, 5],
                                              "line-color": p.rels.rebuts, "target-arrow-color": p.rels.rebuts,
                                              "target-arrow-shape": "tee", "arrow-scale": 1.6 } },
        { selector: "edge.r-refines", style: { "line-color": p.rels.refines, "target-arrow-color": p.rels.refines,
                                               "target-arrow-shape": "vee" } },
        { selector: "edge.r-depends-on", style: { "line-style": "dotted", "line-color": p.rels["depends-on"],
                                                  "target-arrow-color": p.rels["depends-on"],
                                                  "target-arrow-shape": "triangle-backcurve" } },
        { selector: "edge.r-interprets", style: { "line-style": "dotted", "line-color": p.rels.interprets,
                                                  "target-arrow-color": p.rels.interprets, "target-arrow-shape": "circle",
                                                  "target-arrow-fill": "hollow" } },
        { selector: "edge.r-restates", style: { "line-color": p.rels.restates, "target-arrow-color": p.rels.restates,
                                                "target-arrow-shape": "diamond" } },
        { selector: "edge.hl", style: { width: 3.2, label: "data(rel)", "font-size": 12, "font-family": family,
                                        color: p.fg, "text-background-color": p.bg, "text-background-opacity": 1,
                                        "text-background-padding": 2, "text-rotation": "autorotate", "z-index": 10 } },
      ];
      Object.keys(p.kinds).forEach(function (k) {
        sheet.splice(1, 0, { selector: "node.k-" + k, style: { "background-color": p.kinds[k].fill,
                                                               "border-color": p.kinds[k].line } });
      });
      return sheet;
    }

    // A large graph is drawn in two steps: the claims around the first view at once, so the page answers within a
    // moment, then the rest in slices while the reader looks (anything that needs the whole graph loads it first).
    var loaded = new Uint8Array(n), edgeLoaded = new Uint8Array(edges.length / 3), pending = 0;
    var first = n > LAZY ? around(firstView()) : null;
    for (i = 0; i < n; i++) if (!first || first.has(i)) { elements.push(nodeElement(i)); loaded[i] = 1; }
    for (j = 0; j < edges.length; j += 3) {
      if (loaded[edges[j]] && loaded[edges[j + 1]]) { elements.push(edgeElement(j)); edgeLoaded[j / 3] = 1; }
    }
    var cy = window.cytoscape({
      container: canvas, elements: elements, layout: { name: "preset", fit: false }, style: style(palette()),
      minZoom: 0.02, maxZoom: 2.5, boxSelectionEnabled: false, autoungrabify: true, selectionType: "single",
      textureOnViewport: n > LAZY, hideEdgesOnViewport: n > LAZY, motionBlur: false,
    });
    function loadSlice() {
      // The next slice of what is not drawn yet: claims first (in reading order, top rows first), then relations.
      var batch = [], k;
      for (k = 0; k < n && batch.length < SLICE; k++) if (!loaded[order[k]]) { batch.push(nodeElement(order[k])); loaded[order[k]] = 1; }
      if (!batch.length) {
        for (k = 0; k < edges.length && batch.length < SLICE; k += 3) {
          if (!edgeLoaded[k / 3]) { batch.push(edgeElement(k)); edgeLoaded[k / 3] = 1; }
        }
      }
      if (batch.length) cy.add(batch);
      return batch.length > 0;
    }
    var order = nodes.map(function (nd, i) { return i; }).sort(function (a, b) { return nodes[a][5] - nodes[b][5]; });
    function ensureAll() {
      // Everything, now: a filter, the whole-graph view or a claim not drawn yet needs the whole graph.
      if (complete()) return;
      cy.batch(function () { while (loadSlice()) { /* next slice */ } });
      finished();
    }
    function complete() { return !pending && loaded.every(Boolean) && edgeLoaded.every(Boolean); }
    function finished() {
      root.setAttribute("data-complete", "true");
      if (window.ckbExplorer) window.ckbExplorer.complete = performance.now();
      if (shown === null && status.textContent.indexOf("Showing all") === 0) {
        status.textContent = "Showing all " + n + " claims. Drag to pan, scroll or pinch to zoom.";
      }
    }
    function loadRest() {
      if (!root.isConnected) return;
      if (loadSlice()) setTimeout(loadRest, 16); else finished();
    }
    var scheme = new MutationObserver(function () {
      if (root.isConnected) cy.style(style(palette())); else scheme.disconnect();
    });
    scheme.observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });

    var state = { thesis: "", domain: "", kind: "", work: "", focus: "" };
    var current = -1;
    var shown = null;
    var relaidOut = false;  // whether a filtered view moved nodes away from their build-time positions  // indexes of the claims the filters let through, or null for all

    function visible(i) { return shown === null || shown.has(i); }
    function node(i) { return cy.getElementById(nodes[i][0]); }

    // Filters ------------------------------------------------------------------------------------------------
    function supportTree(t) {
      // The thesis, what its supports, refines and depends-on chains reach, and what rebuts any of them: the same
      // claims the map's lists give for the thesis.
      var seen = new Set([t]), frontier = [t];
      while (frontier.length) {
        var next = [];
        frontier.forEach(function (m) {
          below[m].forEach(function (o) { if (!seen.has(o) && rebutter(o, m) === false) { seen.add(o); next.push(o); } });
        });
        frontier = next;
      }
      var members = Array.from(seen);
      members.forEach(function (m) { below[m].forEach(function (o) { if (rebutter(o, m)) seen.add(o); }); });
      return seen;
    }
    var rebuts = new Set(), interprets = new Set();
    for (j = 0; j < edges.length; j += 3) {
      var relName = data.relations[edges[j + 2]];
      if (relName === "rebuts") rebuts.add(edges[j] + ":" + edges[j + 1]);
      if (relName === "interprets" || relName === "restates") interprets.add(edges[j] + ":" + edges[j + 1]);
    }
    function rebutter(o, m) {
      // true: o rebuts m; false: o supports, refines or is needed by m; null: another relation (not in the tree)
      if (rebuts.has(o + ":" + m)) return true;
      if (interprets.has(o + ":" + m)) return null;
      return false;
    }
    function lookup(list, key) {
      for (var k = 0; k < list.length; k++) if (list[k][0] === key) return k;
      return -1;
    }
    function apply(moveView) {
      var t = state.thesis ? index.get(state.thesis) : undefined;
      var d = state.domain ? lookup(data.domains, state.domain) : -1;
      var k = state.kind ? lookup(data.kinds, state.kind) : -1;
      var w = state.work ? lookup(data.works, state.work) : -1;
      var tree = t !== undefined ? supportTree(t) : null;
      var filtered = tree || d >= 0 || k >= 0 || w >= 0;
      if (filtered) ensureAll();
      var before = shown;
      shown = null;
      if (filtered) {
        shown = new Set();
        for (var i = 0; i < n; i++) {
          var nd = nodes[i];
          if ((!tree || tree.has(i)) && (d < 0 || nd[3] === d) && (k < 0 || nd[2] === k) && (w < 0 || nd[4] === w)) shown.add(i);
        }
      }
      if (before !== null || shown !== null) {  // the whole graph at its home positions needs no change
        cy.batch(function () {
          cy.nodes().forEach(function (el) { el.toggleClass("hidden", !visible(el.data("i"))); });
          if (relaidOut) cy.nodes().positions(function (el) { return home[el.data("i")]; });
        });
        relaidOut = false;
      }
      if (current >= 0 && !visible(current)) deselect();
      var count = shown ? shown.size : n;
      var parts = [];
      if (tree) parts.push("the support of “" + nodes[t][1] + "”");
      if (d >= 0) parts.push("domain " + data.domains[d][1]);
      if (k >= 0) parts.push("kind " + data.kinds[k][1].toLowerCase());
      if (w >= 0) parts.push("claimed by " + data.works[w][1]);
      status.textContent = filtered
        ? "Showing " + count + " of " + n + " claims: " + parts.join("; ") + "."
        : "Showing all " + n + " claims" + (complete() ? "" : " (drawing the rest of the graph…)") +
          ". Drag to pan, scroll or pinch to zoom.";
      var shownEles = cy.nodes().not(".hidden");
      if (filtered && count > 1 && count <= RELAYOUT_MAX && dagre()) {
        var eles = shownEles.union(shownEles.edgesWith(shownEles));
        eles.layout({ name: "dagre", rankDir: "BT", nodeSep: 28, rankSep: 56, edgeSep: 8, fit: false, animate: false })
          .run();
        relaidOut = true;
      }
      if (moveView !== false) view(shownEles, tree ? t : undefined);
    }
    function view(eles, anchor) {
      // Everything in view if its labels stay readable; otherwise readable, starting from the anchor (a thesis).
      if (!eles.length) return;
      var bb = extent(eles), w = canvas.clientWidth, h = canvas.clientHeight;
      var fit = Math.min((w - 40) / bb.w, (h - 40) / bb.h);
      if (fit >= READABLE && complete()) {
        var z = Math.min(fit, 1.4);
        cy.zoom(z);
        cy.pan({ x: w / 2 - (bb.x1 + bb.w / 2) * z, y: h / 2 - (bb.y1 + bb.h / 2) * z });
        return;
      }
      if (anchor === undefined || !visible(anchor) || !loaded[anchor]) {
        anchor = data.theses.find(function (t) { return visible(t) && loaded[t]; });
        if (anchor === undefined) anchor = eles[0].data("i");
      }
      var p = node(anchor).position();
      cy.zoom(1);
      cy.pan({ x: w / 2 - p.x, y: Math.min(h / 2, 40 + heights[anchor] / 2) - p.y });
    }

    // Selection and details ----------------------------------------------------------------------------------
    function describe(i) {
      details.textContent = "";
      if (i < 0) { details.appendChild(nothing.cloneNode(true)); details.removeAttribute("data-claim"); return; }
      var meta = el("p", "ckb-x-meta");
      meta.appendChild(el("span", "ckb-x-badge ckb-x-kind-" + kindColour(i), kindKey(i)));
      var bits = [domainTitle(i)];
      var work = data.works[nodes[i][4]];
      if (work) bits.push("claimed by " + work[1]);
      meta.appendChild(document.createTextNode(" " + bits.filter(Boolean).join(" · ")));
      details.appendChild(meta);
      var title = el("p", "ckb-x-title");
      var href = url(i);
      var strong = el("strong", "", nodes[i][1]);
      if (href) { var a = el("a", ""); a.href = href; a.appendChild(strong); title.appendChild(a); }
      else title.appendChild(strong);
      details.appendChild(title);
      var text = el("p", "ckb-x-statement", statements ? statements[i] : "Loading the statement…");
      details.appendChild(text);
      if (!statements) loadStatements(function () { if (details.getAttribute("data-claim") === nodes[i][0]) text.textContent = statements[i]; });
      var counts = el("p", "ckb-x-counts", above[i].length + " claim" + (above[i].length === 1 ? "" : "s") +
                      " above it (what it bears on), " + below[i].length + " below it (what bears on it).");
      details.appendChild(counts);
      if (href) {
        var open = el("p", "ckb-x-open");
        var link = el("a", "md-button md-button--primary", "Open the claim page");
        link.href = href;
        open.appendChild(link);
        details.appendChild(open);
      }
      details.setAttribute("data-claim", nodes[i][0]);
    }
    function el(tag, cls, text) {
      var e = document.createElement(tag);
      if (cls) e.className = cls;
      if (text !== undefined) e.textContent = text;
      return e;
    }
    function loadStatements(done) {
      if (statements) { done(); return; }
      if (!loadingText) {
        loadingText = fetch(root.getAttribute("data-text"))
          .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
          .then(function (d) { statements = d.statements; })
          .catch(function () { statements = nodes.map(function () { return "The statement is on the claim's page."; }); });
      }
      loadingText.then(done);
    }
    function select(i, centre) {
      if (!loaded[i]) ensureAll();
      if (!visible(i)) { clear(false); }
      cy.batch(function () {
        cy.elements(":selected").unselect();
        cy.edges(".hl").removeClass("hl");
        node(i).select();
        node(i).connectedEdges().addClass("hl");
      });
      current = i;
      state.focus = nodes[i][0];
      describe(i);
      canvas.setAttribute("aria-label", "Argument graph. Selected: " + kindKey(i) + ", " + nodes[i][1]);
      writeHash();
      if (centre) {
        var p = node(i).renderedPosition(), w = canvas.clientWidth, h = canvas.clientHeight;
        var zoom = Math.max(cy.zoom(), 1);
        if (zoom !== cy.zoom() || p.x < 60 || p.y < 40 || p.x > w - 60 || p.y > h - 40) {
          cy.zoom(zoom);
          cy.center(node(i));
        }
      }
    }
    function deselect() {
      cy.elements(":selected").unselect();
      cy.edges(".hl").removeClass("hl");
      current = -1;
      state.focus = "";
      canvas.setAttribute("aria-label", "Argument graph");
      writeHash();
    }
    function open(i, newTab) {
      var href = url(i);
      if (!href) return;
      if (newTab) window.open(href, "_blank", "noopener"); else window.location.href = href;
    }

    cy.on("mouseover", "node", function (e) {
      e.target.addClass("hover");
      canvas.style.cursor = "pointer";
      describe(e.target.data("i"));
    });
    cy.on("mouseout", "node", function (e) {
      e.target.removeClass("hover");
      canvas.style.cursor = "";
      describe(current);
    });
    cy.on("tap", "node", function (e) {
      var i = e.target.data("i"), oe = e.originalEvent || {};
      var touch = (oe.type || "").indexOf("touch") === 0 || oe.pointerType === "touch";
      if (touch && current !== i) { select(i, false); return; }  // on a touch screen: first tap reads, second opens
      open(i, oe.ctrlKey || oe.metaKey);
    });
    cy.on("tap", function (e) { if (e.target === cy && current >= 0) { deselect(); describe(-1); } });

    // Keyboard -----------------------------------------------------------------------------------------------
    function nearest(candidates, from) {
      var p = node(from).position(), best = -1, dist = Infinity;
      candidates.forEach(function (c) {
        if (!visible(c)) return;
        var q = node(c).position(), dd = Math.abs(q.x - p.x) + Math.abs(q.y - p.y) / 4;
        if (dd < dist) { dist = dd; best = c; }
      });
      return best;
    }
    function alongRow(from, step) {
      var p = node(from).position(), row = [];
      cy.nodes().not(".hidden").forEach(function (el) {
        if (Math.abs(el.position().y - p.y) < 2) row.push(el);
      });
      row.sort(function (a, b) { return a.position().x - b.position().x; });
      var k = row.findIndex(function (el) { return el.data("i") === from; });
      var next = row[k + step];
      return next ? next.data("i") : -1;
    }
    function firstVisible() {
      var t = data.theses.find(visible);
      if (t !== undefined) return t;
      var first = cy.nodes().not(".hidden")[0];
      return first ? first.data("i") : -1;
    }
    canvas.addEventListener("focus", function () {
      if (current < 0) { var f = firstVisible(); if (f >= 0) select(f, true); }
    });
    canvas.addEventListener("keydown", function (e) {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      ensureAll();
      var target = -1;
      switch (e.key) {
        case "ArrowUp": target = current < 0 ? firstVisible() : nearest(above[current], current); break;
        case "ArrowDown": target = current < 0 ? firstVisible() : nearest(below[current], current); break;
        case "ArrowLeft": target = current < 0 ? firstVisible() : alongRow(current, -1); break;
        case "ArrowRight": target = current < 0 ? firstVisible() : alongRow(current, 1); break;
        case "Home": target = firstVisible(); break;
        case "Enter": if (current >= 0) open(current, false); break;
        case "Escape": deselect(); describe(-1); break;
        case "+": case "=": zoomBy(1.25); break;
        case "-": case "_": zoomBy(0.8); break;
        default: return;
      }
      e.preventDefault();
      if (target >= 0) select(target, true);
    });
    function zoomBy(f) {
      var w = canvas.clientWidth, h = canvas.clientHeight;
      var centre = current >= 0 ? node(current).renderedPosition() : { x: w / 2, y: h / 2 };
      cy.zoom({ level: Math.min(Math.max(cy.zoom() * f, cy.minZoom()), cy.maxZoom()), renderedPosition: centre });
    }

    // Find box -----------------------------------------------------------------------------------------------
    var lower = nodes.map(function (nd) { return nd[1].toLowerCase(); });
    var active = -1, matches = [];
    function search(q) {
      q = q.trim().toLowerCase();
      matches = [];
      if (q) {
        var scored = [];
        for (var i = 0; i < n; i++) {
          var id = nodes[i][0], title = lower[i], score = -1;
          if (id === q) score = 0;
          else if (id.indexOf(q) === 0) score = 1;
          else if (title.indexOf(q) === 0 || title.indexOf(" " + q) >= 0) score = 2;
          else if (title.indexOf(q) >= 0 || id.indexOf(q) >= 0) score = 3;
          if (score >= 0) scored.push([score, i]);
        }
        scored.sort(function (a, b) { return a[0] - b[0] || lower[a[1]].localeCompare(lower[b[1]]); });
        matches = scored.slice(0, RESULTS).map(function (s) { return s[1]; });
      }
      results.textContent = "";
      matches.forEach(function (i, k) {
        var li = el("li", "ckb-x-option");
        li.id = "ckb-x-option-" + k;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.appendChild(el("span", "ckb-x-option-title", nodes[i][1]));
        li.appendChild(el("span", "ckb-x-option-meta", kindKey(i) + " · " + nodes[i][0] + (visible(i) ? "" : " · hidden by the filters")));
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(i); });
        results.appendChild(li);
      });
      if (q && !matches.length) {
        var none = el("li", "ckb-x-option ckb-x-none", "No claim matches “" + q + "”.");
        none.setAttribute("role", "option");
        none.setAttribute("aria-disabled", "true");
        results.appendChild(none);
      }
      results.hidden = !q;
      find.setAttribute("aria-expanded", q ? "true" : "false");
      activate(matches.length ? 0 : -1);
    }
    function activate(k) {
      active = k;
      results.querySelectorAll("[role=option]").forEach(function (li, m) {
        li.setAttribute("aria-selected", m === k ? "true" : "false");
      });
      if (k >= 0) { find.setAttribute("aria-activedescendant", "ckb-x-option-" + k); results.children[k].scrollIntoView({ block: "nearest" }); }
      else find.removeAttribute("aria-activedescendant");
    }
    function choose(i) {
      results.hidden = true;
      find.setAttribute("aria-expanded", "false");
      find.removeAttribute("aria-activedescendant");
      find.value = nodes[i][1];
      if (!visible(i)) clear(false);
      select(i, true);
      canvas.focus({ preventScroll: true });
    }
    find.addEventListener("input", function () { search(find.value); });
    find.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" && matches.length) { activate((active + 1) % matches.length); e.preventDefault(); }
      else if (e.key === "ArrowUp" && matches.length) { activate((active - 1 + matches.length) % matches.length); e.preventDefault(); }
      else if (e.key === "Enter") { e.preventDefault(); if (active >= 0) choose(matches[active]); }
      else if (e.key === "Escape") { results.hidden = true; find.setAttribute("aria-expanded", "false"); }
    });
    find.addEventListener("blur", function () { results.hidden = true; find.setAttribute("aria-expanded", "false"); });
    root.querySelector(".ckb-x-controls").addEventListener("submit", function (e) { e.preventDefault(); });

    // Filters, buttons and the address ---------------------------------------------------------------------
    Object.keys(selects).forEach(function (name) {
      selects[name].addEventListener("change", function () {
        state[name] = selects[name].value;
        apply();
        writeHash();
      });
    });
    function clear(moveView) {
      Object.keys(selects).forEach(function (name) { selects[name].value = ""; state[name] = ""; });
      apply(moveView);
      writeHash();
    }
    root.querySelectorAll("button[data-action]").forEach(function (b) {
      b.addEventListener("click", function () {
        var action = b.getAttribute("data-action");
        if (action === "zoom-in") zoomBy(1.25);
        else if (action === "zoom-out") zoomBy(0.8);
        else if (action === "fit") { ensureAll(); cy.fit(cy.nodes().not(".hidden"), 20); }
        else if (action === "clear") { clear(); if (current >= 0) select(current, true); }
      });
    });
    function writeHash() {
      var params = new URLSearchParams();
      ["focus", "thesis", "domain", "kind", "work"].forEach(function (k) { if (state[k]) params.set(k, state[k]); });
      var text = params.toString();
      var target = location.pathname + location.search + (text ? "#" + text : "");
      if (target !== location.pathname + location.search + location.hash) history.replaceState(history.state, "", target);
    }
    function readHash() {
      if (!root.isConnected) {  // navigated away
        window.removeEventListener("hashchange", onHashChange);
        window.removeEventListener("popstate", readHash);
        return;
      }
      var params = new URLSearchParams(location.hash.replace(/^#/, ""));
      Object.keys(selects).forEach(function (name) {
        var value = params.get(name) || "";
        var ok = Array.prototype.some.call(selects[name].options, function (o) { return o.value === value; });
        state[name] = ok ? value : "";
        selects[name].value = state[name];
      });
      var focus = params.get("focus");
      apply(!(focus && index.has(focus)));
      if (focus && index.has(focus)) {
        var i = index.get(focus);
        if (!visible(i)) clear(false);
        select(i, false);
        cy.zoom(Math.max(cy.zoom(), 1));
        cy.center(node(i));
      } else if (current >= 0) {
        deselect();
        describe(-1);
      }
    }
    function onHashChange() { readHash(); }
    window.addEventListener("hashchange", onHashChange);
    // A link on this page to a view of the map (the lists' "Show it in the map"): the view changes and the map comes
    // into sight. The theme would otherwise take the click and scroll back to where the link was.
    function onClick(e) {
      if (!root.isConnected) { document.removeEventListener("click", onClick, true); return; }
      var a = e.target.closest ? e.target.closest("a[href]") : null;
      if (!a || typeof a.href !== "string" || e.button || e.ctrlKey || e.metaKey || e.shiftKey) return;
      var to = new URL(a.href, location.href);
      if (to.pathname !== location.pathname || !/^#(focus|thesis|domain|kind|work)=/.test(to.hash)) return;
      e.preventDefault();
      e.stopImmediatePropagation();
      history.pushState(history.state, "", to.href);
      readHash();
      root.scrollIntoView({ block: "start" });
    }
    document.addEventListener("click", onClick, true);
    window.addEventListener("popstate", readHash);

    readHash();
    requestAnimationFrame(function () {
      requestAnimationFrame(function () {
        root.setAttribute("data-state", "ready");
        window.ckbExplorer = { cy: cy, ready: performance.now(), nodes: n };
        if (complete()) finished(); else setTimeout(loadRest, 50);
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
