// The QA help center: an article goes from a handler's draft through another person's review to
// readers, who find it by search; the help pages work with JavaScript off.
import { expect, expectPath, fileReport, hydrated, signedIn, test, unique } from './helpers';
import { cameraPhoto } from './photos';

test('a handler turns a resolved incident into an article, another person publishes it, a visitor finds it', async ({ browser }) => {
  const title = unique('客户忘记交易密码');
  const token = title.split(' ')[1];
  const reporter = await signedIn(browser, 'reporter', '/m');
  const number = await fileReport(reporter, '交易密码忘了', '客户忘记交易密码，无法下单。');
  const handler = await signedIn(browser, 'handler');
  for (const [step, input] of [['claimed', {}], ['resolved', { solution: '1. 在 App 的“我的”中选择重置密码。' }]] as const) {
    const reply = await handler.request.post('/api/console/step', { data: { number, step, input } });
    expect(reply.ok(), await reply.text()).toBe(true);
  }
  await handler.goto(`/console/i/${number}`);
  await hydrated(handler);
  await handler.getByTestId('article-from-incident').click();
  await expect(handler).toHaveURL(new RegExp(`/console/kb/new\\?incident=${number}$`));
  await hydrated(handler);
  // The problem and the steps that solved it, ready to edit.
  await expect(handler.getByTestId('kb-body')).toHaveValue(/## 问题描述\n\n客户忘记交易密码，无法下单。/);
  await expect(handler.getByTestId('kb-body')).toHaveValue(/## 解决步骤\n\n1\. 在 App 的“我的”中选择重置密码。/);
  await handler.getByTestId('kb-title').fill(title);
  await handler.locator('#kb-system').selectOption('account');
  await handler.locator('#kb-module').selectOption('password');
  await handler.getByTestId('kb-tags').fill('交易密码，重置');
  const body = await handler.getByTestId('kb-body').inputValue();
  await handler.getByTestId('kb-body').fill(`${body}\n<script>window.pwned = 1</script>`);
  // The preview is the server's sanitised rendering.
  await expect(handler.getByTestId('kb-preview').locator('h2').first()).toHaveText('问题描述');
  await expect(handler.getByTestId('kb-preview').locator('script')).toHaveCount(0);
  await handler.getByTestId('kb-save').click();
  await expect(handler).toHaveURL(/\/console\/kb\/\d+$/);
  const editor = handler.url();
  await expect(handler.getByTestId('kb-facts')).toContainText(`#${number}`);
  await handler.getByTestId('kb-submit').click();
  await expect(handler.getByTestId('kb-state')).toHaveText('待审核');
  // The writer cannot publish their own text.
  await expect(handler.getByTestId('kb-publish')).toBeDisabled();

  // The admin rather than the reviewer, whose language another spec switches to English.
  const reviewer = await signedIn(browser, 'admin');
  await reviewer.goto(editor);
  await hydrated(reviewer);
  await reviewer.getByTestId('kb-publish').click();
  await expect(reviewer.getByTestId('kb-live')).toContainText('v1');
  await expect(reviewer.getByTestId('kb-state')).toHaveText('已发布');

  const visitor = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
  await visitor.goto('/help');
  await visitor.getByRole('searchbox').fill(token);
  await visitor.getByRole('button', { name: '搜索' }).click();
  await expect(visitor).toHaveURL(/\/help\/search\?q=/);
  await visitor.getByTestId('results').getByRole('link', { name: title }).click();
  await expect(visitor.getByRole('heading', { level: 1 })).toHaveText(title);
  await expect(visitor.getByTestId('article-body')).toContainText('重置密码');
  expect(await visitor.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
  await visitor.getByTestId('feedback').getByRole('button', { name: '有帮助', exact: true }).click();
  await expect(visitor.getByRole('status')).toHaveText('谢谢你的反馈！');
});

test('with JavaScript off the help center renders and its search works', async ({ browser }) => {
  const context = await browser.newContext({ locale: 'zh-CN', javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/help');
  await expect(page.getByTestId('hot').getByRole('link').first()).toBeVisible();
  await page.getByTestId('systems').getByRole('link', { name: '三方存管', exact: true }).click();
  await expectPath(page, '/help/s/custody');
  await page.getByRole('link', { name: /存管银行绑定/ }).first().click();
  await expect(page).toHaveURL(/module=binding/);
  await page.getByTestId('articles').getByRole('link').first().click();
  await expect(page).toHaveURL(/\/help\/a\//);
  await expect(page.getByTestId('article-body').locator('h2').first()).toBeVisible();
  await expect(page.getByTestId('toc')).toBeVisible();
  await expect(page.getByTestId('report-link')).toHaveAttribute('href', /\/m\/new\?system=custody&article=/);

  await page.getByRole('searchbox').fill('银证转账转不了');
  await page.getByRole('button', { name: '搜索' }).click();
  await expect(page.getByTestId('results').locator('li').first()).toContainText('转账');
  await expect(page.getByTestId('results').locator('mark').first()).toBeVisible();
  await page.getByRole('searchbox').fill('完全无关的词语xyz');
  await page.getByRole('button', { name: '搜索' }).click();
  await expect(page.getByTestId('no-results')).toBeVisible();

  // The language switch is a plain form too.
  await page.getByTestId('language-switch').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await context.close();
});

test('a handler adds a synonym group and a search uses it at once', async ({ browser }) => {
  const word = unique('两融别名').replace(' ', '');
  const handler = await signedIn(browser, 'handler');
  await handler.goto('/console/kb');
  await hydrated(handler);
  await handler.getByTestId('kb-synonym-input').fill(`${word} = 融资融券`);
  await handler.getByTestId('kb-synonym-add').click();
  await expect(handler.getByTestId('kb-synonym-group').filter({ hasText: word })).toHaveText(new RegExp(`${word} = 融资融券`));
  await expect(handler.getByTestId('kb-synonym-input')).toHaveValue('');
  const visitor = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
  await visitor.goto(`/help/search?q=${encodeURIComponent(word)}`);
  await expect(visitor.getByTestId('results').locator('li').first()).toContainText('融资融券');
});

test('a reporter sees a matching article while writing, opens it, and comes back to report with its system', async ({ browser }) => {
  const reporter = await signedIn(browser, 'reporter', '/m');
  await reporter.goto('/m/new');
  await hydrated(reporter);
  await reporter.locator('#title').fill('客户三方存管绑定失败');
  const suggestions = reporter.getByTestId('suggestions');
  await expect(suggestions.getByRole('link').first()).toContainText('存管');
  await suggestions.getByRole('link').first().click();
  await expect(reporter).toHaveURL(/\/help\/a\//);
  const article = await reporter.getByRole('heading', { level: 1 }).innerText();

  // Still stuck: the article's report link fills in its system and names it; the title typed
  // before is still there.
  await reporter.getByTestId('report-link').click();
  await expect(reporter).toHaveURL(/\/m\/new\?system=/);
  await hydrated(reporter);
  await expect(reporter.locator('#description')).toHaveValue(`已看过帮助文章《${article}》，问题仍未解决。\n`);
  await expect(reporter.locator('#title')).toHaveValue('客户三方存管绑定失败');
  await expect(reporter.locator('#system')).not.toHaveValue('');

  // Offline the form asks nothing and shows no suggestions.
  await reporter.context().setOffline(true);
  await reporter.locator('#title').fill('客户股东卡状态异常');
  await reporter.waitForTimeout(1000);
  await expect(suggestions).toHaveCount(0);
  await reporter.context().setOffline(false);

  // The knowledge base counts the visit as a report the help center answered, so far.
  const admin = await signedIn(browser, 'admin');
  await admin.goto('/console/kb');
  await hydrated(admin);
  await expect(admin.getByTestId('kb-deflection')).toContainText('三方存管');
});

test('the weekly meeting sees searches that found nothing, and a pinned article leads the hot questions', async ({ browser }) => {
  const nonsense = unique('zqxw').replace(' ', '');
  const visitor = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
  await visitor.goto(`/help/search?q=${encodeURIComponent(nonsense)}`);
  await expect(visitor.getByTestId('no-results')).toBeVisible();

  const admin = await signedIn(browser, 'admin');
  await admin.goto('/console/kb');
  await hydrated(admin);
  await expect(admin.getByTestId('kb-missed')).toContainText(nonsense);

  // The oldest article, pinned, comes first at once.
  await admin.getByTestId('kb-list').getByRole('link').last().click();
  await hydrated(admin);
  const title = await admin.getByTestId('kb-title').inputValue();
  await admin.getByTestId('kb-pin').click();
  await expect(admin.getByTestId('kb-pin')).toHaveText('取消置顶');
  await visitor.goto('/help');
  await expect(visitor.getByTestId('hot').getByRole('link').first()).toHaveText(title);
  await admin.getByTestId('kb-pin').click();
  await expect(admin.getByTestId('kb-pin')).toHaveText('置顶到热点问题');
});

test('a handler puts a matching article into a reply and the reporter opens it from the thread', async ({ browser }) => {
  const reporter = await signedIn(browser, 'reporter', '/m');
  const number = await fileReport(reporter, '三方存管绑定失败', '客户三方存管绑定失败，提示银行卡信息有误');
  const handler = await signedIn(browser, 'handler');
  await handler.goto(`/console/i/${number}`);
  await hydrated(handler);
  const beside = handler.getByTestId('knowledge-beside');
  await expect(beside.getByTestId('beside-articles').getByRole('link').first()).toContainText('存管');
  // Searching for another article as the handler types.
  await beside.getByTestId('kb-find').fill('银证转账');
  await expect(beside.getByTestId('found-articles').getByRole('link').first()).toContainText('转账');
  await beside.getByTestId('beside-articles').getByTestId('insert-article').first().click();
  await expect(handler.getByTestId('reply-body')).toHaveValue(/^《.+》\/help\/a\/[a-z0-9-]+$/);
  await handler.getByTestId('reply-send').click();
  await expect(handler.getByTestId('thread').getByTestId('article-link')).toHaveCount(1);
  await expect(handler.getByTestId('incident-articles')).toContainText('存管');

  await reporter.goto(`/m/r/${number}`);
  await hydrated(reporter);
  await reporter.getByTestId('thread').getByTestId('article-link').click();
  await expect(reporter).toHaveURL(/\/help\/a\/[a-z0-9-]+$/);
  await expect(reporter.getByTestId('article-body')).toBeVisible();
});

test('a writer puts a flowchart into an article; readers see it and open it full size', async ({ browser }) => {
  const title = unique('三方存管绑定流程');
  const slug = `flow-${Date.now().toString(36)}`;
  const handler = await signedIn(browser, 'handler');
  await handler.goto('/console/kb/new');
  await hydrated(handler);
  await handler.getByTestId('kb-title').fill(title);
  await handler.getByTestId('kb-slug').fill(slug);
  await handler.locator('#kb-system').selectOption('custody');
  await handler.getByTestId('kb-body').fill('## 绑定流程\n\n按下图操作：');
  // A file that is no image is refused, and nothing typed is lost.
  await handler.getByTestId('kb-image').setInputFiles({ name: 'flow.png', mimeType: 'image/png', buffer: Buffer.from('not a picture') });
  await expect(handler.getByTestId('kb-image-error')).toContainText('不是图片');
  await expect(handler.getByTestId('kb-body')).toHaveValue('## 绑定流程\n\n按下图操作：');
  // A photo of the flowchart: shrunk on the server, put after the text, shown in the preview.
  const photo = await cameraPhoto(handler, 2400, 1800);
  await handler.getByTestId('kb-image').setInputFiles({ name: 'flow.jpg', mimeType: 'image/jpeg', buffer: photo });
  await expect(handler.getByTestId('kb-body')).toHaveValue(/^## 绑定流程\n\n按下图操作：\n\n!\[图片说明\]\(\/help\/images\/[0-9a-f-]{36}\)\n\n$/);
  await expect(handler.getByTestId('kb-image-error')).toHaveCount(0);
  await expect(handler.getByTestId('kb-preview').locator('a > img')).toHaveJSProperty('naturalWidth', 1600);
  await handler.getByTestId('kb-save').click();
  await expect(handler).toHaveURL(/\/console\/kb\/\d+$/);
  await handler.getByTestId('kb-submit').click();
  await expect(handler.getByTestId('kb-state')).toHaveText('待审核');
  const id = Number(handler.url().split('/').pop());
  const admin = await signedIn(browser, 'admin');
  const published = await admin.request.post('/api/kb/publish', { data: { id } });
  expect(published.ok(), await published.text()).toBe(true);

  const visitor = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
  await visitor.goto(`/help/a/${slug}`);
  const image = visitor.getByTestId('article-body').locator('a > img');
  await expect(image).toHaveJSProperty('naturalWidth', 1600);
  const src = await image.getAttribute('src');
  await image.click();
  await expect(visitor).toHaveURL(src ?? 'no image');
});

test('the search box suggests articles as a reader types, and one opens', async ({ browser }) => {
  const visitor = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
  await visitor.goto('/help');
  const box = visitor.getByRole('searchbox');
  await box.pressSequentially('三方存管绑', { delay: 30 });
  const suggestions = visitor.getByTestId('suggestions');
  await expect(suggestions).toBeVisible();
  await suggestions.getByRole('link', { name: '三方存管绑定失败，银行卡绑不上？' }).click();
  await expectPath(visitor, '/help/a/custody-bank-binding-failed');
  // Escape puts the list away; an emptied box shows none.
  await visitor.goBack();
  await box.fill('绑定');
  await box.press('Space');
  await expect(suggestions).toBeVisible();
  await box.press('Escape');
  await expect(suggestions).toBeHidden();
});
