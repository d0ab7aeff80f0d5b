/* Which split-off code files the reporter's offline pages need, read from the files the build
 * writes. Pages load some of their code lazily: the app's script imports a loader that names one
 * file per piece, each after a comment listing the pages that need it. These patterns follow the
 * output of cargo-leptos 0.3.6 with wasm-bindgen 0.2.127 (both pinned in the Makefile). The
 * service worker uses them (importScripts) and so does `make check-phone`
 * (end2end/checks/phone-bundle.mjs), which fails when they stop finding the reporter's pieces in
 * a fresh build: a changed loader format is caught there, not on a phone. */
self.splitPieces = (() => {
  const LOADER = /["']\.\/(__wasm_split\.[^"'\s]+\.js)["']/;
  const PIECE = /\/\*([^*]*)\*\/\s*const\s+\w+\s*=\s*makeLoad\(new URL\(["']\.\/([^"']+\.wasm)["']/g;
  const FILE = /["']\.\/([^"'\s]+\.wasm)["']/g;
  // The new-report form, a report's page, and on /m the list of what waits in the outbox and
  // the question signing out asks when something is unsent.
  const OFFLINE = /__(new_report|report)_route_view_|pending_outbox_|unsent_question_/;

  return {
    /** The loader file the app's script imports, or null when the build is not split. */
    loaderOf: (appScript) => (appScript.match(LOADER) || [])[1] || null,
    /** The pieces the offline pages need, each as its file and what names it (the comment
     * listing its pages, or its own file name). Files the loader names without a list of pages
     * are all taken, so a changed format costs bytes, never an offline page. */
    offlinePieces(loader) {
      const pieces = [...loader.matchAll(PIECE)].map((m) => ({ file: m[2], names: m[1] }));
      const listed = pieces.length
        ? pieces.filter((piece) => OFFLINE.test(piece.names))
        : [...loader.matchAll(FILE)].map((m) => ({ file: m[1], names: '' }));
      // The pages' own pieces are named after them rather than listed.
      const own = [...loader.matchAll(FILE)]
        .filter((m) => OFFLINE.test(m[1]))
        .map((m) => ({ file: m[1], names: m[1] }));
      return [...listed, ...own];
    },
  };
})();
