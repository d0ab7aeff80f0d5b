// The handler queue and the service report over many incidents (100,000 unless
// BENCH_INCIDENTS says otherwise): seeds them straight into the database, spread over two
// years, then asks a running release server for the queue's first page and filtered pages,
// and for the weekly and monthly report, as a signed-in handler would, and prints the latency
// percentiles of each (milliseconds, over HTTP on loopback).
//
// Usage: BENCH_URL=http://127.0.0.1:3301 BENCH_DATABASE_URL=postgres://... BENCH_INCIDENTS=1000000 \
//        node end2end/bench/queue.mjs
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const base = process.env.BENCH_URL ?? 'http://127.0.0.1:3301';
const database = (process.env.BENCH_DATABASE_URL ?? '').split('?')[0];
const TOTAL = Number(process.env.BENCH_INCIDENTS ?? 100_000);
// Two years of incidents, however many there are.
const SPACING_SECONDS = (2 * 365 * 86400) / TOTAL;
const ROUNDS = 200;

function psql(sql) {
  const root = '/usr/lib/postgresql';
  const installed = existsSync(root)
    ? readdirSync(root).map((v) => `${root}/${v}/bin/psql`).filter(existsSync)
    : [];
  const bin = existsSync('/usr/bin/psql') ? '/usr/bin/psql' : (installed[0] ?? 'psql');
  return execFileSync(bin, ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', database], { input: sql, encoding: 'utf8' }).trim();
}

// Spread over two years, every system, channel and status, a third claimed by the demo
// handler, with searchable words (ten topics) like jieba would have produced. Answered within
// an hour, resolved ones within 30 hours, consultations with one of ten subcategories, a tenth
// handed to another team for a few hours. VACUUM leaves the table as autovacuum keeps a live
// one. Open incidents that are not waiting run an SLA clock; a tenth of those are past due.
const seeded = Date.now();
psql(`
  INSERT INTO incidents (client_id, reporter_id, customer_name, id_doc_type, identity_key_id,
                         id_number_sealed, id_number_index, system_id,
                         title, description, status, assignee_id, category, severity,
                         created_at, last_activity_at, search_words,
                         sla_target_secs, sla_running_since, sla_due_at, sla_breached_at,
                         channel, subcategory, first_response_at, resolved_at)
  SELECT gen_random_uuid(), r.id, '客户' || n, 'id_card', k.identity_key_id,
         k.id_number_sealed, k.id_number_index,
         s.ids[1 + n % array_length(s.ids, 1)],
         '批量事件 ' || n, '批量生成的事件描述 ' || n,
         (ARRAY['new','analysing','transferred','waiting','resolved','closed'])[1 + n % 6],
         CASE WHEN n % 3 = 0 THEN h.id END,
         (ARRAY['data','program','consultation'])[1 + n % 3],
         (ARRAY['p1','p2','p3','p4'])[1 + n % 4],
         now() - n * ${SPACING_SECONDS} * INTERVAL '1 second', now() - n * ${SPACING_SECONDS} * INTERVAL '1 second',
         to_tsvector('simple', '批量 事件 主题 ' || (n % 10) || ' ' || n),
         7200,
         CASE WHEN n % 6 < 3 THEN now() - n * ${SPACING_SECONDS} * INTERVAL '1 second' END,
         CASE WHEN n % 6 < 3 THEN now() + ((n % 1000) - 100) * INTERVAL '1 minute' END,
         CASE WHEN n % 6 < 3 AND n % 1000 < 100 THEN now() + ((n % 1000) - 100) * INTERVAL '1 minute' END,
         (ARRAY['mobile','mobile','mobile','wechat','itsm','phone','monitoring'])[1 + n % 7],
         CASE WHEN n % 3 = 2 THEN '咨询主题' || (n % 10) END,
         now() - n * ${SPACING_SECONDS} * INTERVAL '1 second' + (n % 60) * INTERVAL '1 minute',
         CASE WHEN n % 6 >= 4 THEN now() - n * ${SPACING_SECONDS} * INTERVAL '1 second' + (1 + n % 30) * INTERVAL '1 hour' END
  FROM generate_series(1, ${TOTAL}) n,
       (SELECT id FROM users WHERE login = 'reporter') r,
       (SELECT id FROM users WHERE login = 'handler') h,
       (SELECT array_agg(id) AS ids FROM systems) s,
       -- Identity is sealed by the server: every row borrows a demo incident's sealed ID card.
       (SELECT identity_key_id, id_number_sealed, id_number_index FROM incidents
        WHERE id_doc_type = 'id_card' ORDER BY id LIMIT 1) k;
  INSERT INTO incident_handoffs (incident_id, target, started_by, started_at, ended_at)
  SELECT id, (ARRAY['test','development','operations','product'])[1 + (id % 4)::int],
         reporter_id, created_at + INTERVAL '1 hour', created_at + (2 + id % 20) * INTERVAL '1 hour'
  FROM incidents WHERE id % 10 = 0 AND title LIKE '批量事件 %';
  VACUUM ANALYZE incidents;
  VACUUM ANALYZE incident_handoffs;
`);
const count = psql('SELECT count(*) FROM incidents');
console.log(`seeded ${TOTAL} incidents in ${((Date.now() - seeded) / 1000).toFixed(1)} s; ${count} in the database`);
const someSystem = psql('SELECT code FROM systems ORDER BY id LIMIT 1');

const signIn = await fetch(`${base}/api/login`, {
  method: 'POST',
  // A form post names the app's origin, as the browser's own does, or it is refused as forged.
  headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json', Origin: base },
  body: 'login=handler&password=demo-2026&next=',
  redirect: 'manual',
});
const cookie = (signIn.headers.getSetCookie().find((c) => c.startsWith('desk_session=')) ?? '').split(';')[0];
if (!cookie) throw new Error(`sign-in failed: ${signIn.status}`);

async function page(filter, after = null) {
  const started = performance.now();
  const res = await fetch(`${base}/api/console/queue`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', Cookie: cookie },
    body: JSON.stringify({ filter, after }),
  });
  const body = await res.json();
  const ms = performance.now() - started;
  if (!res.ok) throw new Error(`${res.status}: ${JSON.stringify(body)}`);
  return { ms, body };
}

const anyFilter = { status: null, system: null, assignee: 'anyone', search: '' };
const cases = [
  ['first page, no filter', anyFilter],
  ['status = analysing', { ...anyFilter, status: 'analysing' }],
  [`system = ${someSystem}, mine`, { ...anyFilter, system: someSystem, assignee: 'me' }],
  ['search "主题 7" (10% match)', { ...anyFilter, search: '主题 7' }],
  ['category data, severity p1', { ...anyFilter, category: 'data', severity: 'p1' }],
  ['reporter "report", last 30 days', { ...anyFilter, reporter: 'report', from: new Date(Date.now() - 30 * 864e5).toISOString().slice(0, 10) }],
  ['overdue only', { ...anyFilter, overdue: true }],
  ['sorted by SLA due', { ...anyFilter, sort: 'due' }],
];

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
let worst = 0;
let firstPage = 0;
for (const [label, filter] of cases) {
  for (let i = 0; i < 20; i++) await page(filter); // warm-up
  const times = [];
  let rows = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const { ms, body } = await page(filter);
    times.push(ms);
    rows = body.rows.length;
  }
  times.sort((a, b) => a - b);
  const p95 = percentile(times, 95);
  worst = Math.max(worst, p95);
  if (filter === anyFilter) firstPage = p95;
  console.log(`${label.padEnd(32)} p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms (${rows} rows a page)`);
}

// A page deep in the queue costs what the first one does (keyset pagination).
let after = null;
for (let i = 0; i < 100; i++) after = (await page(anyFilter, after)).body.next;
const deep = [];
for (let i = 0; i < 50; i++) deep.push((await page(anyFilter, after)).ms);
deep.sort((a, b) => a - b);
console.log(`${'page 101 (5,000 rows in)'.padEnd(32)} p50 ${percentile(deep, 50).toFixed(1)} ms, p95 ${percentile(deep, 95).toFixed(1)} ms`);
console.log(`budget: first page with its counts p95 ${firstPage.toFixed(1)} ms, ${firstPage < 20 ? 'within' : 'OVER'} 20 ms`);
console.log(`budget: queue p95 ${worst.toFixed(1)} ms over every filter, ${worst < 50 ? 'within' : 'OVER'} 50 ms`);

// The service report: the last whole week and month, with their trends over 8 periods before.
const shanghaiToday = new Date(Date.now() + 8 * 3600e3);
const lastWeekMonday = new Date(shanghaiToday);
lastWeekMonday.setUTCDate(shanghaiToday.getUTCDate() - ((shanghaiToday.getUTCDay() + 6) % 7) - 7);
const day = (d) => d.toISOString().slice(0, 10);
const addDays = (d, n) => new Date(d.getTime() + n * 864e5);
const lastMonthFirst = new Date(Date.UTC(shanghaiToday.getUTCFullYear(), shanghaiToday.getUTCMonth() - 1, 1));
const lastMonthLast = new Date(Date.UTC(shanghaiToday.getUTCFullYear(), shanghaiToday.getUTCMonth(), 0));
const periods = [
  ['report, last week', { kind: 'week', first: day(lastWeekMonday), last: day(addDays(lastWeekMonday, 6)) }],
  ['report, last month', { kind: 'month', first: day(lastMonthFirst), last: day(lastMonthLast) }],
];
let worstReport = 0;
for (const [label, period] of periods) {
  const ask = async () => {
    const started = performance.now();
    const res = await fetch(`${base}/api/reports/figures`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', Cookie: cookie },
      body: JSON.stringify({ period }),
    });
    const body = await res.json();
    if (!res.ok) throw new Error(`${res.status}: ${JSON.stringify(body)}`);
    return { ms: performance.now() - started, reported: body.trend.at(-1).reported };
  };
  for (let i = 0; i < 5; i++) await ask(); // warm-up
  const times = [];
  let reported = 0;
  for (let i = 0; i < 50; i++) {
    const { ms, reported: n } = await ask();
    times.push(ms);
    reported = n;
  }
  times.sort((a, b) => a - b);
  const p95 = percentile(times, 95);
  worstReport = Math.max(worstReport, p95);
  console.log(`${label.padEnd(32)} p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (${reported} incidents in the period)`);
}
console.log(`budget: report p95 ${worstReport.toFixed(1)} ms at ${count} incidents, ${worstReport < 200 ? 'within' : 'OVER'} 200 ms`);
