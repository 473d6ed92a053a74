// 心理健康筛查 with one-time codes (modules.md §3): the counsellor prints codes for the class that has
// not answered the screening open today; one student answers on a 390 px phone (a calm page, no
// score, the code refused a second time) and the counsellor sees the result and its attention level;
// a second student's answers reach level 3 and open a crisis case on the counsellor's page the same
// day; the class's 班主任 sees the levels and the tasks, never answers or scores.
import { expect, test, type Browser, type Page } from '@playwright/test';

const PASSWORD = process.env.WUYU_E2E_PASSWORD ?? 'demo-pass-123';

async function signIn(page: Page, username: string): Promise<void> {
  await page.goto('/login');
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page).not.toHaveURL(/\/login$/);
}

// Today's date in China, as the server writes times (yyyy-mm-dd).
function chinaToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
}

// One answer per item: `phq` and `gad` as 0–3 (完全没有 … 几乎每天), the ASQ all 否.
type Answers = { phq: number[]; gad: number[] };
const FREQUENCY = ['完全没有', '有几天', '一半以上的天数', '几乎每天'];

async function answerOnPhone(browser: Browser, code: string, a: Answers): Promise<void> {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const student = await phone.newPage();
  await student.goto('/answer');
  await student.getByLabel('答题码').fill(code.toLowerCase()); // typed in small letters: still the code
  await student.getByRole('button', { name: '开始答题' }).click();
  await expect(student.getByRole('heading', { level: 1 })).toContainText('心理健康筛查');
  // The calm layout: nothing wider than the phone, no timer, no score anywhere.
  const overflow = await student.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await expect(student.getByText('答案没有对错')).toBeVisible();
  const mood = student.locator('section[aria-label="心情"] fieldset');
  await expect(mood).toHaveCount(9);
  for (let i = 0; i < 9; i++) await mood.nth(i).getByLabel(FREQUENCY[a.phq[i]], { exact: true }).check();
  const worry = student.locator('section[aria-label="紧张与担心"] fieldset');
  await expect(worry).toHaveCount(7);
  for (let i = 0; i < 7; i++) await worry.nth(i).getByLabel(FREQUENCY[a.gad[i]], { exact: true }).check();
  const safety = student.locator('section[aria-label="安全"] fieldset');
  await expect(safety).toHaveCount(5);
  for (let i = 0; i < 5; i++) await safety.nth(i).getByLabel('否', { exact: true }).check();
  await student.getByRole('button', { name: '提交' }).click();
  await expect(student.getByRole('heading', { name: '谢谢你' })).toBeVisible();
  const thanks = (await student.locator('main').textContent()) ?? '';
  for (const word of ['关注', '分数', '得分', 'PHQ', 'GAD', '危机', '中度', '轻度']) {
    expect(thanks).not.toContain(word);
  }
  await expect(student.getByText('12356')).toBeVisible();
  // The same code again: refused, nothing more to answer.
  await student.goto('/answer');
  await student.getByLabel('答题码').fill(code);
  await student.getByRole('button', { name: '开始答题' }).click();
  await expect(student.getByRole('alert')).toContainText('这个答题码已经使用过');
  await expect(student.locator('fieldset')).toHaveCount(0);
  await phone.close();
}

test('students answer with one-time codes; the counsellor sees levels and a same-day crisis case; the 班主任 only flags', async ({ browser }) => {
  // The 班主任's class: the demo teacher's flag list names it.
  const teacher = await browser.newPage();
  await signIn(teacher, 'demo-teacher');
  await teacher.goto('/psych/flags');
  const firstFlag = teacher.locator('table tbody tr').first();
  const classLabel = (await firstFlag.locator('td').nth(1).textContent())!.trim();
  expect(classLabel).toMatch(/年级\d+班$/);
  // Students already flagged (an earlier screening) are not the ones this story follows.
  const flaggedBefore = (await teacher.locator('table tbody tr td:first-child').allTextContents()).map((t) => t.trim());

  // The counsellor prints the codes of that class for the screening open today.
  const counsellor = await browser.newPage();
  await signIn(counsellor, 'demo-counsellor');
  await counsellor.goto('/psych/codes');
  const today = chinaToday();
  const campaigns = counsellor.locator('#campaign option');
  const labels = await campaigns.allTextContents();
  const open = labels.find((l) => {
    const m = l.match(/（(\d{4}-\d{2}-\d{2}) 至 (\d{4}-\d{2}-\d{2})）/);
    return m !== null && m[1] <= today && today <= m[2];
  });
  expect(open, `a screening open on ${today} among ${labels.join(' / ')}`).toBeDefined();
  await counsellor.locator('#campaign').selectOption({ label: open! });
  await counsellor.locator('#class').selectOption({ label: classLabel });
  await counsellor.getByRole('button', { name: '生成答题码' }).click();
  const withCode = counsellor.locator('table.print-sheet tbody tr').filter({ has: counsellor.locator('code') });
  const sheet: { name: string; code: string }[] = [];
  for (let i = 0; i < (await withCode.count()); i++) {
    sheet.push({
      name: (await withCode.nth(i).locator('td').nth(1).textContent())!.trim(),
      code: (await withCode.nth(i).locator('code').textContent())!.trim(),
    });
  }
  // Two students with names of their own in the class, not flagged before.
  const unique = sheet.filter((r) => !flaggedBefore.includes(r.name) && sheet.filter((o) => o.name === r.name).length === 1);
  expect(unique.length).toBeGreaterThanOrEqual(2);
  const [calm, crisis] = unique;
  expect(calm.code).toMatch(/^[A-Z0-9]{8}$/);

  // PHQ-A 1+1+1+1+1+1+2+2+0 = 10 (中度), GAD-7 0, ASQ negative: level 1 一般关注.
  await answerOnPhone(browser, calm.code, { phq: [1, 1, 1, 1, 1, 1, 2, 2, 0], gad: [0, 0, 0, 0, 0, 0, 0] });
  await counsellor.goto('/psych');
  await expect(counsellor.locator('section[aria-label="筛查结果"] h2')).toContainText(open!.split('（')[0]);
  const calmRow = counsellor.locator('section[aria-label="筛查结果"] tbody tr').filter({ hasText: calm.name });
  await expect(calmRow).toHaveCount(1);
  await expect(calmRow.locator('td').nth(0)).toHaveText('1 一般关注');
  await expect(calmRow.locator('td').nth(3)).toHaveText('10（中度），第9题 0');

  // PHQ item 9 answered 几乎每天 (3): level 3 危机 whatever the rest; a case opens today.
  await answerOnPhone(browser, crisis.code, { phq: [0, 0, 0, 0, 0, 0, 0, 0, 3], gad: [0, 0, 0, 0, 0, 0, 0] });
  await counsellor.goto('/psych');
  const crisisRow = counsellor.locator('section[aria-label="筛查结果"] tbody tr').filter({ hasText: crisis.name });
  await expect(crisisRow.locator('td').nth(0)).toHaveText('3 危机');
  const caseCard = counsellor.locator('article.case').filter({ has: counsellor.getByRole('heading', { name: `${crisis.name} · ${classLabel}（处理中）` }) });
  await expect(caseCard).toHaveCount(1);
  await expect(caseCard.locator('p.muted').first()).toContainText(today);
  await expect(caseCard).toContainText('告知班主任');
  await expect(caseCard).toContainText('告知监护人');

  // The 班主任: both students with their levels, no answers, no scores, no counsellor page.
  await teacher.goto('/psych/flags');
  const flagRow = (name: string) => teacher.locator('table tbody tr').filter({ hasText: name });
  await expect(flagRow(crisis.name).locator('td').nth(2)).toHaveText('3 危机');
  await expect(flagRow(calm.name).locator('td').nth(2)).toHaveText('1 一般关注');
  const headers = await teacher.locator('table thead th').allTextContents();
  expect(headers).toEqual(['姓名', '班级', '关注等级', '筛查', '交给您的任务']);
  const flagsText = (await teacher.locator('main').textContent()) ?? '';
  for (const word of ['PHQ', 'GAD', 'ASQ', '第9题', '中度', '（10', '阴性']) {
    expect(flagsText).not.toContain(word);
  }
  const forbidden = await teacher.goto('/psych');
  expect(forbidden?.status()).toBe(403);
});
