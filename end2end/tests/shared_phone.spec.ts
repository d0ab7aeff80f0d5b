import type { Page } from '@playwright/test';

import { expect, expectPath, fileReport, fillReport, hydrated, signIn, test, unique } from './helpers';

/** Signs `login` in on the phone and waits until the phone holds that account's key. */
async function reporterIn(page: Page, login: string) {
  await signIn(page, login);
  await expectPath(page, '/m');
  await hydrated(page);
  await expect.poll(() => page.evaluate(async () => {
    const account = await (self as any).DeskOutbox.current();
    return !!(account && account.key);
  })).toBe(true);
}

/** Whether any cache of the page's origin holds `path`. */
function cached(page: Page, path: string): Promise<boolean> {
  return page.evaluate(async (wanted) => {
    for (const name of await caches.keys()) {
      if (await (await caches.open(name)).match(wanted)) return true;
    }
    return false;
  }, path);
}

/** Everything the phone keeps in IndexedDB and localStorage, bytes read as text. */
function storedOnPhone(page: Page): Promise<{ text: string; outbox: number; keys: number; drafts: number }> {
  return page.evaluate(async () => {
    const db: IDBDatabase = await new Promise((resolve, reject) => {
      const open = indexedDB.open('desk-offline');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const rows: Record<string, unknown[]> = {};
    for (const name of Array.from(db.objectStoreNames)) {
      rows[name] = await new Promise((resolve, reject) => {
        const request = db.transaction(name).objectStore(name).getAll();
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    }
    db.close();
    const parts: string[] = [];
    const decoder = new TextDecoder('utf-8', { fatal: false });
    const walk = async (value: unknown): Promise<void> => {
      if (value instanceof Blob) parts.push(decoder.decode(await value.arrayBuffer()));
      else if (value instanceof ArrayBuffer) parts.push(decoder.decode(value));
      else if (ArrayBuffer.isView(value)) parts.push(decoder.decode(value as ArrayBufferView));
      else if (Array.isArray(value)) for (const v of value) await walk(v);
      else if (value && typeof value === 'object') for (const v of Object.values(value)) await walk(v);
      else parts.push(String(value));
    };
    await walk(rows);
    for (let i = 0; i < localStorage.length; i += 1) {
      const name = localStorage.key(i) ?? '';
      parts.push(name, localStorage.getItem(name) ?? '');
    }
    return {
      text: parts.join('\n'),
      outbox: (rows.outbox ?? []).length,
      keys: (rows.keys ?? []).length,
      drafts: (rows.drafts ?? []).length + (rows.texts ?? []).length,
    };
  });
}

test('a shared phone: the next account sees nothing of the last, which finds its unsent items again', async ({ browser }) => {
  test.setTimeout(90_000);
  const context = await browser.newContext({ locale: 'zh-CN' });
  const page = await context.newPage();

  // Reporter A files one report and opens it, so the phone keeps its page for offline use.
  await reporterIn(page, 'reporter');
  const filedTitle = unique('共享手机已上报');
  const number = await fileReport(page, filedTitle);
  await page.goto(`/m/r/${number}`);
  await hydrated(page);
  await expect.poll(() => cached(page, `/m/r/${number}`)).toBe(true);

  // A second report cannot reach the server (also from the service worker): it waits, unsent.
  await context.route('**/api/m/reports', (route) => route.abort('internetdisconnected'));
  const unsentTitle = unique('共享手机未发送');
  await page.goto('/m/new');
  await hydrated(page);
  await fillReport(page, unsentTitle);
  await page.getByTestId('submit-report').click();
  await expectPath(page, '/m');
  await hydrated(page);
  await expect(page.getByTestId('outbox-item').filter({ hasText: unsentTitle })).toHaveAttribute('data-state', 'queued');

  // A starts a third and leaves it as a draft.
  await page.goto('/m/new');
  await hydrated(page);
  await page.locator('#customer_name').fill('钱多多');
  await page.locator('#id_number').fill('320106198506122019');
  await page.locator('#customer_mobile').fill('13912345678');
  await expect.poll(() => page.evaluate(() => (self as any).DeskOutbox.loadText('report')))
    .toContain('320106198506122019');

  // Signing out says what is waiting and asks; A keeps it.
  await page.getByRole('button', { name: '退出登录' }).click();
  await expect(page.getByTestId('sign-out-unsent')).toContainText('还有 1 条内容没有发送');
  await page.getByTestId('sign-out-keep').click();
  await expectPath(page, '/login');

  // Only ciphertext is left: no key, no draft, no clear ID number, mobile or name anywhere.
  const left = await storedOnPhone(page);
  expect(left.outbox).toBe(1);
  expect(left.keys).toBe(0);
  expect(left.drafts).toBe(0);
  for (const clear of ['11010519491231002X', '320106198506122019', '13800138000', '13912345678', '张三', '钱多多', unsentTitle]) {
    expect(left.text, `${clear} left in clear on the phone`).not.toContain(clear);
  }
  expect(await cached(page, `/m/r/${number}`)).toBe(false);

  // Reporter B on the same browser: an empty form, an empty outbox, no page of A's.
  await reporterIn(page, 'reporter2');
  await expect(page.getByTestId('report-row').first()).toBeVisible();
  await expect(page.getByTestId('outbox-item')).toHaveCount(0);
  await page.goto('/m/new');
  await hydrated(page);
  expect(await page.evaluate(() => (self as any).DeskOutbox.loadText('report'))).toBe('null');
  await expect(page.locator('#customer_name')).toHaveValue('');
  await expect(page.locator('#id_number')).toHaveValue('');
  expect(await cached(page, `/m/r/${number}`)).toBe(false);
  // Nothing of B's waits: no question at sign-out.
  await page.getByRole('button', { name: '退出登录' }).click();
  await expectPath(page, '/login');

  // A again, with the network back: A's unsent report is A's again and goes out, once.
  await context.unroute('**/api/m/reports');
  await reporterIn(page, 'reporter');
  await expect(page.getByTestId('report-row').filter({ hasText: unsentTitle })).toHaveCount(1, { timeout: 30_000 });
  await expect(page.getByTestId('outbox-item').filter({ hasText: unsentTitle })).toHaveCount(0);
  await context.close();
});
