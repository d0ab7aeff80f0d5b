import { expect, expectPath, fileReport, hydrated, signedIn, test, unique } from './helpers';

/** The brokerage sandbox the e2e server serves (see playwright.config.ts). */
const sandbox = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 3100) + 91}`;

test('a handler builds a regular test account for an incident, watches its steps and finds it in the statistics', async ({ browser }) => {
  test.setTimeout(90_000);
  const reporter = await signedIn(browser, 'reporter', '/m');
  const number = await fileReport(reporter, unique('造数复现'));

  const handler = await signedIn(browser, 'handler');
  await handler.goto(`/console/i/${number}`);
  await hydrated(handler);
  await handler.getByTestId('incident-build-test-data').click();
  await expect(handler).toHaveURL(/\/console\/datagen\/new\?incident=\d+$/);
  await hydrated(handler);
  await expect(handler.getByTestId('datagen-incident')).toContainText(`#${number}`);
  await expect(handler.getByTestId('datagen-target')).toContainText('UAT1');

  // A wrong check character is refused at its field; what was typed stays.
  await handler.getByTestId('param-customer_name').fill('王小明');
  await handler.getByTestId('param-id_number').fill('110101199003074478');
  await handler.getByTestId('datagen-submit').click();
  await expect(handler.getByTestId('datagen-form').getByRole('alert')).toContainText('校验位不正确');
  await expect(handler.getByTestId('param-id_number')).toHaveAttribute('aria-invalid', 'true');
  await expect(handler.getByTestId('param-customer_name')).toHaveValue('王小明');

  // The trading system answers slowly, so the steps can be seen completing one by one.
  const slow = await handler.request.put(`${sandbox}/switches/trading`, { data: { mode: 'slow', delay_ms: 400 } });
  expect(slow.ok()).toBeTruthy();
  try {
    // Left empty, the ID number is generated.
    await handler.getByTestId('param-id_number').fill('');
    await handler.getByTestId('datagen-submit').click();
    await expect(handler).toHaveURL(/\/console\/datagen\/j\/\d+$/);
    const summary = handler.getByTestId('job-summary');
    await expect(summary).toHaveAttribute('data-status', 'processing', { timeout: 20_000 });
    const done = handler.locator('[data-testid="job-step"][data-outcome="ok"]');
    await expect.poll(async () => done.count(), { timeout: 20_000 }).toBeGreaterThan(25);
    await expect(summary).toHaveAttribute('data-status', 'success', { timeout: 30_000 });
  } finally {
    await handler.request.delete(`${sandbox}/switches/trading`);
  }
  await expect(handler.locator('[data-testid="job-step"][data-outcome="ok"]')).toHaveCount(35);
  const result = handler.getByTestId('job-result');
  await expect(result).toContainText('客户号');
  await expect(result).toContainText('资金账号');
  await expect(result).toContainText('上海股东卡');
  await expect(handler.getByTestId('job-incident')).toHaveText(`#${number}`);
  // The customer's name shows masked.
  await expect(handler.getByTestId('job-summary')).toContainText('王**');
  await expect(handler.locator('body')).not.toContainText('王小明');

  // The incident lists the job it was built for.
  await handler.goto(`/console/i/${number}`);
  await hydrated(handler);
  await expect(handler.getByTestId('incident-datagen').getByTestId('datagen-job')).toHaveCount(1);

  // The statistics count it, and who ran it.
  await handler.goto('/console/datagen/stats');
  await expectPath(handler, '/console/datagen/stats');
  const succeeded = Number(await handler.getByTestId('stats-status').locator('[data-status="success"]').innerText().then((t) => t.split('（')[0]));
  expect(succeeded).toBeGreaterThanOrEqual(1);
  await expect(handler.getByTestId('stats-users')).toContainText('李强');
  await expect(handler.getByTestId('stats-durations')).toContainText('秒');
});
