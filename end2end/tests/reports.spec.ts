import { sqlValue } from './database';
import { expect, expectPath, fileReport, hydrated, signedIn, test, unique } from './helpers';

/** A Monday of its own between 2015 and 2024, so this test's week holds only its incidents. */
function lonelyMonday(): string {
  const monday = new Date(Date.UTC(2015, 0, 5) + 7 * 86_400_000 * Math.floor(Math.random() * 520));
  return monday.toISOString().slice(0, 10);
}

test('the service report counts a week, drills down to its incidents and renders without JavaScript', async ({ browser }) => {
  test.setTimeout(90_000);
  const monday = lonelyMonday();
  const reporter = await signedIn(browser, 'reporter', '/m');
  const asked = await fileReport(reporter, unique('报表咨询'));
  const broken = await fileReport(reporter, unique('报表数据'));
  await reporter.context().close();
  // Moved into the lonely week: a consultation from a WeChat group on Tuesday, a data
  // incident from the phone app on Sunday evening, resolved.
  sqlValue(
    `UPDATE incidents SET created_at = (:'day'::date + 1 + time '10:00') AT TIME ZONE 'Asia/Shanghai',
            category = 'consultation', channel = 'wechat' WHERE number = :'n'`,
    { day: monday, n: String(asked) },
  );
  sqlValue(
    `UPDATE incidents SET created_at = (:'day'::date + 6 + time '21:00') AT TIME ZONE 'Asia/Shanghai',
            category = 'data', status = 'resolved', resolved_at = now() WHERE number = :'n'`,
    { day: monday, n: String(broken) },
  );

  const handler = await signedIn(browser, 'handler');
  await handler.goto('/console');
  await hydrated(handler);
  await handler.getByRole('link', { name: '服务报表' }).click();
  await expectPath(handler, '/console/reports');
  // The week is chosen with the plain form: any day of it will do.
  await handler.getByTestId('period-start').fill(monday);
  await handler.getByTestId('period-show').click();
  await expect(handler.getByTestId('figure-reported')).toHaveText('2');
  await expect(handler.getByTestId('figure-resolved')).toHaveText('1');
  await expect(handler.getByTestId('figure-resolution-rate')).toHaveText('50.0%');
  await expect(handler.getByTestId('figure-consultation-share')).toHaveText('50.0%');

  // The WeChat bar opens the queue with exactly the incident it counts.
  await handler.locator('svg a', { hasText: '微信群' }).first().click();
  await expectPath(handler, '/console');
  await expect(handler).toHaveURL(/channel=wechat/);
  await expect(handler.getByTestId('queue-row')).toHaveCount(1);
  await expect(handler.getByTestId('queue-row')).toHaveAttribute('data-number', String(asked));
  await handler.goBack();
  // So does the resolved count, through the filter the queue names.
  await handler.getByTestId('figure-resolved').getByRole('link').click();
  await expect(handler.getByTestId('queue-extra-filters')).toContainText('已解决或已关闭');
  await expect(handler.getByTestId('queue-row')).toHaveCount(1);
  await expect(handler.getByTestId('queue-row')).toHaveAttribute('data-number', String(broken));
  const session = await handler.context().storageState();
  await handler.context().close();

  // Without JavaScript the page, its figures and its charts still render.
  const context = await browser.newContext({ locale: 'zh-CN', javaScriptEnabled: false, storageState: session });
  const plain = await context.newPage();
  await plain.goto(`/console/reports?period=week&start=${monday}`);
  await expect(plain.getByTestId('figure-reported')).toHaveText('2');
  await expect(plain.locator('svg').first()).toBeVisible();
  await expect(plain.locator('svg a')).not.toHaveCount(0);
  // A range whose end comes first is refused at its field, the dates kept.
  await plain.getByTestId('period-kind').selectOption('custom');
  await plain.getByTestId('period-end').fill('2015-01-01');
  await plain.getByTestId('period-show').click();
  await expect(plain.getByTestId('period-error-end')).toBeVisible();
  await expect(plain.getByTestId('period-start')).toHaveValue(monday);
  await context.close();
});
