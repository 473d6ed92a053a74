// 课后服务 with a multiple-choice and a short-text item: a parent on a 390 px phone ticks two
// projects and writes a suggestion (the counter follows the typing), and the school's admin
// finds the choice table on the results and the suggestion on the 意见和建议 page.
import { expect, test, type Page } from '@playwright/test';

const PASSWORD = process.env.WUYU_E2E_PASSWORD ?? 'demo-pass-123';

async function signIn(page: Page, username: string): Promise<void> {
  await page.goto('/login');
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page).not.toHaveURL(/\/login$/);
}

test('a parent ticks projects and writes a suggestion that only the school admin reads', async ({ browser }) => {
  const school = await browser.newPage();
  await signIn(school, 'demo-school');
  const round = () => school.locator('tbody tr').filter({ hasText: '课后服务满意度调查' }).first();
  await school.goto('/surveys');
  await round().getByRole('link', { name: '查看结果' }).click();
  await expect(school).toHaveURL(/\/surveys\/\d+$/);
  const resultsUrl = school.url();
  await expect(school.getByRole('heading', { name: /选择题/ })).toBeVisible();
  await expect(school.getByText('各项占比之和可超过 100%')).toBeVisible();

  // A class link for the round.
  await school.goto('/surveys');
  await round().getByRole('link', { name: /作答链接（二维码）/ }).first().click();
  const classSelect = school.locator('#class_id');
  const className = (await classSelect.locator('option').nth(1).textContent())!.trim();
  await classSelect.selectOption({ label: className });
  await school.getByRole('button', { name: '生成' }).click();
  const card = school.locator('section.survey-link').filter({ has: school.getByRole('heading', { name: className }) });
  const url = (await card.locator('code').first().textContent())!.trim();

  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const parent = await phone.newPage();
  await parent.goto(url);
  await expect(parent.getByRole('heading', { level: 1 })).toContainText('课后服务');
  const overflow = await parent.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  const questions = parent.locator('fieldset.survey-q');
  for (let i = 0; i < 6; i++) {
    await questions.nth(i).getByLabel('满意', { exact: true }).check();
  }
  const projects = questions.filter({ hasText: '参加了哪些课后服务项目' });
  await expect(projects.getByText('可多选')).toBeVisible();
  await projects.getByLabel('作业辅导与答疑').check();
  await projects.getByLabel('阅读').check();
  const note = parent.locator('textarea[name=q7]');
  await expect(parent.locator('#q7-count')).toHaveText('0 / 200 字');
  await note.fill('希望增加体育活动');
  await expect(parent.locator('#q7-count')).toHaveText('8 / 200 字');
  await parent.getByRole('button', { name: '提交' }).click();
  await expect(parent.getByRole('heading', { name: '提交成功' })).toBeVisible();
  await phone.close();

  // The suggestion on the admin's 意见和建议 page.
  await school.goto(resultsUrl);
  await school.getByRole('link', { name: '意见和建议（文字回答）' }).click();
  await expect(school.getByRole('cell', { name: '希望增加体育活动' }).first()).toBeVisible();
});
