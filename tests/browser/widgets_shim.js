// Glue for the vendored Jupyter widget manager in the offline build. Copied to
// _static/widgets/ by tests/browser/build_offline.py and loaded after require.js and before
// embed-amd.js (see tests/browser/offline.yml).
(function () {
  var here = document.currentScript.src.replace(/\/[^/]*$/, "");  // .../_static/widgets
  // 1. The manager looks for its icon fonts next to its AMD module id, which require.js
  //    would resolve relative to the page: point that id at the vendored folder.
  require.config({ paths: { "@jupyter-widgets/html-manager/dist": here } });
  // 2. The manager typesets widget labels with MathJax 2's API (MathJax.Hub.Queue) whenever a
  //    global MathJax exists; the book loads MathJax 3, which has no Hub. Translate the call.
  function install() {
    var mj = window.MathJax;
    if (!mj || mj.Hub) { return; }
    mj.Hub = {
      Queue: function () {
        Array.prototype.forEach.call(arguments, function (job) {
          var m = window.MathJax;
          if (Array.isArray(job) && job[0] === "Typeset" && m && m.startup && m.typesetPromise) {
            m.startup.promise.then(function () { return m.typesetPromise([job[2]]); });
          }
        });
      }
    };
  }
  install();  // the configuration object that MathJax 3 replaces when it loads
  document.addEventListener("DOMContentLoaded", install);  // MathJax 3 itself (a deferred script)
})();
