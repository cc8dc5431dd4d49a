// Search in Material's search box, answered by Pagefind's chunked index: a query downloads the few index chunks and
// result fragments it needs, never the whole site's index. Keys as in Material: "/" or "s" (or "f") opens the box,
// Escape closes it, the arrow keys move through the results, Enter opens the first (or the selected) one.
(function () {
  "use strict";
  var box = document.querySelector("[data-claimkb-search]");
  var toggle = document.getElementById("__search");
  if (!box || !toggle) return;
  var input = box.querySelector(".md-search__input");
  var form = box.querySelector("form");
  var meta = box.querySelector(".md-search-result__meta");
  var list = box.querySelector(".md-search-result__list");
  var placeholder = meta.textContent.trim();
  // Resolved once, against the page that loaded this script: instant navigation changes the location later.
  var bundle = new URL(box.getAttribute("data-claimkb-search"), document.baseURI);
  var siteRoot = new URL("..", bundle);
  var RESULTS = 10;
  var engine = null;
  var generation = 0;
  var timer = 0;

  function load() {
    if (!engine) {
      engine = import(bundle.href).then(function (pagefind) {
        return pagefind.options({ baseUrl: siteRoot.pathname, excerptLength: 24 }).then(function () {
          pagefind.init();
          return pagefind;
        });
      });
      engine.catch(function () { engine = null; });
    }
    return engine;
  }

  function count(n) {
    if (n === 0) return box.getAttribute("data-none");
    if (n === 1) return box.getAttribute("data-one");
    return box.getAttribute("data-other").replace("#", String(n));
  }

  // Pagefind's excerpts are text with <mark> around the matches. They are rebuilt here from an inert parse as text
  // nodes and <mark> elements only: whatever a contributor wrote reaches the page as characters, never as markup.
  function excerpt(html) {
    var p = document.createElement("p");
    var parsed = new DOMParser().parseFromString("<body>" + html + "</body>", "text/html").body;
    parsed.childNodes.forEach(function (node) {
      if (node.nodeType === 1 && node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        p.appendChild(mark);
      } else {
        p.appendChild(document.createTextNode(node.textContent));
      }
    });
    return p;
  }

  function item(data) {
    var li = document.createElement("li");
    li.className = "md-search-result__item";
    var a = document.createElement("a");
    a.className = "md-search-result__link";
    a.href = new URL(data.url, siteRoot).href;
    a.tabIndex = -1;
    var article = document.createElement("article");
    article.className = "md-search-result__article md-search-result__article--document md-typeset";
    var icon = document.createElement("div");
    icon.className = "md-search-result__icon md-icon";
    var title = document.createElement("h1");
    title.textContent = (data.meta && data.meta.title) || data.url;
    article.append(icon, title, excerpt(data.excerpt || ""));
    a.appendChild(article);
    li.appendChild(a);
    return li;
  }

  function search(query) {
    var mine = ++generation;
    if (!query.trim()) {
      list.replaceChildren();
      meta.textContent = placeholder;
      return;
    }
    load().then(function (pagefind) {
      return pagefind.search(query).then(function (found) {
        if (mine !== generation || !found) return null;
        var top = found.results.slice(0, RESULTS);
        var rest = Promise.all(top.slice(1).map(function (r) { return r.data(); }));
        // The best match shows as soon as its fragment arrives; the others follow together.
        return (top.length ? top[0].data() : Promise.resolve(null)).then(function (first) {
          if (mine !== generation) return null;
          meta.textContent = count(found.results.length);
          list.replaceChildren.apply(list, first ? [item(first)] : []);
          return rest.then(function (data) {
            if (mine === generation) list.append.apply(list, data.map(item));
          });
        });
      });
    }).catch(function () {
      if (mine === generation) meta.textContent = "Search is unavailable: the search index was not built.";
    });
  }

  function open() {
    if (!toggle.checked) {
      toggle.checked = true;
      toggle.dispatchEvent(new Event("change"));
    }
    input.focus();
    input.select();
    load();
  }

  function close() {
    if (toggle.checked) {
      toggle.checked = false;
      toggle.dispatchEvent(new Event("change"));
    }
    input.blur();
  }

  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  toggle.addEventListener("change", function () {
    if (toggle.checked) {
      load();
      setTimeout(function () { input.focus(); }, 0);
    }
  });
  input.addEventListener("focus", function () {
    load();
    if (!toggle.checked) {
      toggle.checked = true;
      toggle.dispatchEvent(new Event("change"));
    }
  });
  input.addEventListener("input", function () {
    var query = input.value;
    if (engine) load().then(function (pagefind) { pagefind.preload(query); });
    clearTimeout(timer);
    timer = setTimeout(function () { search(query); }, 60);
  });
  form.addEventListener("reset", function () {
    setTimeout(function () { search(""); input.focus(); }, 0);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var first = list.querySelector("a");
    if (first) first.click();
  });
  list.addEventListener("click", function () { close(); });

  // A reader who reached the box before this script ran (it loads after the page) is not kept waiting.
  if (document.activeElement === input) {
    load();
    if (!toggle.checked) {
      toggle.checked = true;
      toggle.dispatchEvent(new Event("change"));
    }
  }
  if (input.value) search(input.value);

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (toggle.checked) {
      var links = Array.prototype.slice.call(list.querySelectorAll("a"));
      var at = links.indexOf(document.activeElement);
      if (event.key === "Escape") {
        event.preventDefault();
        close();
      } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        var next = at + (event.key === "ArrowDown" ? 1 : -1);
        if (next < 0) input.focus();
        else if (links.length) links[Math.min(next, links.length - 1)].focus();
      } else if (event.key === "Enter" && at >= 0) {
        event.preventDefault();
        links[at].click();
      }
      return;
    }
    if (typing(event.target)) return;
    if (event.key === "/" || event.key === "s" || event.key === "f") {
      event.preventDefault();
      open();
    }
  });
})();
