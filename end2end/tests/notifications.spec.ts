import type { APIRequestContext } from '@playwright/test';

import { expect, fileReport, hydrated, signedIn, test, unique } from './helpers';

const mock = process.env.E2E_WECOM_MOCK ?? '';

type Recorded = { endpoint: string; credential: string; body: any };

/** What the WeCom mock received so far. */
async function received(request: APIRequestContext): Promise<Recorded[]> {
  const answer = await request.get(`${mock}/_mock/requests`);
  expect(answer.ok()).toBe(true);
  return answer.json();
}

test('an admin sets up WeCom; a report reaches the handlers\' robot and its resolution the reporter\'s card', async ({ browser }) => {
  test.setTimeout(90_000);
  const key = `e2e-robot-${Date.now().toString(36)}`;
  const robotName = unique('处理组群');
  const admin = await signedIn(browser, 'admin');
  await admin.goto('/console/settings/notifications');
  await hydrated(admin);

  // A key that is no key is refused, and what was typed stays.
  await admin.getByTestId('robot-name').fill(robotName);
  await admin.getByTestId('robot-key').fill('not a key!');
  await admin.getByTestId('robot-add').click();
  await expect(admin.getByTestId('robots').getByRole('alert')).toContainText('Webhook 密钥');
  await expect(admin.getByTestId('robot-name')).toHaveValue(robotName);

  // The whole webhook URL pasted from WeCom: only the key's last characters are shown.
  await admin.getByTestId('robot-key').fill(`https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${key}`);
  await admin.getByTestId('robot-add').click();
  const robot = admin.getByTestId('robot').filter({ hasText: robotName });
  await expect(robot).toContainText(key.slice(-4));
  await expect(admin.locator('body')).not.toContainText(key);

  // The application, and the reporter's WeCom account.
  await admin.getByTestId('app-corp-id').fill('ww-e2e');
  await admin.getByTestId('app-agent-id').fill('1000002');
  await admin.getByTestId('app-secret').fill('e2e-app-secret');
  await admin.getByTestId('app-save').click();
  await expect(admin.getByTestId('wecom-app')).toContainText('…cret');
  const contact = admin.getByTestId('contact').filter({ hasText: 'reporter2' });
  await contact.getByRole('textbox', { name: '企业微信账号' }).fill('e2e.reporter2');
  await contact.getByRole('button', { name: '保存' }).click();
  await expect(contact.getByRole('status')).toHaveText('已保存');

  // A test message: WeCom's answer on the page, the message at the mock, a line in the log.
  await robot.getByTestId('robot-test').click();
  await expect(admin.getByTestId('robot-test-answer')).toContainText('errcode 0');
  // Reports filed by tests running beside this one reach the robot too: count test messages only.
  const tests = (await received(admin.request))
    .filter((r) => r.credential === key && r.body.msgtype === 'text' && r.body.text.content.includes('测试消息'));
  expect(tests).toHaveLength(1);
  await expect(admin.getByTestId('delivery').filter({ hasText: '测试消息' }).first())
    .toHaveAttribute('data-state', 'Sent');
  await admin.context().close();

  // The reporter's report: one markdown message to the handlers' robot, linking the console.
  const reporter = await signedIn(browser, 'reporter2', '/m');
  const title = unique('推送检查');
  const number = await fileReport(reporter, title);
  await expect.poll(async () => (await received(reporter.request))
    .filter((r) => r.credential === key && r.body.msgtype === 'markdown' && r.body.markdown.content.includes(title)).length,
  { timeout: 20_000 }).toBe(1);
  const announced = (await received(reporter.request)).find((r) => r.body?.markdown?.content.includes(title));
  expect(announced?.body.markdown.content).toContain(`/console/i/${number}`);
  expect(JSON.stringify(announced?.body)).not.toContain('110101199003074477');

  // The handler resolves it: the reporter's own card, linking their phone page.
  const handler = await signedIn(browser, 'handler');
  await handler.goto(`/console/i/${number}`);
  await hydrated(handler);
  await handler.getByTestId('step-claimed').click();
  await expect(handler.getByTestId('status')).toHaveAttribute('data-status', 'analysing');
  await handler.getByTestId('step-resolved').click();
  await handler.getByTestId('step-note').fill('已为客户重新绑定三方存管');
  await handler.getByTestId('step-confirm').click();
  await expect(handler.getByTestId('status')).toHaveAttribute('data-status', 'resolved');
  await expect.poll(async () => (await received(handler.request))
    .filter((r) => r.endpoint === 'app_message' && r.body.touser === 'e2e.reporter2'
      && r.body.textcard.url.endsWith(`/m/r/${number}`)).length,
  { timeout: 20_000 }).toBe(1);
  const card = (await received(handler.request)).find((r) => r.endpoint === 'app_message'
    && r.body.touser === 'e2e.reporter2' && r.body.textcard.url.endsWith(`/m/r/${number}`));
  expect(card?.body.textcard.description).toContain('已为客户重新绑定三方存管');
  await handler.context().close();

  // The reporter turns off resolution messages for themselves.
  await reporter.getByTestId('alerts-link').click();
  await expect(reporter).toHaveURL(/\/m\/settings$/);
  await hydrated(reporter);
  const resolved = reporter.getByTestId('mute-Resolved');
  await expect(resolved).toBeChecked();
  const saved = reporter.waitForResponse((r) => r.url().endsWith('/api/notifications/mute') && r.ok());
  await resolved.uncheck();
  await saved;
  await reporter.reload();
  await hydrated(reporter);
  await expect(reporter.getByTestId('mute-Resolved')).not.toBeChecked();
  await reporter.context().close();
});
