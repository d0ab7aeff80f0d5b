/* Service worker: keeps the mobile app (/m) and help center (/help) openable offline and sends
 * the outbox (see outbox.js) in the background. API requests are never cached or touched. */
importScripts('/outbox.js', '/split-pieces.js');

// Signed-in HTML is kept per account (`desk-pages-u<id>`, see DeskOutbox.pagesCacheOf) and
// removed when the account signs out or another signs in; public help pages apart.
const PUBLIC = 'desk-public-v1';
const ASSETS = 'desk-assets-v1';
const STATIC = [
  '/outbox.js', '/split-pieces.js', '/manifest.webmanifest', '/favicon.svg',
  '/icons/icon-192.png', '/icons/icon-512.png', '/icons/icon-maskable-512.png',
];
const APP_SHELL = ['/m', '/m/new'];

// The cache of the account signed in on this phone, or null when nobody is.
async function accountPages() {
  const account = await self.DeskOutbox.current().catch(() => null);
  return account ? caches.open(self.DeskOutbox.pagesCacheOf(account.owner)) : null;
}

async function pageCaches() {
  const names = (await caches.keys()).filter((n) => n.startsWith('desk-pages-') || n === PUBLIC);
  return Promise.all(names.map((n) => caches.open(n)));
}
const NAV_TIMEOUT = 4000;
// Every /pkg/ URL quoted in a page: link href, script src and the inline hydration script.
const PKG_URL = /["'](\/pkg\/[^"'\s?#]+)/g;

const OFFLINE_PAGE = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>离线 · Offline</title>
<style>body{font-family:system-ui,sans-serif;margin:0;padding:3rem 1.5rem;color:#0f172a;background:#f8fafc;text-align:center}
h1{font-size:1.25rem;margin:0 0 .25rem}p{color:#475569;margin:0 0 1.5rem}
a{display:inline-block;padding:.75rem 1.5rem;border-radius:.5rem;background:#0369a1;color:#fff;text-decoration:none}</style>
</head><body>
<h1>此页面无法离线访问</h1><p>请在网络恢复后重试。</p>
<h1 lang="en">This page is not available offline</h1><p lang="en">Please try again when you are back online.</p>
<a href="/m">返回首页 · Back to start</a>
</body></html>`;

function pkgUrls(html) {
  return new Set([...html.matchAll(PKG_URL)].map((m) => m[1]));
}

async function textOf(assets, url) {
  let res = await assets.match(url);
  if (!res) {
    res = await fetch(url);
    if (!res.ok) throw new Error(`${url}: ${res.status}`);
    await assets.put(url, res.clone());
  }
  return res.text();
}

// A page's hashed files plus the split-off code the reporter's offline pages need.
async function pageAssets(assets, html) {
  const urls = pkgUrls(html);
  for (const script of [...urls].filter((url) => url.endsWith('.js'))) {
    const loader = self.splitPieces.loaderOf(await textOf(assets, script));
    if (!loader) continue;
    // The loader and the pieces sit beside the bundle's script.
    const folder = script.slice(0, script.lastIndexOf('/') + 1);
    const loaderUrl = folder + loader;
    urls.add(loaderUrl);
    for (const piece of self.splitPieces.offlinePieces(await textOf(assets, loaderUrl))) {
      urls.add(folder + piece.file);
    }
  }
  return urls;
}

async function precache() {
  const assets = await caches.open(ASSETS);
  // Revalidated rather than fetched again: the worker's importScripts and the page have just
  // loaded most of these, and an unchanged file then costs a 304.
  await Promise.all(STATIC.map((url) => assets.add(new Request(url, { cache: 'no-cache' })).catch(() => {})));
  try {
    // The reporter's start page and the new-report form open offline from the first visit.
    // Signed-out visitors get a redirect to /login here: then there is nothing to keep.
    const pages = await accountPages();
    if (!pages) return;
    for (const path of APP_SHELL) {
      // As a navigation would ask: the server then answers a signed-out visitor with a real
      // redirect (which is not kept) rather than a page that redirects in the browser.
      const res = await fetch(path, {
        credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'text/html' },
      });
      if (!res.ok || res.redirected) return;
      const html = await res.clone().text();
      await pages.put(path, res);
      await Promise.all([...(await pageAssets(assets, html))].map(async (url) => {
        if (!(await assets.match(url))) await assets.add(url);
      }));
    }
  } catch (_) { /* offline or signed out: pages are cached as they are visited */ }
}

// Hashed files accumulate with every release; keep only those a cached page still refers to.
async function prunePkg() {
  const assets = await caches.open(ASSETS);
  const keep = new Set();
  for (const pages of await pageCaches()) {
    for (const req of await pages.keys()) {
      const res = await pages.match(req);
      if (res) for (const url of await pageAssets(assets, await res.text())) keep.add(url);
    }
  }
  for (const req of await assets.keys()) {
    const path = new URL(req.url).pathname;
    if (path.startsWith('/pkg/') && !keep.has(path)) await assets.delete(req);
  }
}

self.addEventListener('install', (event) => {
  self.skipWaiting();
  event.waitUntil(precache());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    await self.clients.claim();
    const names = await caches.keys();
    // Older versions kept every account's pages in one cache.
    await Promise.all(names
      .filter((n) => n.startsWith('desk-') && n !== PUBLIC && n !== ASSETS && !n.startsWith('desk-pages-u'))
      .map((n) => caches.delete(n)));
    await prunePkg().catch(() => {});
    // Pages now controlled by this version resume anything waiting in the outbox.
    for (const client of await self.clients.matchAll({ type: 'window' })) client.postMessage({ type: 'flush' });
  })());
});

// Hashed names never change content, so the cache answers without asking the network.
async function cacheFirst(event) {
  const assets = await caches.open(ASSETS);
  const hit = await assets.match(event.request, { ignoreVary: true });
  if (hit) return hit;
  const res = await fetch(event.request);
  if (res.status === 200) event.waitUntil(assets.put(event.request, res.clone()).catch(() => {}));
  return res;
}

async function staleWhileRevalidate(event) {
  const assets = await caches.open(ASSETS);
  const hit = await assets.match(event.request, { ignoreVary: true });
  const refresh = fetch(event.request).then(async (res) => {
    if (res.status === 200) await assets.put(event.request, res.clone());
    return res;
  });
  if (!hit) return refresh;
  event.waitUntil(refresh.catch(() => {}));
  return hit;
}

const isHtml = (res) => (res.headers.get('content-type') || '').includes('text/html');

function offlinePage() {
  return new Response(OFFLINE_PAGE, {
    status: 503,
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' },
  });
}

// Network first, so a page is never older than it must be; the cached copy only when the
// network fails or is too slow. A redirect (e.g. to /login once the session expired) goes through
// uncached.
async function networkFirst(event, isPublic) {
  const url = new URL(event.request.url);
  url.hash = '';
  const key = url.href;
  // A reporter's page is kept only in the signed-in account's cache; with nobody signed in,
  // in none.
  const pages = isPublic ? await caches.open(PUBLIC) : await accountPages();
  const network = fetch(event.request).then((res) => {
    if (pages && res.ok && !res.redirected && res.type !== 'opaqueredirect' && isHtml(res)) {
      return pages.put(key, res.clone()).then(() => res, () => res);
    }
    return res;
  });
  event.waitUntil(network.catch(() => {})); // a late answer still refreshes the cache
  const timeout = new Promise((resolve) => setTimeout(resolve, NAV_TIMEOUT, 'timeout'));
  let res;
  try {
    res = await Promise.race([network, timeout]);
  } catch (_) {
    res = 'failed';
  }
  // 4xx pages (403, 404) are real answers; 5xx usually comes from a proxy while the app is away.
  if (res instanceof Response && res.status < 500) return res;
  const cached = pages && await pages.match(key, { ignoreSearch: false, ignoreVary: true });
  if (cached) return cached;
  if (res instanceof Response) return res;
  if (res === 'timeout') {
    // Nothing cached: a slow answer beats the offline page.
    try { return await network; } catch (_) { /* fall through */ }
  }
  return offlinePage();
}

const within = (path, area) => path === area || path.startsWith(area + '/');

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/pkg/')) {
    event.respondWith(cacheFirst(event));
  } else if (STATIC.includes(url.pathname)) {
    event.respondWith(staleWhileRevalidate(event));
  } else if (req.mode === 'navigate' && within(url.pathname, '/m')) {
    event.respondWith(networkFirst(event, false));
  } else if (req.mode === 'navigate' && within(url.pathname, '/help')) {
    event.respondWith(networkFirst(event, true));
  }
  // Everything else, /api/ included, goes to the network untouched.
});

self.addEventListener('sync', (event) => {
  if (event.tag !== 'desk-outbox') return;
  // Rejecting asks the browser to fire the sync again later, when the network is back.
  event.waitUntil(self.DeskOutbox.flush().then((ok) => {
    if (!ok) throw new Error('offline');
  }));
});

self.addEventListener('message', (event) => {
  const type = event.data && event.data.type;
  if (type === 'clear-private') {
    event.waitUntil(caches.keys().then((names) => Promise.all(names
      .filter((n) => n.startsWith('desk-pages-')).map((n) => caches.delete(n)))));
  }
  if (type === 'warm') event.waitUntil(warm());
});

// Precache once per sign-in: only when the shell pages are missing from the cache.
async function warm() {
  const pages = await accountPages();
  if (!pages) return;
  const missing = await Promise.all(APP_SHELL.map(async (path) => !(await pages.match(path))));
  if (missing.some(Boolean)) await precache();
}
