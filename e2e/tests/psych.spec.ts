// 心理健康筛查, need to know: a student answers with a one-time code on a 390 px phone; the
// counsellor sees the new level-3 crisis case with its scores; the 班主任 of the class sees the
// level (and the tasks given to them), never answers or scores.
import { expect, test, type Page } from '@playwright/test';

const PASSWORD = process.env.WUYU_E2E_PASSWORD ?? 'demo-pass-123';

async function signIn(page: Page, username: string): Promise<void> {
  await page.goto('/login');
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page).not.toHaveURL(/\/login$/);
}

test('a student answers on a phone, the counsellor sees a level-3 case, the 班主任 only the flag', async ({ browser }) => {
  // The demo teacher is 班主任 of the class of the demo's first crisis case.
  const teacherCtx = await browser.newContext();
  const teacher = await teacherCtx.newPage();
  await signIn(teacher, 'demo-teacher');
  await teacher.goto('/psych/flags');
  const flags = teacher.locator('table tbody tr');
  const crisis = flags.filter({ hasText: '3 危机' });
  await expect(crisis.first()).toBeVisible();
  const crisisBefore = await crisis.count();
  const classLabel = (await crisis.first().locator('td').nth(1).textContent())!.trim();

  // The counsellor hands out codes in that class: the student absent on the day gets one.
  const counsellorCtx = await browser.newContext();
  const counsellor = await counsellorCtx.newPage();
  await signIn(counsellor, 'demo-counsellor');
  await counsellor.goto('/psych');
  const casesBefore = await counsellor.locator('article.case').count();
  await counsellor.goto('/psych/codes');
  await counsellor.locator('#class').selectOption({ label: classLabel });
  await counsellor.getByRole('button', { name: '生成答题码' }).click();
  const withCode = counsellor.locator('section[aria-label="答题码"] tbody tr').filter({ has: counsellor.locator('code') });
  await expect(withCode.first()).toBeVisible();
  const student = (await withCode.first().locator('td').nth(1).textContent())!.trim();
  const code = (await withCode.first().locator('code').textContent())!.trim();

  // The student, on a phone, without an account: a calm form, no scores shown.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await phone.newPage();
  await page.goto('/answer');
  await page.getByLabel('答题码').fill(code);
  await page.getByRole('button', { name: '开始答题' }).click();
  await expect(page.getByRole('heading', { name: '心情' })).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  // Most days low, thoughts of self-harm nearly every day; ASQ: yes, and acute.
  for (let i = 1; i <= 9; i++) await page.locator(`input[name=phq_${i}][value="${i === 9 ? 3 : 2}"]`).check();
  for (let i = 1; i <= 7; i++) await page.locator(`input[name=gad_${i}][value="1"]`).check();
  for (let i = 1; i <= 5; i++) await page.locator(`input[name=asq_${i}][value="yes"]`).check();
  await page.getByRole('button', { name: '提交' }).click();
  await expect(page.getByRole('heading', { name: '谢谢你' })).toBeVisible();
  await expect(page.getByText('12356')).toBeVisible();
  await expect(page.locator('body')).not.toContainText('危机');
  // The code is spent.
  await page.goto('/answer');
  await page.getByLabel('答题码').fill(code);
  await page.getByRole('button', { name: '开始答题' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await phone.close();

  // The counsellor: a new open case for the student, today, with the scores in the results.
  await counsellor.goto('/psych');
  await expect(counsellor.locator('article.case')).toHaveCount(casesBefore + 1);
  const caseCard = counsellor.locator('article.case').filter({ hasText: `${student} · ${classLabel}（处理中）` });
  await expect(caseCard).toBeVisible();
  await expect(caseCard).toContainText('告知班主任');
  const resultRow = counsellor.locator('tr.level-3').filter({ hasText: student });
  await expect(resultRow).toContainText('3 危机');
  await expect(resultRow.locator('td').nth(3)).toHaveText(/^19（中重度），第9题 3$/);

  // The 班主任: one more level-3 flag in the class, the task given to them, no scores.
  await teacher.reload();
  await expect(crisis).toHaveCount(crisisBefore + 1);
  const row = flags.filter({ hasText: student });
  await expect(row).toContainText('3 危机');
  await expect(teacher.locator('body')).not.toContainText('PHQ');
  await expect(teacher.locator('body')).not.toContainText('GAD');
  await expect(teacher.locator('body')).not.toContainText('中重度');
  // And the counsellor's pages are not theirs.
  const denied = await teacher.goto('/psych');
  expect(denied?.status()).toBe(403);
  await teacherCtx.close();
  await counsellorCtx.close();
});
