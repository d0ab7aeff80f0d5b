import { expect, expectPath, hydrated, signedIn, test, unique } from './helpers';

/// Two days ago in Shanghai, as an ITSM export writes it.
const twoDaysAgo = () => `${new Date(Date.now() - 2 * 864e5 + 8 * 3600e3).toISOString().slice(0, 10)} 10:00`;

test('a handler previews an ITSM export, fixes the mapping and imports it once', async ({ browser }) => {
  test.setTimeout(90_000);
  const handler = await signedIn(browser, 'handler');
  await handler.getByTestId('import-link').click();
  await expectPath(handler, '/console/import');
  await hydrated(handler);

  const ref = unique('ITSM');
  const at = twoDaysAgo();
  const csv = [
    '工单号,创建时间,客户姓名,证件号码,所属系统,标题,问题描述',
    `${ref}-1,${at},李四,11010519491231002X,三方存管,绑卡失败,客户绑定存管银行提示卡号异常`,
    `${ref}-2,${at},张三,110105194912310021,custody,转账失败,银证转账提示异常`,
    `${ref}-3,${at},赵六,11010519491231002X,custody,更换存管银行,客户询问如何更换存管银行`,
  ].join('\n');
  const file = { name: 'itsm-week.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) };

  // Previewing before a file is chosen says so at the file.
  await handler.getByTestId('import-check').click();
  await expect(handler.getByTestId('import-error')).toContainText('文件');

  await handler.getByTestId('import-file').setInputFiles(file);
  await handler.getByTestId('import-check').click();
  await expect(handler.getByTestId('import-counts')).toHaveText('可导入 2 行 · 已存在 0 行 · 有问题 1 行');
  await expect(handler.getByTestId('import-row-3')).toContainText('校验位');

  // Taking the title away leaves a required field without a column; putting it back heals it.
  await handler.getByTestId('map-title').selectOption({ label: '（不导入）' });
  await expect(handler.getByTestId('mapping-problem')).toContainText('标题');
  await expect(handler.getByTestId('import-commit')).toHaveCount(0);
  await handler.getByTestId('map-title').selectOption({ label: '标题' });
  await expect(handler.getByTestId('import-counts')).toHaveText('可导入 2 行 · 已存在 0 行 · 有问题 1 行');

  await handler.getByTestId('import-commit').click();
  await expect(handler.getByTestId('import-counts')).toHaveText('已导入 2 行 · 已存在 0 行 · 未导入（有问题）1 行');
  // The same file again finds both recorded.
  await handler.getByTestId('import-check').click();
  await expect(handler.getByTestId('import-counts')).toHaveText('可导入 0 行 · 已存在 2 行 · 有问题 1 行');
  await handler.getByTestId('import-row-2').getByRole('link').click();
  await expect(handler.getByRole('heading', { level: 1 })).toContainText('绑卡失败');
  await handler.context().close();
});
