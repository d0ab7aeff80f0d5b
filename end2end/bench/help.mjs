// The help center over HTTP against a running release server with 50,000 generated articles:
// search latency, a content page's throughput as a share of /healthz's in the same run (wrk),
// its p99 at a steady 300 requests a second, its first-load bytes in Chromium and Lighthouse's
// mobile figures.
//
// Usage: BENCH_URL=http://127.0.0.1:3302 BENCH_DATABASE_URL=postgres://... node end2end/bench/help.mjs
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { chromium } from '@playwright/test';

const base = process.env.BENCH_URL ?? 'http://127.0.0.1:3302';
const database = (process.env.BENCH_DATABASE_URL ?? '').split('?')[0];
const here = new URL('.', import.meta.url).pathname;
const SLUG = 'custody-bank-binding-failed';

function psql(sql) {
  const root = '/usr/lib/postgresql';
  const installed = existsSync(root)
    ? readdirSync(root).map((v) => `${root}/${v}/bin/psql`).filter(existsSync)
    : [];
  const bin = existsSync('/usr/bin/psql') ? '/usr/bin/psql' : (installed[0] ?? 'psql');
  return execFileSync(bin, ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', database],
    { input: sql, encoding: 'utf8' }).trim();
}

const seeded = Date.now();
psql(readFileSync(`${here}help-articles.sql`, 'utf8'));
const articles = psql("SELECT count(*) FROM help_articles WHERE state = 'published'");
console.log(`seeded: ${articles} published articles in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);

const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
function get(path, headers = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const request = http.get(`${base}${path}`, { agent, headers }, (response) => {
      let bytes = 0;
      response.on('data', (chunk) => { bytes += chunk.length; });
      response.on('end', () => resolve({ status: response.statusCode, bytes, ms: performance.now() - started }));
    });
    request.on('error', reject);
  });
}

function percentile(sorted, share) {
  return sorted[Math.min(sorted.length, Math.ceil(sorted.length * share)) - 1];
}
function summary(times) {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), p99: percentile(sorted, 0.99), max: sorted.at(-1) };
}
const ms = (value) => `${value.toFixed(1)} ms`;

// Search over HTTP: the whole results page, one reader at a time.
const queries = JSON.parse(readFileSync(`${here}../../server/tests/desk/help_search_queries.json`, 'utf8'))
  .map((c) => c.query);
const browserLike = { 'accept-encoding': 'gzip, deflate, br', accept: 'text/html' };
for (const q of queries) await get(`/help/search?q=${encodeURIComponent(q)}`, browserLike);
const searchTimes = [];
for (let round = 0; round < 10; round += 1) {
  for (const q of queries) {
    const answer = await get(`/help/search?q=${encodeURIComponent(q)}`, browserLike);
    if (answer.status !== 200) throw new Error(`search ${q}: ${answer.status}`);
    searchTimes.push(answer.ms);
  }
}
const search = summary(searchTimes);
console.log(`help search over HTTP (results page, ${searchTimes.length} searches): p50 ${ms(search.p50)}, ` +
  `p95 ${ms(search.p95)}, max ${ms(search.max)}`);

// Throughput: wrk on /healthz and on a content page, back to back in one run.
function wrk(path) {
  const out = execFileSync('wrk', ['-t2', '-c32', '-d10s', '-H', 'Accept-Encoding: br', `${base}${path}`], { encoding: 'utf8' });
  const rate = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? '0';
  return { rate, errors };
}
const health = wrk('/healthz');
const content = wrk(`/help/a/${SLUG}`);
const home = wrk('/help');
const ratio = content.rate / health.rate;
console.log(`wrk (2 threads, 32 connections, 10 s): /healthz ${health.rate.toFixed(0)} req/s; ` +
  `/help/a/${SLUG} ${content.rate.toFixed(0)} req/s (${(100 * ratio).toFixed(1)} %, ${content.errors} non-2xx); ` +
  `/help ${home.rate.toFixed(0)} req/s (${(100 * home.rate / health.rate).toFixed(1)} %)`);

// A steady 300 requests a second for 10 s; latency from each request's own send.
async function steady(path, perSecond = 300, seconds = 10) {
  const times = [];
  const pending = [];
  const started = performance.now();
  for (let i = 0; i < perSecond * seconds; i += 1) {
    const due = started + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(get(path, browserLike).then((answer) => {
      if (answer.status !== 200) throw new Error(`${path}: ${answer.status}`);
      times.push(answer.ms);
    }));
  }
  await Promise.all(pending);
  return summary(times);
}
const steadyContent = await steady(`/help/a/${SLUG}`);
const steadySearch = await steady(`/help/search?q=${encodeURIComponent('三方存管绑定失败')}`);
console.log(`at 300 req/s for 10 s: /help/a/${SLUG} p50 ${ms(steadyContent.p50)}, p99 ${ms(steadyContent.p99)}; ` +
  `/help/search p50 ${ms(steadySearch.p50)}, p99 ${ms(steadySearch.p99)}`);

// A first visit to the content page in Chromium: every request, headers included, as sent.
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ locale: 'zh-CN' });
const ledger = [];
context.on('requestfinished', async (request) => {
  const sizes = await request.sizes();
  ledger.push({ url: new URL(request.url()).pathname, kind: request.resourceType(),
    bytes: sizes.responseBodySize + sizes.responseHeadersSize });
});
const page = await context.newPage();
await page.goto(`${base}/help/a/${SLUG}`, { waitUntil: 'networkidle' });
await browser.close();
const counted = ledger.filter((entry) => entry.kind !== 'image');
const firstLoad = counted.reduce((sum, entry) => sum + entry.bytes, 0);
console.log(`first load of /help/a/${SLUG}: ${(firstLoad / 1024).toFixed(1)} KB in ${counted.length} requests (images aside)`);
for (const entry of counted.sort((a, b) => b.bytes - a.bytes)) {
  console.log(`    ${String(entry.bytes).padStart(8)} B  ${entry.url}`);
}

const out = execFileSync('npx', ['lighthouse', `${base}/help/a/${SLUG}`, '--quiet', '--output=json',
  '--only-categories=performance',
  '--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking --disable-component-update --disable-sync'],
{ env: { ...process.env, CHROME_PATH: '/usr/bin/chromium' }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
const result = JSON.parse(out);
const performanceScore = Math.round(result.categories.performance.score * 100);
const lcp = result.audits['largest-contentful-paint'].numericValue / 1000;
console.log(`lighthouse mobile /help/a/${SLUG}: performance ${performanceScore}, LCP ${lcp.toFixed(2)} s, ` +
  `total blocking time ${result.audits['total-blocking-time'].numericValue.toFixed(0)} ms`);

const verdict = (ok) => (ok ? 'within' : 'OVER');
console.log(`budget: search p95 over HTTP ${ms(search.p95)} (${verdict(search.p95 <= 25)} 25 ms); ` +
  `content page ${(100 * ratio).toFixed(1)} % of /healthz (${ratio >= 0.25 ? 'meets' : 'UNDER'} the 25 % aim); ` +
  `p99 at 300 req/s ${ms(steadyContent.p99)} (${verdict(steadyContent.p99 <= 50)} 50 ms); ` +
  `first load ${(firstLoad / 1024).toFixed(1)} KB (${verdict(firstLoad <= 60 * 1024)} 60 KB); ` +
  `lighthouse ${performanceScore} (aim 98), LCP ${lcp.toFixed(2)} s (aim 1.5 s)`);
agent.destroy();
