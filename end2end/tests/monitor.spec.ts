import { expect, expectPath, hydrated, signedIn, test, unique } from './helpers';

test('an admin writes a row check, dry-runs it, saves it, runs it and reads its records', async ({ browser }) => {
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
  await admin.context().close();
});
