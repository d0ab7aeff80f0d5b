import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

import type { Browser, Page } from '@playwright/test';

import { sqlValue } from './database';
import { cameraPhoto } from './photos';
import { expect, expectPath, fillReport, hydrated, signIn, test, unique } from './helpers';

// Two server processes on one database and one bucket of an S3-compatible store (moto, started
// by `make test`), as behind a load balancer: the reporter talks to one, the handler to the
// other, and the report, its screenshot, the thread and the live updates cross between them.

const endpoint = process.env.S3_TEST_ENDPOINT;
const databaseUrl = process.env.E2E_DATABASE_URL;
const basePort = Number(process.env.E2E_PORT ?? 3100);
const ports = [basePort + 2, basePort + 3];
const replicas: ChildProcess[] = [];

function startReplica(port: number, bucketPrefix: string): ChildProcess {
  const child = spawn('./target/debug/server', [], {
    cwd: path.resolve(__dirname, '../..'),
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: 'target/site',
      LEPTOS_HASH_FILES: 'true',
      RUST_LOG: 'warn',
      MEDIA_URL: `s3://desk-test/${bucketPrefix}`,
      AWS_ENDPOINT: endpoint,
      AWS_ACCESS_KEY_ID: 'desk-test',
      AWS_SECRET_ACCESS_KEY: 'desk-test-secret',
      AWS_REGION: 'us-east-1',
      AWS_ALLOW_HTTP: 'true',
      // Replicas share the outbox: one that sent to real WeCom would hold the other tests'
      // messages back by a retry.
      WECOM_BASE_URL: process.env.E2E_WECOM_MOCK,
    },
  });
  replicas.push(child);
  return child;
}

async function ready(port: number) {
  await expect
    .poll(async () => {
      try {
        return (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
      } catch {
        return 0;
      }
    }, { timeout: 60_000, intervals: [250] })
    .toBe(200);
}

async function pageOn(browser: Browser, port: number): Promise<Page> {
  const context = await browser.newContext({ baseURL: `http://127.0.0.1:${port}`, locale: 'zh-CN' });
  return context.newPage();
}

test.beforeAll(async () => {
  if (!endpoint || !databaseUrl) {
    throw new Error('S3_TEST_ENDPOINT and E2E_DATABASE_URL must be set: run through `make test`.');
  }
  const prefix = unique('replicas').replace(/\W+/g, '-');
  for (const port of ports) startReplica(port, prefix);
  await Promise.all(ports.map(ready));
});

test.afterAll(() => {
  for (const child of replicas) child.kill('SIGTERM');
});

test('a report, its screenshot, the thread and live updates cross between two replicas', async ({ browser }) => {
  test.setTimeout(90_000);
  const [reporterPort, handlerPort] = ports;
  const title = unique('双实例');

  const reporter = await pageOn(browser, reporterPort);
  await signIn(reporter, 'reporter');
  await expectPath(reporter, '/m');
  await reporter.goto('/m/new');
  await hydrated(reporter);
  await fillReport(reporter, title);
  await reporter.getByTestId('image-input').setInputFiles([
    { name: 'IMG_0100.jpg', mimeType: 'image/jpeg', buffer: await cameraPhoto(reporter, 1200, 900) },
  ]);
  await expect(reporter.getByTestId('draft-images').locator('li')).toHaveCount(1);
  await reporter.getByTestId('submit-report').click();
  await expectPath(reporter, '/m');
  const row = reporter.getByTestId('report-row').filter({ hasText: title });
  await expect(row).toHaveCount(1, { timeout: 20_000 });
  const number = Number(sqlValue(`SELECT number FROM incidents WHERE title = :'title'`, { title }));
  await reporter.goto(`/m/r/${number}`);
  await hydrated(reporter);

  // The handler, on the other replica, sees the screenshot the first one stored in the bucket.
  const handler = await pageOn(browser, handlerPort);
  await signIn(handler, 'handler');
  await expectPath(handler, '/console');
  await handler.goto(`/console/i/${number}`);
  await hydrated(handler);
  const thumb = handler.getByTestId('attachment-thumb').locator('img');
  await expect(thumb).toHaveCount(1);
  await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);

  // A reply written on the handler's replica reaches the reporter's open page live.
  const answer = unique('请提供客户资金账号');
  await handler.getByTestId('reply-body').fill(answer);
  await handler.getByTestId('reply-send').click();
  await expect(reporter.getByTestId('message').filter({ hasText: answer })).toHaveCount(1, { timeout: 15_000 });

  // And the reporter's answer, sent to the first replica, appears on the handler's page live.
  const more = unique('资金账号 10086001');
  await reporter.locator('#message').fill(more);
  await reporter.getByTestId('send-message').click();
  await expect(handler.getByTestId('message').filter({ hasText: more })).toHaveCount(1, { timeout: 15_000 });

  expect(sqlValue(`SELECT count(*) FROM incident_messages m JOIN incidents i ON i.id = m.incident_id
    WHERE i.number = :'number'`, { number: String(number) })).toBe('2');
  await reporter.context().close();
  await handler.context().close();
});
