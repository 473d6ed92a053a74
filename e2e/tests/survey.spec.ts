// 满意度调查 from a printed QR code: the school admin makes a class's link and prints its QR code; a
// parent opens the link on a 390 px phone, answers without an account, and the school's results
// count the answer — the class itself stays unreported under the minimum of 30 parents.
import { expect, test, type Page } from '@playwright/test';

const PASSWORD = process.env.WUYU_E2E_PASSWORD ?? 'demo-pass-123';

async function signIn(page: Page, username: string): Promise<void> {
  await page.goto('/login');
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page).not.toHaveURL(/\/login$/);
}

// The 答卷数 cell of the results table's first row: the school itself for its admin.
async function schoolResponses(page: Page): Promise<number> {
  const cell = page.locator('table').first().locator('tbody tr').first().locator('td').nth(1);
  return Number((await cell.textContent())?.trim());
}

test('a parent answers from a class QR link on a phone and the school result changes', async ({ browser }) => {
  const school = await browser.newPage();
  await signIn(school, 'demo-school');
  // A round with class links (a 师德 round about teachers has codes only): its results first.
  const withLinks = () =>
    school.locator('tbody tr').filter({ has: school.getByRole('link', { name: /作答链接（二维码）/ }) }).first();
  await school.goto('/surveys');
  await withLinks().getByRole('link', { name: '查看结果' }).click();
  await expect(school).toHaveURL(/\/surveys\/\d+$/);
  const resultsUrl = school.url();
  const before = await schoolResponses(school);
  expect(before).toBeGreaterThan(0);

  // A link for one class, printed with its QR code.
  await school.goto('/surveys');
  await withLinks().getByRole('link', { name: /作答链接（二维码）/ }).first().click();
  await expect(school.getByRole('heading', { level: 1 })).toContainText('作答链接');
  const classSelect = school.locator('#class_id');
  const className = (await classSelect.locator('option').nth(1).textContent())!.trim();
  await classSelect.selectOption({ label: className });
  await school.getByRole('button', { name: '生成' }).click();
  const card = school.locator('section.survey-link').filter({ has: school.getByRole('heading', { name: className }) });
  await expect(card.locator('svg')).toBeVisible();
  await expect(card.locator('svg title')).toHaveText(new RegExp(`${className} 问卷二维码`));
  const url = (await card.locator('code').textContent())!.trim();
  expect(url).toMatch(/^http:\/\/.+\/s\/l\/[A-Z0-9]{12}$/);
  // The code is printable: big enough to scan from paper.
  const box = (await card.locator('svg').boundingBox())!;
  expect(box.width).toBeGreaterThan(150);

  // A parent's phone: no account, the class named, every question on one narrow page.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const parent = await phone.newPage();
  await parent.goto(url);
  await expect(parent.getByRole('heading', { level: 1 })).toContainText('满意度');
  await expect(parent.getByText(className)).toBeVisible();
  const overflow = await parent.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  const questions = parent.locator('fieldset.survey-q');
  const n = await questions.count();
  expect(n).toBeGreaterThan(3);
  for (let i = 0; i < n; i++) {
    await questions.nth(i).getByLabel('非常满意').check();
  }
  await parent.getByRole('button', { name: '提交' }).click();
  await expect(parent.getByRole('heading', { name: '提交成功' })).toBeVisible();
  // The same phone again: refused.
  await parent.goto(url);
  await expect(parent.getByText('这台设备已经提交过这份问卷')).toBeVisible();
  await phone.close();

  // The school's count goes up by one; the class, with one parent, is not reported.
  await school.goto(resultsUrl);
  expect(await schoolResponses(school)).toBe(before + 1);
  const classRow = school.locator('table').first().locator('tbody tr').filter({ hasText: className });
  await expect(classRow).toContainText('样本不足，不报告');
  await expect(classRow.locator('td').nth(1)).toHaveText('1');
});
