// Measures the reporter app as a phone sees it, against a running release server:
// bytes over the network for the first and a repeat load of /m (budget 220 KB) (every request of the page and
// of its service worker, headers included, as transferred: compressed), whether a repeat load
// works with no network at all, and the bytes a 4000x3000 camera photo costs to upload.
//
// Usage: BENCH_URL=http://127.0.0.1:3300 node end2end/bench/mobile.mjs
import { execFileSync } from 'node:child_process';
import { chromium } from '@playwright/test';

const base = process.env.BENCH_URL ?? 'http://127.0.0.1:3300';
const login = { login: 'reporter', password: 'demo-2026', next: '' };

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
// Sign in without loading any page, so the first load of /m is a cold one. A form post must
// name the app's origin, as the browser's own does, or it is refused as forged.
const asTheApp = { Origin: base };
async function signedInContext(options = {}) {
  const signedIn = await browser.newContext({ baseURL: base, locale: 'zh-CN', ...options });
  const answer = await signedIn.request.post('/api/login', { form: login, headers: asTheApp });
  if (!answer.ok()) throw new Error(`sign-in failed: ${answer.status()}`);
  return signedIn;
}

// Every network request of a context, the service worker's included, is handed to `record`;
// requests answered by the service worker itself are not network traffic.
function recordRequests(target, record) {
  target.on('requestfinished', async (request) => {
    const response = await request.response();
    if (!response || response.fromServiceWorker()) return;
    const sizes = await request.sizes();
    record({
      url: new URL(request.url()).pathname,
      bytes: sizes.responseBodySize + sizes.responseHeadersSize,
      fromWorker: Boolean(request.serviceWorker()),
    });
  });
}
let ledger = [];

function report(label, entries) {
  const total = entries.reduce((sum, entry) => sum + entry.bytes, 0);
  console.log(`${label}: ${(total / 1024).toFixed(1)} KB over the network in ${entries.length} requests`);
  for (const entry of entries.sort((a, b) => b.bytes - a.bytes)) {
    console.log(`    ${String(entry.bytes).padStart(8)} B  ${entry.url}`);
  }
  return total;
}

// On the first load the page's own requests are the load, and what the not yet controlling
// service worker fetches meanwhile is its background warm-up (offline copies of pages and their
// code), reported on its own. Once it controls the page, it fetches for the page: all counts.
async function measure(label, load, { workerIsWarmUp = false } = {}) {
  ledger = [];
  await load();
  await new Promise((resolve) => setTimeout(resolve, 1500)); // late service-worker fetches
  if (!workerIsWarmUp) return report(label, ledger);
  const total = report(label, ledger.filter((entry) => !entry.fromWorker));
  report('    service worker warm-up in the background', ledger.filter((entry) => entry.fromWorker));
  return total;
}

const hydrated = (page) => page.locator('body[data-hydrated="true"]').waitFor();

// The budget's figure: all that the page itself fetches, with service workers blocked. With one
// installing, the page and the worker's warm-up share some files (the split loader, the
// favicon), and whichever asks first transfers them: the page's count moved by 2 KB with that.
const cold = await signedInContext({ serviceWorkers: 'block' });
recordRequests(cold, (entry) => ledger.push(entry));
const coldPage = await cold.newPage();
const first = await measure('first load of /m', async () => {
  await coldPage.goto('/m');
  await hydrated(coldPage);
});
await cold.close();

// The same first load as a phone makes it, with the service worker installing beside the page.
const context = await signedInContext();
recordRequests(context, (entry) => ledger.push(entry));
const page = await context.newPage();
await measure('first load of /m with its service worker', async () => {
  await page.goto('/m');
  await hydrated(page);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForFunction(async () => Boolean(await caches.match('/m/new')));
  // The new-report form's split-off code, so that page opens offline too.
  await page.waitForFunction(async () => (await (await caches.open('desk-assets-v1')).keys())
    .some((request) => request.url.includes('new_report')));
}, { workerIsWarmUp: true });
const repeat = await measure('repeat load of /m (online)', async () => {
  await page.reload();
  await hydrated(page);
});

await context.setOffline(true);
await page.reload();
await hydrated(page);
const offlineTitle = await page.locator('h1').first().textContent();
console.log(`repeat load of /m offline: hydrated, heading "${offlineTitle}"`);
// Never opened before, but warmed by the service worker: the form works offline.
await page.goto('/m/new');
await hydrated(page);
const formFields = await page.locator('form input, form textarea').count();
console.log(`first visit of /m/new offline: hydrated, ${formFields} form fields`);
await context.setOffline(false);

// The photo: made by the browser's canvas at camera size, then shrunk by the app's own code.
await page.goto('/m/new');
await hydrated(page);
const photo = await page.evaluate(async () => {
  const canvas = new OffscreenCanvas(4000, 3000);
  const ctx = canvas.getContext('2d');
  const gradient = ctx.createLinearGradient(0, 0, 4000, 3000);
  gradient.addColorStop(0, '#0ea5e9');
  gradient.addColorStop(1, '#f97316');
  ctx.fillStyle = gradient;
  ctx.fillRect(0, 0, 4000, 3000);
  for (let i = 0; i < 20000; i++) {
    ctx.fillStyle = `hsl(${(i * 37) % 360} 70% ${30 + (i % 40)}%)`;
    ctx.fillRect((i * 997) % 4000, (i * 613) % 3000, 30 + (i % 50), 20 + (i % 30));
  }
  const original = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 });
  const file = new File([original], 'IMG_4000x3000.jpg', { type: 'image/jpeg' });
  const shrunk = JSON.parse(await DeskOutbox.addDraftImage('bench', file));
  return { original: original.size, ...shrunk };
});
console.log(`photo 4000x3000: ${(photo.original / 1024).toFixed(0)} KB as taken; ` +
  `uploaded as ${photo.width}x${photo.height}, ${(photo.bytes / 1024).toFixed(0)} KB`);

// The help center, as a visitor who never signed in: a page of its own area, measured so its
// growth is seen (its code and words never reach the phone's first load).
const visitor = await browser.newContext({ baseURL: base, locale: 'zh-CN' });
const helpLedger = [];
recordRequests(visitor, (entry) => helpLedger.push(entry));
const helpPage = await visitor.newPage();
// Help pages are plain HTML without the app's WASM: nothing hydrates there.
await helpPage.goto('/help', { waitUntil: 'networkidle' });
await new Promise((resolve) => setTimeout(resolve, 1500));
report('first load of /help (visitor)', helpLedger.filter((entry) => !entry.fromWorker));
report('    service worker warm-up in the background', helpLedger.filter((entry) => entry.fromWorker));
await visitor.close();

// What a phone on slow 4G with a 4x slower CPU paints as its largest element, and when the app
// has hydrated, in Chromium throttled through the DevTools protocol (real waits, no simulation).
// Each in a context of its own: nothing cached, no service worker yet, as on a first visit.
for (const path of ['/m', '/m/new']) {
  const slowContext = await signedInContext();
  const slowPhone = await slowContext.newPage();
  await slowPhone.addInitScript(() => {
    window.__lcp = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const el = entry.element;
        window.__lcp.push({ at: entry.startTime, what: el ? `<${el.tagName.toLowerCase()}> ${(el.textContent || '').trim().slice(0, 30)}` : entry.url });
      }
    }).observe({ type: 'largest-contentful-paint', buffered: true });
  });
  const cdp = await slowContext.newCDPSession(slowPhone);
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await slowPhone.goto(path);
  await hydrated(slowPhone);
  const hydratedAt = await slowPhone.evaluate(() => performance.now());
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const last = (await slowPhone.evaluate(() => window.__lcp)).at(-1);
  console.log(`throttled first load of ${path} (slow 4G, 4x CPU): largest paint ${last?.what} at ` +
    `${(last?.at / 1000).toFixed(1)} s; hydrated by ${(hydratedAt / 1000).toFixed(1)} s`);
  await slowContext.close();
}

// Lighthouse's mobile profile (slow 4G, 4x CPU slowdown) on the reporter's pages, signed in
// with the session cookie: its default simulated throttling (what the budget is judged by) and
// the same profile applied for real (devtools), which separates simulation from page. One run
// varies by several points here (its simulation scales the main-thread time of one real load),
// so the simulated figures are the median of LIGHTHOUSE_RUNS runs (5), as Lighthouse's own
// guidance on variability advises; every run is printed.
const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
await browser.close();
const runs = Number(process.env.LIGHTHOUSE_RUNS ?? 5);
function runLighthouse(path, method) {
  const out = execFileSync('npx', ['lighthouse', `${base}${path}`, '--quiet', '--output=json',
    '--only-categories=performance', `--throttling-method=${method}`,
    `--extra-headers=${JSON.stringify({ Cookie: cookie })}`,
    '--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking --disable-component-update --disable-sync'],
  { env: { ...process.env, CHROME_PATH: '/usr/bin/chromium' }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const result = JSON.parse(out);
  const audit = (id) => result.audits[id];
  const figures = {
    performance: Math.round(result.categories.performance.score * 100),
    lcp: audit('largest-contentful-paint').numericValue / 1000,
    fcp: audit('first-contentful-paint').numericValue / 1000,
    tbt: audit('total-blocking-time').numericValue,
  };
  const longest = (audit('long-tasks')?.details?.items ?? [])
    .slice(0, 3).map((task) => `${Math.round(task.duration)} ms`).join(', ');
  console.log(`lighthouse mobile ${path} (${method}): performance ${figures.performance}, LCP ${figures.lcp.toFixed(1)} s, ` +
    `FCP ${figures.fcp.toFixed(1)} s, total blocking time ${figures.tbt.toFixed(0)} ms; longest tasks ${longest || 'none'}`);
  return figures;
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const lighthouse = {};
for (const path of ['/m', '/m/new']) {
  const simulated = Array.from({ length: runs }, () => runLighthouse(path, 'simulate'));
  lighthouse[path] = Object.fromEntries(['performance', 'lcp', 'fcp', 'tbt']
    .map((key) => [key, median(simulated.map((figures) => figures[key]))]));
  const m = lighthouse[path];
  console.log(`lighthouse mobile ${path} (simulate, median of ${runs}): performance ${m.performance}, ` +
    `LCP ${m.lcp.toFixed(1)} s, FCP ${m.fcp.toFixed(1)} s, total blocking time ${m.tbt.toFixed(0)} ms`);
  runLighthouse(path, 'devtools');
}

const budget = 220 * 1024;
for (const [path, figures] of Object.entries(lighthouse)) {
  console.log(`budget: lighthouse ${path} performance ${figures.performance} (${figures.performance >= 95 ? 'within' : 'UNDER'} 95), ` +
    `LCP ${figures.lcp.toFixed(1)} s (${figures.lcp <= 2.5 ? 'within' : 'OVER'} 2.5 s)`);
}
console.log(`budget: first load ${(first / 1024).toFixed(1)} KB, ${first <= budget ? 'within' : 'OVER'} 220 KB; ` +
  `photo ${Math.max(photo.width, photo.height) <= 1600 ? 'within' : 'OVER'} 1600 px; ` +
  `repeat load ${(repeat / 1024).toFixed(1)} KB online, none needed offline`);
