// Mermaid (about 1 MB compressed) is fetched only by a page that draws a diagram. The theme renders diagrams with
// the global `mermaid` when one exists and fetches its own copy from a CDN otherwise; this stand-in is that global:
// it loads the vendored copy on the first diagram and hands every call over to it. No request to any other host.
(function () {
  "use strict";
  if (typeof window.mermaid !== "undefined") return;
  var script = document.currentScript;
  var source = new URL("vendor/mermaid/mermaid.min.js", script ? script.src : document.baseURI).href;
  var settings = null;
  var loading = null;
  var stand = {
    initialize: function (config) { settings = config; },
    render: function () {
      var args = arguments;
      return load().then(function (real) { return real.render.apply(real, args); });
    },
    run: function () {
      var args = arguments;
      return load().then(function (real) { return real.run.apply(real, args); });
    },
  };
  function load() {
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = source;
        tag.onload = function () {
          var real = window.mermaid;
          if (!real || real === stand) return reject(new Error("mermaid did not load"));
          if (settings) real.initialize(settings);
          resolve(real);
        };
        tag.onerror = reject;
        document.head.appendChild(tag);
      });
    }
    return loading;
  }
  window.mermaid = stand;
})();
