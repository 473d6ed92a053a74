// 导入中心 in the browser: a school admin uploads a roster with errors, sees them, downloads the
// error file, uploads the fixed file, confirms, sees the import in the history, and undoes it. The server
// is `wuyu demo --password demo-pass-123`, started by global-setup.ts.
import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { expect, test, type Page } from '@playwright/test';

async function signIn(page: Page, user: string) {
  await page.goto('/login');
  await page.locator('input[name=username]').fill(user);
  await page.locator('input[name=password]').fill('demo-pass-123');
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

// A roster CSV without a 学校代码 column: the rows are the admin's own school's.
function csv(rows: string[][]): Buffer {
  const lines = [['年级', '班级', '学籍号', '姓名', '性别', '出生日期'], ...rows];
  return Buffer.from(lines.map((r) => r.join(',')).join('\n') + '\n', 'utf8');
}

// The text of every cell of an XLSX (a zip): its shared strings and inline strings, read with
// node's own zlib from the zip's central directory, so the test needs no spreadsheet library.
function xlsxText(bytes: Buffer): string {
  const eocd = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const entries = bytes.readUInt16LE(eocd + 10);
  let at = bytes.readUInt32LE(eocd + 16);
  let text = '';
  for (let i = 0; i < entries; i++) {
    const method = bytes.readUInt16LE(at + 10);
    const size = bytes.readUInt32LE(at + 20);
    const nameLen = bytes.readUInt16LE(at + 28);
    const extraLen = bytes.readUInt16LE(at + 30);
    const commentLen = bytes.readUInt16LE(at + 32);
    const local = bytes.readUInt32LE(at + 42);
    const name = bytes.subarray(at + 46, at + 46 + nameLen).toString('utf8');
    if (name.startsWith('xl/') && name.endsWith('.xml')) {
      const start = local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
      const raw = bytes.subarray(start, start + size);
      text += (method === 8 ? inflateRawSync(raw) : raw).toString('utf8');
    }
    at += 46 + nameLen + extraLen + commentLen;
  }
  return text;
}

test('a school admin fixes a rejected roster, confirms it, finds it in the history and undoes it', async ({ page }) => {
  await signIn(page, 'demo-school');

  // A class of the school, as the school's page lists it (年级 label and class name).
  await page.getByRole('link', { name: '本校' }).click();
  const firstClass = page.locator('table tbody tr').first();
  const grade = (await firstClass.locator('td').nth(0).innerText()).trim();
  const className = (await firstClass.locator('td').nth(1).innerText()).trim();
  const stamp = String(Date.now()).slice(-8);
  const good = [grade, className, `E2E${stamp}1`, '导入测试甲', '男', '2012-03-05'];
  const bad = [grade, className, `E2E${stamp}2`, '导入测试乙', '未知', '2012-13-40'];

  // The nav leads to the import centre and the roster page.
  await page.getByRole('link', { name: '导入中心' }).click();
  await expect(page.getByRole('heading', { name: '导入中心' })).toBeVisible();
  await page.getByRole('link', { name: '导入学校名册' }).click();
  await expect(page.getByRole('link', { name: /下载学校名册导入模板/ })).toBeVisible();

  // 1. A file with errors: the preview lists them and offers no confirm.
  await page.locator('input[type=file]').setInputFiles({
    name: '名册-有错.csv',
    mimeType: 'text/csv',
    buffer: csv([good, bad]),
  });
  await page.getByRole('button', { name: '上传并预览' }).click();
  await expect(page).toHaveURL(/\/imports\/uploads\//);
  await expect(page.getByText('文件有错误，不能导入')).toBeVisible();
  const errors = page.locator('table[data-table=import-errors] tbody tr');
  await expect(errors.filter({ hasText: '性别' })).toHaveCount(1);
  await expect(errors.filter({ hasText: '出生日期' })).toHaveCount(1);
  await expect(page.getByRole('button', { name: '确认导入' })).toHaveCount(0);

  // 2. The error file downloads, as an XLSX.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: /下载错误清单/ }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('名册-有错-错误清单.xlsx');
  const saved = await download.path();
  const workbook = readFileSync(saved!);
  expect(workbook.subarray(0, 2).toString()).toBe('PK');
  // It holds the error list and the bad row as uploaded: its 学籍号 and the two bad values.
  const cells = xlsxText(workbook);
  expect(cells).toContain('错误清单');
  expect(cells).toContain('修改建议');
  expect(cells).toContain(`E2E${stamp}2`);
  expect(cells).toContain('未知');
  expect(cells).toContain('2012-13-40');

  // 3. The fixed file: previewed with its rows, then confirmed.
  await page.getByRole('link', { name: '重新上传' }).click();
  const fixed = [grade, className, `E2E${stamp}2`, '导入测试乙', '女', '2012-12-04'];
  await page.locator('input[type=file]').setInputFiles({
    name: '名册-已改.csv',
    mimeType: 'text/csv',
    buffer: csv([good, fixed]),
  });
  // While the file goes up and the server reads it, the form shows the browser's upload
  // progress (the answer is held back a moment so the test can see it).
  await page.route('**/imports/roster', async (route) => {
    if (route.request().method() === 'POST') await new Promise((r) => setTimeout(r, 1500));
    await route.continue();
  });
  await page.getByRole('button', { name: '上传并预览' }).click();
  await expect(page.locator('progress.upload-bar')).toBeVisible();
  await expect(page.locator('.upload-progress')).toContainText(/上传/);
  await expect(page.getByRole('button', { name: '上传并预览' })).toBeDisabled();
  await expect(page).toHaveURL(/\/imports\/uploads\//);
  await page.unroute('**/imports/roster');
  const sample = page.locator('table[data-table=import-sample]');
  await expect(sample).toContainText('导入测试乙');
  await page.getByRole('button', { name: '确认导入' }).click();
  await expect(page.getByText(/已导入：新增学生 2/)).toBeVisible();

  // 4. The history shows both uploads with their outcome.
  await page.getByRole('link', { name: '← 导入中心' }).click();
  const history = page.locator('table[data-table=import-history] tbody');
  await expect(history.locator('tr', { hasText: '名册-已改.csv' }).first()).toContainText('已导入');
  await expect(history.locator('tr', { hasText: '名册-有错.csv' }).first()).toContainText('待确认');

  // The history downloads as XLSX with the same rows: both files, the outcome, the whole fingerprint.
  const [exported] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: '导出 XLSX' }).click(),
  ]);
  expect(exported.suggestedFilename()).toBe('本校的导入记录.xlsx');
  const historyCells = xlsxText(readFileSync((await exported.path())!));
  expect(historyCells).toContain('文件指纹（SHA-256）');
  expect(historyCells).toContain('名册-已改.csv');
  expect(historyCells).toContain('名册-有错.csv');
  const shortSha = (await history.locator('tr', { hasText: '名册-已改.csv' }).first().locator('code').innerText()).trim();
  expect(historyCells).toMatch(new RegExp(`${shortSha}[0-9a-f]{52}`));

  // 5. 撤销: the two students the file added are taken out again, and the history says so.
  await history
    .locator('tr', { hasText: '名册-已改.csv' })
    .first()
    .getByRole('button', { name: '撤销导入' })
    .click();
  await expect(page.getByText('已撤销：移除本次导入写入的 2 条记录')).toBeVisible();
  const undone = page.locator('table[data-table=import-history] tbody tr', { hasText: '名册-已改.csv' }).first();
  await expect(undone).toContainText('已撤销');
  await expect(undone.getByRole('button', { name: '撤销导入' })).toHaveCount(0);
});
