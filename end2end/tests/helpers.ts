import { expect, test as base, type Browser, type BrowserContext, type Page, type Request } from '@playwright/test';

export { expect };

/** What each page reported that could explain a page that never hydrates: uncaught errors,
 * console errors and failed requests. `hydrated` prints them when it gives up. */
const troubles = new WeakMap<Page, string[]>();
const noteTrouble = (page: Page | null, line: string) => {
  if (!page) return;
  const lines = troubles.get(page) ?? [];
  if (lines.length < 40) lines.push(line);
  troubles.set(page, lines);
};

/** The page a request was made for; none for a service worker's own requests. */
const pageOf = (request: Request): Page | null => {
  try {
    return request.frame().page();
  } catch {
    return null;
  }
};

/** Every test runs with every page it opens watched for Content-Security-Policy violations
 * (Chromium reports each on the page's console), and fails on any: the app must run under its
 * CSP as it is, not merely load. */
export const test = base.extend<{ underCsp: void }>({
  underCsp: [async ({ browser, context }, use) => {
    const violations: string[] = [];
    const watch = (watched: BrowserContext) => {
      watched.on('console', (message) => {
        if (message.type() !== 'error') return;
        noteTrouble(message.page(), `console: ${message.text()}`);
        if (message.text().includes('Content Security Policy')) {
          violations.push(`${message.page()?.url() ?? '?'}: ${message.text()}`);
        }
      });
      watched.on('weberror', (error) => noteTrouble(error.page(), `uncaught: ${error.error().message}`));
      watched.on('requestfailed', (request) =>
        noteTrouble(pageOf(request), `failed: ${request.url()} ${request.failure()?.errorText ?? ''}`));
      watched.on('response', (response) => {
        if (response.status() >= 400) {
          noteTrouble(pageOf(response.request()), `HTTP ${response.status()}: ${response.url()}`);
        }
      });
    };
    watch(context);
    const newContext = browser.newContext.bind(browser);
    browser.newContext = async (options) => {
      const opened = await newContext(options);
      watch(opened);
      return opened;
    };
    await use();
    browser.newContext = newContext;
    expect(violations, 'Content-Security-Policy violations').toEqual([]);
  }, { auto: true }],
});

export const DEMO_PASSWORD = 'demo-2026';

/** A title no other test (or earlier run) uses. Never seven digits in a row: pushes hide such
 * runs as possible identifiers, and a test looking for the title in a push would miss it. */
export const unique = (label: string) =>
  `${label} ${Date.now().toString(36)}x${Math.floor(Math.random() * 36 ** 4).toString(36)}`;

/** Waits until the WASM app has hydrated, so clicks are handled by it. A page hydrates in a few
 * seconds; one that has not after 30 fails with what it reported, so a failure says why. */
export async function hydrated(page: Page) {
  try {
    await page.locator('body[data-hydrated="true"]').waitFor({ timeout: 30_000 });
  } catch (error) {
    const reported = troubles.get(page)?.join('\n  ') || 'nothing';
    throw new Error(`${page.url()} did not hydrate; the page reported:\n  ${reported}`, { cause: error });
  }
}

export async function signIn(page: Page, login: string, password = DEMO_PASSWORD) {
  await page.goto('/login');
  await hydrated(page);
  await page.locator('#login').fill(login);
  await page.locator('#password').fill(password);
  await page.locator('button[type="submit"]').click();
}

/** The page is at `path` and, unless it is a help page (plain HTML), has hydrated there. Going
 * between the desk's app and the phone's (`/m`) loads the next page from the server: the
 * address changes first, then the page is replaced, so a test goes on once the new one is live. */
export async function expectPath(page: Page, path: string) {
  await expect(page).toHaveURL((url) => url.pathname === path);
  if (!path.startsWith('/help')) await hydrated(page);
}

/** A page in a browser context of its own, signed in as `login` and landed on `landing`. */
export async function signedIn(browser: Browser, login: string, landing = '/console'): Promise<Page> {
  const context = await browser.newContext({ locale: 'zh-CN' });
  const page = await context.newPage();
  await signIn(page, login);
  await expectPath(page, landing);
  return page;
}

/** Files a report through the outbox endpoint, as the app does, from a page signed in as a
 * reporter; answers its number. */
export async function fileReport(page: Page, title: string, description = '客户三方存管绑定失败，提示无法绑定'): Promise<number> {
  const answer = await page.request.post('/api/m/reports', {
    data: {
      client_id: crypto.randomUUID(),
      customer_name: '李四',
      id_doc_type: 'id_card',
      id_number: '110101199003074477',
      system: 'custody',
      title,
      description,
    },
  });
  expect(answer.status()).toBe(201);
  return (await answer.json()).number;
}

/** Fills the new-report form on `/m/new` with a valid report titled `title`. */
export async function fillReport(page: Page, title: string) {
  await page.locator('#customer_name').fill('张三');
  await page.locator('#id_number').fill('11010519491231002X');
  await page.locator('#customer_mobile').fill('13800138000');
  await page.locator('#system').selectOption('trading');
  await page.locator('#module').selectOption('orders');
  await page.locator('#title').fill(title);
  await page.locator('#description').fill('09:35 客户下单提示“委托被拒绝”，换手机也一样');
}
