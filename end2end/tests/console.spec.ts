import type { Page } from '@playwright/test';

import { sqlValue } from './database';
import { expect, expectPath, hydrated, signIn, test, unique } from './helpers';

/** Each timeline entry as "step:actor". */
async function timelineSteps(page: Page) {
  return page.getByTestId('timeline').locator('li').evaluateAll((items) =>
    items.map((li) => `${li.getAttribute('data-step')}:${li.querySelector('p.text-xs')?.textContent?.split(' · ')[0]}`));
}

const displayName = (login: string) =>
  sqlValue(`SELECT display_name FROM users WHERE login = :'login'`, { login });

test('a report goes from the phone through the console to a confirmed solution', async ({ page, browser }) => {
  // The whole life of an incident in two browsers: longer than one step of the other tests.
  test.setTimeout(120_000);
  // The handler watches the queue.
  const handlerContext = await browser.newContext({ locale: 'zh-CN' });
  const handler = await handlerContext.newPage();
  await signIn(handler, 'handler');
  await expectPath(handler, '/console');
  await hydrated(handler);

  // The reporter files a report from the phone.
  const title = unique('控制台流程');
  await signIn(page, 'reporter');
  await expectPath(page, '/m');
  await page.goto('/m/new');
  await hydrated(page);
  await page.locator('#customer_name').fill('赵六');
  await page.locator('#id_number').fill('11010519491231002X');
  await page.locator('#system').selectOption('custody');
  await page.locator('#title').fill(title);
  await page.locator('#description').fill('客户三方存管绑定失败，提示无法绑定');
  await page.getByTestId('submit-report').click();
  await expectPath(page, '/m');
  await expect(page.getByTestId('report-row').filter({ hasText: title })).toHaveCount(1, { timeout: 20_000 });

  // It appears in the handler's queue without a reload.
  const row = handler.getByTestId('queue-row').filter({ hasText: title });
  await expect(row).toHaveCount(1, { timeout: 15_000 });
  const number = Number(await row.getAttribute('data-number'));
  await row.getByRole('link', { name: title }).click();
  await expectPath(handler, `/console/i/${number}`);
  await expect(handler.getByTestId('identity').getByTestId('identity-value').first()).toHaveText('赵*');

  // Claim, then ask the reporter for more.
  await handler.getByTestId('step-claimed').click();
  await expect(handler.getByTestId('status')).toHaveAttribute('data-status', 'analysing');
  await expect(handler.getByTestId('assignee')).not.toHaveText('未受理');
  await handler.getByTestId('step-waiting').click();
  await handler.getByTestId('step-note').fill('请提供绑定时的报错截图');
  await handler.getByTestId('step-confirm').click();
  await expect(handler.getByTestId('status')).toHaveAttribute('data-status', 'waiting');

  // The reporter answers from the phone; the incident comes back to the team.
  await page.goto(`/m/r/${number}`);
  await hydrated(page);
  await expect(page.getByText('请提供绑定时的报错截图')).toBeVisible();
  await page.locator('#message').fill('报错是“银行卡状态异常”');
  await page.getByTestId('send-message').click();
  await expect(handler.getByTestId('message').filter({ hasText: '银行卡状态异常' })).toHaveCount(1, { timeout: 20_000 });
  await expect(handler.getByTestId('status')).toHaveAttribute('data-status', 'analysing');

  // Resolving needs a solution.
  await handler.getByTestId('step-resolved').click();
  await handler.getByTestId('step-confirm').click();
  await expect(handler.getByTestId('step-error')).toHaveText('请填写解决方案');
  await handler.getByTestId('step-note').fill('客户银行卡已挂失，换卡后重新绑定即可');
  await handler.getByTestId('step-confirm').click();
  await expect(handler.getByTestId('status')).toHaveAttribute('data-status', 'resolved');

  // The reporter sees the solution without a reload and confirms; the incident closes.
  await expect(page.getByTestId('solution')).toContainText('换卡后重新绑定', { timeout: 15_000 });
  await page.getByTestId('confirm-solution').click();
  await expect(handler.getByTestId('status')).toHaveAttribute('data-status', 'closed', { timeout: 15_000 });

  // Every step is on the timeline with its actor.
  const [them, me] = [displayName('reporter'), displayName('handler')];
  expect(await timelineSteps(handler)).toEqual([
    `reported:${them}`, `claimed:${me}`, `waiting:${me}`, `resumed:${them}`,
    `resolved:${me}`, `confirmed:${them}`,
  ]);
  await handlerContext.close();
});

test('a handler records an incident from a WeChat group, once, and finds it by channel', async ({ browser }) => {
  const context = await browser.newContext({ locale: 'zh-CN' });
  const handler = await context.newPage();
  await signIn(handler, 'handler');
  await expectPath(handler, '/console');
  await hydrated(handler);
  await handler.getByTestId('record-link').click();
  await expectPath(handler, '/console/new');
  await hydrated(handler);

  // Without a channel the form says so and keeps what was typed.
  const title = unique('微信群反馈');
  const reference = unique('WX');
  await handler.getByTestId('record-title').fill(title);
  await handler.getByTestId('record-submit').click();
  await expect(handler.getByRole('alert')).toHaveText('请填写渠道');
  await expect(handler.getByTestId('record-channel')).toHaveAttribute('aria-invalid', 'true');
  await expect(handler.getByTestId('record-title')).toHaveValue(title);

  await handler.getByTestId('record-channel').selectOption('wechat');
  await handler.getByTestId('record-external_ref').fill(reference);
  await handler.getByTestId('record-contact').fill('营业部王经理');
  await handler.getByTestId('record-customer_name').fill('孙七');
  await handler.getByTestId('record-id_number').fill('11010519491231002X');
  await handler.getByTestId('record-system').selectOption('custody');
  await handler.getByTestId('record-description').fill('微信群里反馈：客户银证转账提示银行账户异常');
  await handler.getByTestId('record-submit').click();
  await expect(handler).toHaveURL(/\/console\/i\/\d+$/);
  const number = Number(new URL(handler.url()).pathname.split('/').pop());
  await expect(handler.getByTestId('channel')).toHaveText('微信群');
  await expect(handler.getByRole('heading', { level: 1 })).toContainText(title);

  // The same reference again records nothing and points at the incident it made.
  await handler.goBack();
  await expectPath(handler, '/console/new');
  await hydrated(handler);
  await handler.getByTestId('record-channel').selectOption('wechat');
  await handler.getByTestId('record-external_ref').fill(reference);
  await handler.getByTestId('record-customer_name').fill('孙七');
  await handler.getByTestId('record-id_number').fill('11010519491231002X');
  await handler.getByTestId('record-system').selectOption('custody');
  await handler.getByTestId('record-title').fill(title);
  await handler.getByTestId('record-description').fill('同一条微信消息');
  await handler.getByTestId('record-submit').click();
  const already = handler.getByTestId('already-recorded');
  await expect(already).toContainText(`#${number}`);
  await expect(already.getByRole('link')).toHaveAttribute('href', `/console/i/${number}`);

  // The queue finds it among the WeChat group's incidents and not among the phone app's.
  await handler.goto('/console?channel=wechat');
  await hydrated(handler);
  await expect(handler.getByTestId('queue-channel')).toHaveValue('wechat');
  await expect(handler.getByTestId('queue-row').filter({ hasText: title })).toHaveCount(1);
  await handler.goto('/console?channel=mobile');
  await hydrated(handler);
  await expect(handler.getByTestId('queue-row').first()).toBeVisible();
  await expect(handler.getByTestId('queue-row').filter({ hasText: title })).toHaveCount(0);
  await context.close();
});
