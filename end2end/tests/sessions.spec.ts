import { expect, expectPath, hydrated, signedIn, test, unique } from './helpers';

test('a handler plans a knowledge session and records its results, refused once', async ({ browser }) => {
  test.setTimeout(90_000);
  const handler = await signedIn(browser, 'handler');
  await handler.getByRole('link', { name: '知识直播' }).click();
  await expectPath(handler, '/console/sessions');
  await hydrated(handler);
  await expect(handler.getByTestId('session-hot')).toBeVisible();
  // The usual agenda is filled in: next Tuesday 20:00, 30 + 10 + 15 minutes.
  await expect(handler.getByTestId('session-starts')).toHaveValue(/T20:00$/);
  await expect(handler.getByTestId('session-talk')).toHaveValue('30');

  const topic = unique('银证转账限额');
  await handler.getByTestId('session-save').click();
  await expect(handler.getByTestId('session-form').getByRole('alert')).toContainText('主题');
  await handler.getByTestId('session-topic').fill(topic);
  await handler.getByTestId('session-subcategories').fill('转账限额、银行卡变更');
  await handler.getByTestId('session-save').click();
  const card = handler.getByTestId('session').filter({ hasText: topic });
  await expect(card).toHaveCount(1);
  await expect(card).toContainText('讲解 30 分钟 · 答题 10 分钟 · 答疑 15 分钟');
  await expect(card.getByTestId('session-effect')).toContainText('前四周');

  await card.getByTestId('session-record').click();
  await card.getByTestId('results-replay').fill('https://live.example.com/replay/1');
  await card.getByTestId('results-live').fill('120');
  await card.getByTestId('results-total').fill('100');
  await card.getByTestId('results-save').click();
  await expect(card.getByTestId('results-form').getByRole('alert')).toContainText('总观看人数');
  // What was typed stays; the fix goes through.
  await expect(card.getByTestId('results-replay')).toHaveValue('https://live.example.com/replay/1');
  await card.getByTestId('results-total').fill('310');
  await card.getByTestId('results-save').click();
  await expect(card.getByTestId('session-audience')).toHaveText('直播观看 120 人，总观看 310 人（含回放）');
  await handler.context().close();
});
