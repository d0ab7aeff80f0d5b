import { expect, expectPath, hydrated, signIn, test } from './helpers';

test('the reporter lands on /m', async ({ page }) => {
  await signIn(page, 'reporter');
  await expectPath(page, '/m');
  await expect(page.getByRole('heading', { name: '我的上报' })).toBeVisible();
  await expect(page.getByTestId('current-user')).toContainText('王芳');
  await expect(page.getByTestId('current-user')).toContainText('客户经理');
});

test('the handler lands on /console and sees the team', async ({ page }) => {
  await signIn(page, 'handler');
  await expectPath(page, '/console');
  await expect(page.getByRole('heading', { name: '事件队列' })).toBeVisible();
  const team = page.getByTestId('team');
  await expect(team).toContainText('李强');
  await expect(team).toContainText('赵敏');
  await expect(team).not.toContainText('王芳');
});

for (const [login, name] of [
  ['reviewer', '赵敏'],
  ['admin', '周静'],
] as const) {
  test(`the ${login} lands on /console`, async ({ page }) => {
    await signIn(page, login);
    await expectPath(page, '/console');
    await expect(page.getByTestId('current-user')).toContainText(name);
  });
}

test('a wrong password says so and keeps the typed login', async ({ page }) => {
  await signIn(page, 'handler', 'wrong-password');
  await expect(page.getByRole('alert')).toHaveText('账号或密码不正确');
  await expect(page.locator('#login')).toHaveValue('handler');
  await expectPath(page, '/login');
});

test('an empty login is refused at the field', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  await page.locator('#password').fill('something');
  await page.locator('button[type="submit"]').click();
  await expect(page.locator('[data-error-for="login"]')).toHaveText('请填写账号');
});

test('a visitor is sent to sign in and then back to the page asked for', async ({ page }) => {
  await page.goto('/m');
  await expect(page).toHaveURL(/\/login\?next=%2Fm$/);
  await hydrated(page);
  await page.locator('#login').fill('reporter');
  await page.locator('#password').fill('demo-2026');
  await page.locator('button[type="submit"]').click();
  await expectPath(page, '/m');
});

test('a reporter opening the console is refused', async ({ page }) => {
  await signIn(page, 'reporter');
  await expectPath(page, '/m');
  const response = await page.goto('/console');
  expect(response?.status()).toBe(403);
  await expect(page.getByRole('heading', { name: '无权访问' })).toBeVisible();
  await expect(page.getByTestId('team')).toHaveCount(0);
});

test('signing out returns to the sign-in page and closes the areas', async ({ page }) => {
  await signIn(page, 'handler');
  await expectPath(page, '/console');
  await page.getByRole('button', { name: '退出登录' }).click();
  await expectPath(page, '/login');
  await page.goto('/console');
  await expect(page).toHaveURL(/\/login\?next=%2Fconsole$/);
});

test('the help center is open to visitors and lists the systems', async ({ page }) => {
  await page.goto('/help');
  await expect(page.getByRole('heading', { name: 'QA 帮助中心' })).toBeVisible();
  await expect(page.getByTestId('systems')).toContainText('三方存管');
  await expect(page.getByTestId('systems')).toContainText('银证转账');
});

// The reviewer's language only: reporters' tests elsewhere expect the Chinese default.
test('English is remembered for the user across sign-ins', async ({ browser }) => {
  const first = await browser.newContext();
  const page = await first.newPage();
  await signIn(page, 'reviewer');
  await expectPath(page, '/console');
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/set_locale') && r.ok()),
    page.getByTestId('language-switch').click(),
  ]);
  await expect(page.getByRole('heading', { name: 'Incident queue' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Incident queue' })).toBeVisible();
  await first.close();

  // A fresh browser starts in Chinese; signing in brings the user's English back.
  const second = await browser.newContext();
  const fresh = await second.newPage();
  await fresh.goto('/login');
  await expect(fresh.getByRole('heading', { name: '登录事件处理平台' })).toBeVisible();
  await signIn(fresh, 'reviewer');
  await expect(fresh.getByRole('heading', { name: 'Incident queue' })).toBeVisible();
  // Back to Chinese, so a later run on the same database starts where this one did.
  await hydrated(fresh);
  await Promise.all([
    fresh.waitForResponse((r) => r.url().endsWith('/api/set_locale') && r.ok()),
    fresh.getByTestId('language-switch').click(),
  ]);
  await expect(fresh.getByRole('heading', { name: '事件队列' })).toBeVisible();
  await second.close();
});
