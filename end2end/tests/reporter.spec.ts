import type { Page } from '@playwright/test';

import { sqlValue, storedFile } from './database';
import { expect, expectPath, fileReport, fillReport, hydrated, signedIn, signIn, test, unique } from './helpers';
import { cameraPhoto } from './photos';

/** Signs a reporter in and waits until the service worker keeps the app for offline use. */
async function reporterReady(page: Page, login: string) {
  await signIn(page, login);
  await expectPath(page, '/m');
  await hydrated(page);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await expect
    .poll(() => page.evaluate(async () => Boolean(await caches.match('/m/new'))), { timeout: 15_000 })
    .toBe(true);
}

test('the new-report form works offline even before it was ever opened', async ({ page, context }) => {
  await reporterReady(page, 'reporter');
  // The form's code is split off from the first load; the service worker fetches it ahead.
  await expect
    .poll(() => page.evaluate(async () => (await (await caches.open('desk-assets-v1')).keys())
      .some((request) => request.url.includes('new_report'))), { timeout: 15_000 })
    .toBe(true);

  await context.setOffline(true);
  await page.goto('/m/new');
  await hydrated(page);
  // The browser-side check runs, so the form's code is there.
  await page.locator('#id_number').fill('110105194912310021');
  await page.locator('#title').focus();
  await expect(page.locator('[data-error-for="id_number"]')).toHaveText('身份证号码校验位不正确，请核对每一位');
  await context.setOffline(false);
});

test('switching the language on the form relabels it and keeps what was typed', async ({ page, context }) => {
  await signIn(page, 'reporter');
  await expectPath(page, '/m');
  await page.goto('/m/new');
  await hydrated(page);
  await page.locator('#customer_name').fill('王五');
  await page.locator('#system').selectOption('custody');
  await page.locator('#module').selectOption('binding');
  await expect(page.locator('label[for="customer_name"]')).toHaveText('客户姓名');
  // Offline, so the choice stays on this phone: saved to the account, it would reach the other
  // tests signed in as this reporter.
  await context.setOffline(true);
  await page.getByTestId('language-switch').click();
  await expect(page.locator('label[for="customer_name"]')).toHaveText('Customer name');
  await expect(page.locator('label[for="system"]')).toHaveText('System');
  await expect(page.locator('#system option:checked')).toHaveText('Third-party custody');
  await expect(page.locator('#module option:checked')).toHaveText('Custody bank binding');
  await expect(page.getByTestId('submit-report')).toHaveText('Submit');
  await expect(page.locator('#customer_name')).toHaveValue('王五');

  await page.getByTestId('language-switch').click();
  await expect(page.locator('label[for="customer_name"]')).toHaveText('客户姓名');
  await expect(page.locator('#system option:checked')).toHaveText('三方存管');
  await expect(page.locator('#module')).toHaveValue('binding');
  await context.setOffline(false);
});

test('a report written offline with two screenshots is sent once when the network returns', async ({ page, context }) => {
  test.setTimeout(90_000);
  const title = unique('离线上报');
  await reporterReady(page, 'reporter');
  await page.goto('/m/new');
  await hydrated(page);
  const photo = await cameraPhoto(page, 4000, 3000);

  await context.setOffline(true);
  await fillReport(page, title);
  await page.getByTestId('image-input').setInputFiles([
    { name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: photo },
    { name: 'IMG_0002.jpg', mimeType: 'image/jpeg', buffer: photo },
  ]);
  await expect(page.getByTestId('draft-images').locator('li')).toHaveCount(2);
  await page.getByTestId('submit-report').click();

  await expectPath(page, '/m');
  await hydrated(page);
  const queued = page.getByTestId('outbox-item').filter({ hasText: title });
  await expect(queued).toHaveAttribute('data-state', 'queued');
  await expect(page.getByTestId('offline-banner')).toBeVisible();

  await page.reload();
  await hydrated(page);
  await expect(queued).toHaveAttribute('data-state', 'queued');

  await context.setOffline(false);
  // The first request after the network returns can hang in Chromium; the outbox gives up on
  // it after 20 s (an upload) or 30 s and sends again.
  await expect(page.getByTestId('report-row').filter({ hasText: title })).toHaveCount(1, { timeout: 45_000 });
  await expect(queued).toHaveCount(0);
  await page.getByTestId('refresh').click();
  await expect(page.getByTestId('report-row').filter({ hasText: title })).toHaveCount(1);

  expect(sqlValue(`SELECT count(*) FROM incidents WHERE title = :'title'`, { title })).toBe('1');
  const stored = sqlValue(
    `SELECT string_agg(a.object_key || ' ' || a.width || 'x' || a.height, ',')
     FROM attachments a JOIN incidents i ON i.id = a.incident_id WHERE i.title = :'title'`,
    { title },
  ).split(',');
  expect(stored).toHaveLength(2);
  for (const row of stored) {
    const [key, size] = row.split(' ');
    expect(size).toBe('1600x1200');
    const bytes = storedFile(key);
    expect(bytes.includes(Buffer.from('Exif'))).toBe(false);
    expect(bytes.includes(Buffer.from('GPS'))).toBe(false);
  }
});

test('a wrong ID checksum is refused at the field and nothing typed is lost', async ({ page }) => {
  await signIn(page, 'reporter2');
  await expectPath(page, '/m');
  await page.goto('/m/new');
  await hydrated(page);
  const title = unique('校验位');
  await fillReport(page, title);
  await page.locator('#id_number').fill('110101199003074478');
  await page.locator('#title').focus();
  await expect(page.locator('[data-error-for="id_number"]')).toHaveText('身份证号码校验位不正确，请核对每一位');
  await expect(page.locator('#id_number')).toHaveAttribute('aria-invalid', 'true');

  await page.getByTestId('submit-report').click();
  await expectPath(page, '/m/new');
  await expect(page.locator('#id_number')).toBeFocused();

  // The draft survives a reload, mistakes included, until it is sent.
  await page.reload();
  await hydrated(page);
  await expect(page.locator('#title')).toHaveValue(title);
  await expect(page.locator('#id_number')).toHaveValue('110101199003074478');
  await page.locator('#id_number').fill('110101199003074477');
  await page.locator('#title').focus();
  await expect(page.locator('[data-error-for="id_number"]')).toHaveText('');
  expect(sqlValue(`SELECT count(*) FROM incidents WHERE title = :'title'`, { title })).toBe('0');
});

test('a handler reply appears on the open report without a reload', async ({ page, context }) => {
  await signIn(page, 'reporter2');
  await expectPath(page, '/m');
  const number = await fileReport(page, unique('实时回复'));
  await page.goto(`/m/r/${number}`);
  await hydrated(page);
  await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));

  const handler = await signedIn(context.browser()!, 'handler');
  const reply = await handler.request.post('/api/console/reply', {
    data: { number, body: '您好，请提供客户的资金账号', internal: false },
  });
  expect(reply.ok()).toBe(true);
  const note = await handler.request.post('/api/console/reply', {
    data: { number, body: '内部：疑似存管行接口超时', internal: true },
  });
  expect(note.ok()).toBe(true);

  await expect(page.getByTestId('message').filter({ hasText: '请提供客户的资金账号' })).toHaveCount(1);
  expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
  await expect(page.getByText('疑似存管行接口超时')).toHaveCount(0);
  await handler.context().close();
});

test('a message written offline arrives once after a reload and reconnection', async ({ page, context }) => {
  test.setTimeout(90_000);
  await reporterReady(page, 'reporter2');
  const number = await fileReport(page, unique('离线消息'));
  await page.goto(`/m/r/${number}`);
  await hydrated(page);
  const text = unique('补充：客户资金账号 10086001');

  await context.setOffline(true);
  await page.locator('#message').fill(text);
  await page.getByTestId('send-message').click();
  const queued = page.getByTestId('outbox-item').filter({ hasText: text });
  await expect(queued).toHaveAttribute('data-state', 'queued');
  await expect(page.locator('#message')).toHaveValue('');

  await page.reload();
  await hydrated(page);
  await expect(queued).toHaveAttribute('data-state', 'queued');

  await context.setOffline(false);
  await expect(page.getByTestId('message').filter({ hasText: text })).toHaveCount(1, { timeout: 45_000 });
  await expect(queued).toHaveCount(0);
  expect(sqlValue(`SELECT count(*) FROM incident_messages WHERE body = :'text'`, { text })).toBe('1');

  // The team reads it: the reporter sees the read marker without a reload.
  const handler = await signedIn(context.browser()!, 'handler');
  expect((await handler.request.post('/api/console/read', { data: { number } })).ok()).toBe(true);
  await expect(
    page.getByTestId('message').filter({ hasText: text }).getByTestId('read-marker'),
  ).toHaveAttribute('data-read', 'true');
  await handler.context().close();
});

test('a file that is not an image fails with a clear reason and the report can be corrected', async ({ page }) => {
  await signIn(page, 'reporter2');
  await expectPath(page, '/m');
  await page.goto('/m/new');
  await hydrated(page);
  const title = unique('假图片');
  await fillReport(page, title);
  await page.getByTestId('image-input').setInputFiles([
    { name: 'report.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('%PDF-1.4 not really a photo') },
  ]);
  await expect(page.getByTestId('draft-images').locator('li')).toHaveCount(1);
  await page.getByTestId('submit-report').click();
  await expectPath(page, '/m');
  const item = page.getByTestId('outbox-item').filter({ hasText: title });
  await expect(item).toHaveAttribute('data-state', 'failed');
  await expect(item).toContainText('这个文件不是图片');

  // Correcting brings back everything written, the refused file included, to remove it.
  await item.getByTestId('outbox-edit').click();
  await expectPath(page, '/m/new');
  await hydrated(page);
  await expect(page.locator('#title')).toHaveValue(title);
  await expect(page.locator('#id_number')).toHaveValue('11010519491231002X');
  await expect(page.getByTestId('draft-images').locator('li')).toHaveCount(1);
  await page.getByTestId('remove-image').click();
  await expect(page.getByTestId('draft-images').locator('li')).toHaveCount(0);
  await page.getByTestId('submit-report').click();
  await expectPath(page, '/m');
  await expect(page.getByTestId('report-row').filter({ hasText: title })).toHaveCount(1);
  await expect(item).toHaveCount(0);
  expect(sqlValue(`SELECT count(*) FROM incidents WHERE title = :'title'`, { title })).toBe('1');
});

test('a report the server keeps failing is shown stuck after several tries, and a retry sends it', async ({ page, context }) => {
  // Back-off waits (2, 4, 8, 16 s) pass on the page's fake clock; the server's answers are real.
  await page.clock.install();
  await signIn(page, 'reporter2');
  await expectPath(page, '/m');
  await page.goto('/m/new');
  await hydrated(page);
  const title = unique('服务器故障');
  await fillReport(page, title);
  let refused = 0;
  await context.route('**/api/m/reports', async (route) => {
    refused += 1;
    await route.fulfill({ status: 503, contentType: 'text/html', body: '<h1>502 Bad Gateway</h1>' });
  });
  await page.getByTestId('submit-report').click();
  await expectPath(page, '/m');
  await hydrated(page);
  const item = page.getByTestId('outbox-item').filter({ hasText: title });
  await expect(item).toHaveAttribute('data-state', 'queued');
  await expect(item).toHaveAttribute('data-stuck', 'false');

  await expect.poll(async () => {
    await page.clock.runFor(20_000);
    return item.getAttribute('data-stuck');
  }, { timeout: 30_000 }).toBe('true');
  expect(refused).toBeGreaterThanOrEqual(5);
  await expect(item.getByTestId('outbox-state')).toHaveText('多次发送未成功，仍在自动重试');
  await expect(item).toContainText('HTTP 503');
  // It may have reached the server: retry or discard it, never edit it into a second report.
  await expect(item.getByTestId('outbox-edit')).toHaveCount(0);

  await context.unroute('**/api/m/reports');
  await item.getByTestId('outbox-retry').click();
  await expect(page.getByTestId('report-row').filter({ hasText: title })).toHaveCount(1, { timeout: 20_000 });
  await expect(item).toHaveCount(0);
  expect(sqlValue(`SELECT count(*) FROM incidents WHERE title = :'title'`, { title })).toBe('1');
});

test('screenshots the server has deleted meanwhile are uploaded again and the report is filed', async ({ page, context }) => {
  await signIn(page, 'reporter2');
  await expectPath(page, '/m');
  await page.goto('/m/new');
  await hydrated(page);
  const title = unique('截图过期');
  await fillReport(page, title);
  await page.getByTestId('image-input').setInputFiles([
    { name: 'IMG_0300.jpg', mimeType: 'image/jpeg', buffer: await cameraPhoto(page, 800, 600) },
  ]);
  await expect(page.getByTestId('draft-images').locator('li')).toHaveCount(1);

  const uploads: string[] = [];
  await context.route('**/api/m/uploads', async (route) => {
    const response = await route.fetch();
    uploads.push((await response.json()).id);
    await route.fulfill({ response });
  });
  // The first filing is told its upload is gone, as after a day in the outbox.
  let filings = 0;
  let uploadsBeforeRefusal = 0;
  await context.route('**/api/m/reports', async (route) => {
    filings += 1;
    if (filings > 1) return route.continue();
    uploadsBeforeRefusal = uploads.length;
    await route.fulfill({
      status: 410,
      contentType: 'application/json',
      body: JSON.stringify({ error: { kind: 'AttachmentsGone', ids: uploads.slice(0, 1) }, message: '已清理' }),
    });
  });
  await page.getByTestId('submit-report').click();
  await expectPath(page, '/m');
  await expect(page.getByTestId('report-row').filter({ hasText: title })).toHaveCount(1, { timeout: 20_000 });
  // Sent again after the refusal (the same client id: the server answers the same upload).
  expect(uploadsBeforeRefusal).toBeGreaterThan(0);
  expect(uploads.length).toBeGreaterThan(uploadsBeforeRefusal);
  expect(filings).toBe(2);
  expect(sqlValue(
    `SELECT count(*) FROM attachments a JOIN incidents i ON i.id = a.incident_id WHERE i.title = :'title'`,
    { title },
  )).toBe('1');
});
