import type { Browser } from '@playwright/test';

import { expect, expectPath, fileReport, hydrated, signedIn, test, unique } from './helpers';

/** Files a report as the reporter, in a browser context of its own; answers its number. */
async function reportFiled(browser: Browser, title: string): Promise<number> {
  const reporter = await signedIn(browser, 'reporter', '/m');
  const number = await fileReport(reporter, title, '客户三方存管状态不一致，需要修数据');
  await reporter.context().close();
  return number;
}

test('a canned reply is written once and inserted into a reply', async ({ browser }) => {
  const handler = await signedIn(browser, 'handler');
  const number = await reportFiled(browser, unique('快捷回复'));
  const name = unique('补充截图');

  await handler.goto('/console/replies');
  await hydrated(handler);
  await handler.getByTestId('canned-title').fill(name);
  await handler.getByTestId('canned-save').click();
  // A reply without text is refused, and the name typed stays.
  await expect(handler.getByRole('alert')).toHaveText('请填写回复内容');
  await expect(handler.getByTestId('canned-title')).toHaveValue(name);
  await handler.getByTestId('canned-body').fill('请上传客户手机上的报错截图。');
  await handler.getByTestId('canned-save').click();
  await expect(handler.getByTestId('canned-reply').filter({ hasText: name })).toHaveCount(1);

  await handler.goto(`/console/i/${number}`);
  await hydrated(handler);
  await handler.getByTestId('reply-body').fill('您好，');
  await handler.getByTestId('canned-picker').selectOption({ label: name });
  await expect(handler.getByTestId('reply-body')).toHaveValue('您好，\n请上传客户手机上的报错截图。');
  await handler.getByTestId('reply-send').click();
  await expect(handler.getByTestId('message').filter({ hasText: '请上传客户手机上的报错截图' })).toHaveCount(1);
});

test('the canned-reply history names who changed what; a reviewer reads but cannot edit', async ({ browser }) => {
  const handler = await signedIn(browser, 'handler');
  const name = unique('历史');
  await handler.goto('/console/replies');
  await hydrated(handler);
  await handler.getByTestId('canned-title').fill(name);
  await handler.getByTestId('canned-body').fill('您好，请稍等。');
  await handler.getByTestId('canned-save').click();
  await expect(handler.getByTestId('history-entry').filter({ hasText: `新建“${name}”` })).toHaveCount(1);
  await handler.context().close();

  const reviewer = await signedIn(browser, 'reviewer');
  await reviewer.goto('/console/replies');
  await hydrated(reviewer);
  await expect(reviewer.getByTestId('history-entry').filter({ hasText: name }).first()).toContainText('李强');
  await expect(reviewer.getByTestId('canned-reply').filter({ hasText: name })).toHaveCount(1);
  await expect(reviewer.getByTestId('canned-form')).toHaveCount(0);
  await expect(reviewer.getByTestId('canned-edit')).toHaveCount(0);
  await reviewer.context().close();
});

test('a reviewer reads an incident but is offered no step, reply or reveal', async ({ browser }) => {
  const number = await reportFiled(browser, unique('只读'));
  const reviewer = await signedIn(browser, 'reviewer');
  await reviewer.goto(`/console/i/${number}`);
  await hydrated(reviewer);
  await expect(reviewer.getByTestId('description')).toContainText('客户三方存管状态不一致');
  await expect(reviewer.getByTestId('identity-value').first()).toBeVisible();
  await expect(reviewer.getByTestId('reveal')).toHaveCount(0);
  await expect(reviewer.getByTestId('reply-body')).toHaveCount(0);
  await expect(reviewer.getByRole('button', { name: /受理|Claim/ })).toHaveCount(0);
  await reviewer.context().close();
});

test('a data-fix script is reviewed in another browser and its run recorded', async ({ browser }) => {
  test.setTimeout(90_000);
  const handler = await signedIn(browser, 'handler');
  const reviewer = await signedIn(browser, 'reviewer');
  const number = await reportFiled(browser, unique('数据修复'));

  await handler.goto(`/console/i/${number}`);
  await hydrated(handler);
  await handler.getByTestId('script-new').click();
  await handler.getByTestId('script-body').fill("UPDATE custody SET state = 'bound' WHERE account = '1';");
  await handler.getByTestId('script-submit').click();
  await expect(handler.getByTestId('script-form').getByRole('alert')).toHaveText('请填写回滚脚本');
  await handler.getByTestId('script-rollback').fill("UPDATE custody SET state = 'failed' WHERE account = '1';");
  await handler.getByTestId('script-submit').click();
  await expect(handler.getByTestId('script')).toHaveAttribute('data-status', 'pending');
  await expect(handler.getByTestId('sla-panel')).toBeVisible();

  await reviewer.goto('/console/reviews');
  await hydrated(reviewer);
  const card = reviewer.getByTestId('pending-scripts').locator('div').filter({ hasText: `#${number}` }).first();
  await card.getByTestId('review-reject').click();
  // The reviewer may have chosen English in another test: either language names the field.
  await expect(reviewer.getByTestId('review-error')).toHaveText(/^(请填写审核意见|Comment is required\.)$/);
  await card.getByTestId('review-comment').fill('已核对，可以执行');
  await card.getByTestId('review-approve').click();
  await expect(reviewer.getByTestId('decided-scripts').getByText(`#${number}`)).toBeVisible();

  // The handler's page follows live, then records the run by operations.
  await expect(handler.getByTestId('script')).toHaveAttribute('data-status', 'approved', { timeout: 15_000 });
  await handler.getByTestId('execution-note').fill('运维已在生产执行');
  await handler.getByTestId('script-executed').click();
  await expect(handler.getByTestId('script')).toHaveAttribute('data-status', 'executed');
  const steps = await handler.getByTestId('timeline').locator('li').evaluateAll((items) =>
    items.map((li) => li.getAttribute('data-step')));
  expect(steps).toEqual(expect.arrayContaining(['script_submitted', 'script_approved', 'script_executed']));
});

test('an admin edits SLA targets and holidays; a handler only reads them', async ({ browser }) => {
  const admin = await signedIn(browser, 'admin');
  await admin.goto('/console/sla');
  await hydrated(admin);
  const target = admin.getByTestId('target-consultation-p4');
  await target.fill('0');
  await admin.getByTestId('save-targets').click();
  await expect(admin.getByRole('alert')).toHaveText('时限须在 1 到 100000 之间');
  await expect(target).toHaveValue('0');
  await target.fill('600');
  await admin.getByTestId('save-targets').click();
  await expect(admin.getByText('已保存')).toBeVisible();

  const date = `2027-0${1 + Math.floor(Math.random() * 9)}-1${Math.floor(Math.random() * 9)}`;
  await admin.getByTestId('day-date').fill(date);
  await admin.getByTestId('day-name').fill('测试假日');
  await admin.getByTestId('add-day').click();
  await expect(admin.getByTestId('calendar-days').locator(`li[data-date="${date}"]`)).toContainText('测试假日');

  const handler = await signedIn(browser, 'handler');
  await handler.goto('/console/sla');
  await hydrated(handler);
  await expect(handler.getByTestId('sla-read-only')).toBeVisible();
  await expect(handler.getByTestId('target-consultation-p4')).toHaveValue('600');
  await expect(handler.getByTestId('target-consultation-p4')).toBeDisabled();
});

test('a handler reveals an ID number on their own incident for a reason; the admin sees it on record', async ({ browser }) => {
  const number = await reportFiled(browser, unique('查看证件'));
  const handler = await signedIn(browser, 'handler');
  await handler.goto(`/console/i/${number}`);
  await hydrated(handler);
  const idNumber = handler.getByTestId('identity').locator('[data-field="id_number"]');
  // Not theirs yet: no reveal, and the page says why.
  await expect(handler.getByTestId('reveal')).toHaveCount(0);
  await expect(handler.getByTestId('identity')).toContainText('只有该事件的处理人可以查看完整信息');
  await handler.getByTestId('step-claimed').click();
  await expect(handler.getByTestId('status')).toHaveAttribute('data-status', 'analysing');

  await idNumber.getByTestId('reveal').click();
  // Nothing is shown before a reason is chosen.
  await expect(handler.getByTestId('reveal-confirm')).toBeDisabled();
  await handler.getByTestId('reveal-reason-select').selectOption({ label: '核实客户身份' });
  await handler.getByTestId('reveal-confirm').click();
  await expect(idNumber.getByTestId('identity-value')).toHaveText('110101199003074477');
  await handler.context().close();

  const admin = await signedIn(browser, 'admin');
  await admin.getByRole('link', { name: '查看记录' }).click();
  await expectPath(admin, '/console/settings/reveals');
  await admin.getByTestId('filter-number').fill('第一条');
  await admin.getByTestId('filter-apply').click();
  // A bad number is refused in words, and what was typed stays.
  await expect(admin.getByRole('alert')).toHaveText('事件编号只能是数字。');
  await expect(admin.getByTestId('filter-number')).toHaveValue('第一条');
  await admin.getByTestId('filter-number').fill(String(number));
  await admin.getByTestId('filter-apply').click();
  const record = admin.getByTestId('reveal-record');
  await expect(record).toHaveCount(1);
  await expect(record).toContainText('证件号码');
  await expect(record.getByTestId('reveal-record-reason')).toHaveText('核实客户身份');
  await expect(record).toContainText('127.0.0.1');
  await admin.context().close();

  // Other roles are not offered the page.
  const reviewer = await signedIn(browser, 'reviewer');
  await expect(reviewer.getByRole('link', { name: '查看记录' })).toHaveCount(0);
  await reviewer.context().close();
});
