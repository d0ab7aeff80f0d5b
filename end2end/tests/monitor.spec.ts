import { expect, expectPath, hydrated, signedIn, test, unique } from './helpers';

test('an admin writes a row check, runs it, raises an incident from its records and monitors that incident', async ({ browser }) => {
  test.setTimeout(90_000);
  const admin = await signedIn(browser, 'admin');
  await admin.getByRole('link', { name: '业务监控' }).click();
  await expectPath(admin, '/console/monitor');
  // The demo brokerage's sources and rules are there from the start.
  await expect(admin.getByTestId('monitor-sources')).toContainText('account_system');
  await expect(admin.getByTestId('monitor-rule').filter({ hasText: '股东卡状态' })).toHaveCount(1);

  await admin.getByTestId('monitor-new').click();
  await expectPath(admin, '/console/monitor/new');
  await hydrated(admin);
  const name = unique('开户申请审核卡住');
  await admin.getByTestId('monitor-name').fill(name);
  await admin.getByTestId('monitor-source').selectOption('account_system');
  // A query that would write is refused at its field, before anything runs.
  await admin.getByTestId('monitor-sql').fill("UPDATE account_system.applications SET status = 'approved'");
  await admin.getByTestId('monitor-dry-run').click();
  await expect(admin.getByTestId('monitor-form').getByRole('alert')).toContainText('只能是一条 SELECT 查询');
  await admin.getByTestId('monitor-sql').fill(
    "SELECT id, channel FROM account_system.applications WHERE status = 'in_review' ORDER BY id",
  );
  await admin.getByTestId('monitor-dry-run').click();
  await expect(admin.getByTestId('dry-outcome')).toHaveText('异常');
  await expect(admin.getByTestId('monitor-dry-result').getByTestId('monitor-record')).toHaveCount(4);
  // What was typed is still there after the dry run.
  await expect(admin.getByTestId('monitor-name')).toHaveValue(name);

  await admin.getByTestId('monitor-save').click();
  await expect(admin).toHaveURL(/\/console\/monitor\/r\/\d+$/);
  await expect(admin.getByTestId('monitor-rule-name')).toHaveText(name);
  await hydrated(admin);
  await admin.getByTestId('monitor-run-now').click();
  const run = admin.getByTestId('monitor-run').first();
  await expect(run.getByTestId('run-outcome')).toHaveText('异常');
  await expect(run).toContainText('正常 0 · 异常 4');
  await expect(admin.getByTestId('monitor-chart').locator('svg')).toBeVisible();

  await run.getByTestId('monitor-run-details').click();
  await expect(admin).toHaveURL(/\/console\/monitor\/runs\/\d+$/);
  await expect(admin.getByTestId('monitor-record')).toHaveCount(4);
  await admin.getByTestId('records-search').fill('wechat');
  await admin.getByTestId('records-search-go').click();
  await expect(admin).toHaveURL(/q=wechat/);
  await expect(admin.getByTestId('monitor-record')).toHaveCount(2);
  await expect(admin.getByTestId('records-csv')).toHaveAttribute('href', /records\.csv\?q=wechat$/);

  // An incident from this run, carrying the two records the search left and their columns.
  await hydrated(admin);
  await admin.getByTestId('raise-open').click();
  await expect(admin.getByTestId('raise-column-id')).toBeChecked();
  await expect(admin.getByTestId('raise-column-channel')).toBeChecked();
  await expect(admin.getByTestId('raise-title')).toHaveValue(`【监控】${name}：异常 4 条`);
  // The rule names no system: the incident needs one, and what was typed stays.
  await admin.getByTestId('raise-title').fill(`${name}：微信渠道审核卡住`);
  await admin.getByTestId('raise-submit').click();
  await expect(admin.getByTestId('raise-form').getByRole('alert')).toBeVisible();
  await expect(admin.getByTestId('raise-system')).toHaveAttribute('aria-invalid', 'true');
  await expect(admin.getByTestId('raise-title')).toHaveValue(`${name}：微信渠道审核卡住`);
  await admin.getByTestId('raise-system').selectOption('account_opening');
  await admin.getByTestId('raise-submit').click();
  await expect(admin).toHaveURL(/\/console\/i\/\d+$/);
  const number = /\/console\/i\/(\d+)$/.exec(admin.url())?.[1] ?? '';
  await expect(admin.getByTestId('channel')).toHaveText('监控');
  await expect(admin.getByTestId('identity')).toHaveCount(0);
  const attached = admin.getByTestId('incident-monitoring');
  await expect(attached.getByTestId('attached-record')).toHaveCount(2);
  await expect(attached.getByTestId('attached-records')).toContainText('wechat');

  const ruleHref = (await attached.getByRole('link', { name: '查看规则' }).getAttribute('href')) ?? '';
  expect(ruleHref).toMatch(/^\/console\/monitor\/r\/\d+$/);

  // It is in the queue with the others, and the rule's page links to it.
  await admin.goto('/console?channel=monitoring');
  const row = admin.getByTestId('queue-row').filter({ hasText: `${name}：微信渠道审核卡住` });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(number);
  await admin.goto(ruleHref);
  await expect(admin.getByTestId('monitor-linked-incident')).toContainText(`#${number}`);

  // Resolved, the incident becomes a rule of its own ("monitor this"), which links back.
  await admin.goto(`/console/i/${number}`);
  await hydrated(admin);
  await admin.getByTestId('step-resolved').click();
  await admin.getByTestId('step-note').fill('审核队列已恢复');
  await admin.getByTestId('step-confirm').click();
  await expect(admin.getByTestId('status')).toHaveAttribute('data-status', 'resolved');
  await admin.getByTestId('monitor-this').click();
  await expect(admin).toHaveURL(new RegExp(`/console/monitor/new\\?incident=${number}$`));
  await hydrated(admin);
  await expect(admin.getByTestId('monitor-name')).toHaveValue(`${name}：微信渠道审核卡住`);
  await expect(admin.getByTestId('monitor-system')).toHaveValue('account_opening');
  await expect(admin.getByTestId('monitor-from-incident')).toContainText(`#${number}`);
  await admin.getByTestId('monitor-source').selectOption('account_system');
  await admin.getByTestId('monitor-sql').fill(
    "SELECT id FROM account_system.applications WHERE status = 'in_review' AND channel = 'wechat'",
  );
  await admin.getByTestId('monitor-save').click();
  await expect(admin).toHaveURL(/\/console\/monitor\/r\/\d+$/);
  await expect(admin.getByTestId('monitor-from-incident')).toHaveAttribute('href', `/console/i/${number}`);
  await expect(admin.getByTestId('monitor-linked-incident')).toContainText(`#${number}`);
  await admin.context().close();
});
