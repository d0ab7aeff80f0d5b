import { readFileSync } from 'node:fs';

import type { Page } from '@playwright/test';

import { expect, fileReport, hydrated, signedIn, test, unique } from './helpers';

// axe-core from package.json (pinned), checked against WCAG 2.1 A and AA on every page, signed
// in as the role that uses it, in each state a person meets (empty, filled, refused input).
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Each violation as "rule: element (what is wrong)", so a failure names what to fix. */
async function violations(page: Page): Promise<string[]> {
  // Help pages come without the app's scripts: they are complete as served.
  if (await page.locator('script[type="module"]').count() > 0) await hydrated(page);
  // Evaluated through the DevTools protocol: a script tag would be refused by the page's CSP.
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: any }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags } });
    return result.violations.flatMap((rule: any) =>
      rule.nodes.map((node: any) => `${rule.id}: ${node.target.join(' ')} (${node.failureSummary.split('\n').slice(1).join(' ').trim()})`));
  }, WCAG_21_AA);
}

async function expectAccessible(page: Page, path: string) {
  if (new URL(page.url()).pathname !== path) await page.goto(path);
  expect(await violations(page), `axe on ${path}`).toEqual([]);
}

test('the pages a visitor sees pass WCAG 2.1 AA', async ({ page }) => {
  await expectAccessible(page, '/login');
  // A refused sign-in shows its error.
  await page.locator('#login').fill('nobody');
  await page.locator('#password').fill('wrong-password');
  await page.locator('button[type="submit"]').click();
  await expect(page.getByRole('alert')).toBeVisible();
  expect(await violations(page), 'axe on a refused sign-in').toEqual([]);
  await expectAccessible(page, '/help');
  await expectAccessible(page, '/help/s/custody');
  await expectAccessible(page, '/help/a/custody-bank-binding-failed');
  await page.goto('/help/search?q=%E4%B8%89%E6%96%B9%E5%AD%98%E7%AE%A1');
  expect(await violations(page), 'axe on search results').toEqual([]);
  await page.goto('/help/search?q=zzzz');
  expect(await violations(page), 'axe on a search without results').toEqual([]);
  await page.goto('/no-such-page');
  expect(await violations(page), 'axe on the not-found page').toEqual([]);
});

test('the reporter\'s pages pass WCAG 2.1 AA', async ({ browser }) => {
  const page = await signedIn(browser, 'reporter', '/m');
  const number = await fileReport(page, unique('无障碍检查'));
  await expectAccessible(page, '/m');
  await expectAccessible(page, '/m/new');
  // Every field refused at once.
  await page.getByTestId('submit-report').click();
  await expect(page.locator('[data-error-for="title"]')).not.toBeEmpty();
  expect(await violations(page), 'axe on the refused report form').toEqual([]);
  await expectAccessible(page, `/m/r/${number}`);
  await expectAccessible(page, '/m/settings');
  await page.context().close();
});

test('the team\'s incident pages pass WCAG 2.1 AA for each role', async ({ browser }) => {
  test.setTimeout(120_000);
  const reporter = await signedIn(browser, 'reporter', '/m');
  const number = await fileReport(reporter, unique('无障碍检查'));
  await reporter.context().close();

  const handler = await signedIn(browser, 'handler');
  await expectAccessible(handler, '/console');
  await expectAccessible(handler, `/console/i/${number}`);
  // The step form with its fields open.
  await handler.getByTestId('step-classified').click();
  expect(await violations(handler), 'axe on the classify form').toEqual([]);
  // A data-fix script written and refused once, then waiting for review.
  await handler.getByTestId('script-new').click();
  await handler.getByTestId('script-body').fill("UPDATE custody SET state = 'bound' WHERE account = '1';");
  await handler.getByTestId('script-submit').click();
  await expect(handler.getByTestId('script-form').getByRole('alert')).toBeVisible();
  expect(await violations(handler), 'axe on the refused script form').toEqual([]);
  await handler.getByTestId('script-rollback').fill("UPDATE custody SET state = 'failed' WHERE account = '1';");
  await handler.getByTestId('script-submit').click();
  await expect(handler.getByTestId('script')).toHaveAttribute('data-status', 'pending');
  await expectAccessible(handler, '/console/new');
  // The record form refusing an empty submit.
  await hydrated(handler);
  await handler.getByTestId('record-submit').click();
  await expect(handler.getByTestId('record-form').getByRole('alert')).toBeVisible();
  expect(await violations(handler), 'axe on the refused record form').toEqual([]);
  await expectAccessible(handler, '/console/import');
  // The import's preview: its mapping selects and a refused row.
  await hydrated(handler);
  await handler.getByTestId('import-file').setInputFiles({
    name: 'itsm.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('工单号,创建时间,客户姓名,证件号码,系统,标题,描述\nA-1,2020-01-01 09:00,李四,1,custody,t,d\n'),
  });
  await handler.getByTestId('import-check').click();
  await expect(handler.getByTestId('import-counts')).toBeVisible();
  expect(await violations(handler), 'axe on the import preview').toEqual([]);
  await expectAccessible(handler, '/console/replies');
  await expectAccessible(handler, '/console/profile');
  await handler.context().close();

  const reviewer = await signedIn(browser, 'reviewer');
  await reviewer.goto('/console/reviews');
  await expect(reviewer.getByTestId('review-comment').first()).toBeVisible();
  expect(await violations(reviewer), 'axe on the reviews page with a script to review').toEqual([]);
  await reviewer.context().close();

  const admin = await signedIn(browser, 'admin');
  await expectAccessible(admin, `/console/i/${number}`);
  await admin.getByTestId('reveal').first().click();
  await expect(admin.getByTestId('reveal-reason')).toBeVisible();
  expect(await violations(admin), 'axe on the reveal reason form').toEqual([]);
  await admin.context().close();
});

test('the knowledge, report and monitoring pages pass WCAG 2.1 AA', async ({ browser }) => {
  test.setTimeout(120_000);
  const handler = await signedIn(browser, 'handler');
  await expectAccessible(handler, '/console/kb');
  await expectAccessible(handler, '/console/kb/new');
  await expectAccessible(handler, '/console/reports');
  await expectAccessible(handler, '/console/sessions');
  await expectAccessible(handler, '/console/monitor');
  await expectAccessible(handler, '/console/monitor/new');
  // A demo rule's page, its latest run, and the form raising an incident from the run.
  await handler.goto('/console/monitor');
  await handler.getByTestId('monitor-rule').filter({ hasText: '股东卡状态' }).getByRole('link').first().click();
  await expect(handler).toHaveURL(/\/console\/monitor\/r\/\d+$/);
  await expect(handler.getByTestId('monitor-run-details').first()).toBeVisible({ timeout: 30_000 });
  expect(await violations(handler), 'axe on a rule page').toEqual([]);
  await handler.getByTestId('monitor-run-details').first().click();
  await expect(handler).toHaveURL(/\/console\/monitor\/runs\/\d+$/);
  await hydrated(handler);
  await handler.getByTestId('raise-open').click();
  await expect(handler.getByTestId('raise-submit')).toBeVisible();
  expect(await violations(handler), 'axe on a run page with its incident form').toEqual([]);
  await expectAccessible(handler, '/console/reports?period=custom&start=2026-11-30&end=2026-11-01');
  await handler.context().close();
});

test('the test-data pages pass WCAG 2.1 AA for each role', async ({ browser }) => {
  test.setTimeout(120_000);
  const handler = await signedIn(browser, 'handler');
  // Test data: the form refused, a job built, the lists, the statistics, a recipe's editor.
  await expectAccessible(handler, '/console/datagen/new');
  await hydrated(handler);
  await handler.getByTestId('param-id_number').fill('110101199003074478');
  await handler.getByTestId('datagen-submit').click();
  await expect(handler.getByTestId('param-id_number')).toHaveAttribute('aria-invalid', 'true');
  expect(await violations(handler), 'axe on the refused test-data form').toEqual([]);
  await handler.getByTestId('param-id_number').fill('');
  await handler.getByTestId('datagen-submit').click();
  await expect(handler).toHaveURL(/\/console\/datagen\/j\/\d+$/);
  await expect(handler.getByTestId('job-summary')).toHaveAttribute('data-status', /success|failed/, { timeout: 30_000 });
  expect(await violations(handler), 'axe on a job page').toEqual([]);
  await expectAccessible(handler, '/console/datagen');
  await expectAccessible(handler, '/console/datagen/stats');
  await expectAccessible(handler, '/console/datagen/recipes');
  await handler.getByTestId('datagen-recipes').getByRole('link').first().click();
  await expect(handler.getByTestId('recipe-source')).toBeVisible();
  expect(await violations(handler), 'axe on a recipe editor').toEqual([]);
  await handler.context().close();

  const admin = await signedIn(browser, 'admin');
  await expectAccessible(admin, '/console/datagen/targets');
  await admin.context().close();
});

test('the admin\'s settings pages pass WCAG 2.1 AA', async ({ browser }) => {
  const admin = await signedIn(browser, 'admin');
  await expectAccessible(admin, '/console/sla');
  await expectAccessible(admin, '/console/settings/reveals');
  await expectAccessible(admin, '/console/settings/notifications');
  await admin.context().close();
});
