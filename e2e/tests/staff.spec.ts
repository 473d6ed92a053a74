// 教师年度考核 in the browser. The demo has one round per school for 2024–2025: the first school's
// (demo-school, demo-teacher) in a 公示 that has ended, the others drafts. The district starts the
// 公示 of a draft with no place left to the committee, approves the demo school's round after its
// 公示; the school admin reads the cap arithmetic and the printable 公示 list (names only); the
// teacher sees only their own result on a 390 px phone, without sideways scrolling, and confirms.
// The server is `wuyu demo --password demo-pass-123`, started by global-setup.ts.
import { expect, test, type Page } from '@playwright/test';

const YEAR = 2024;

async function signIn(page: Page, user: string) {
  await page.goto('/login');
  await page.locator('input[name=username]').fill(user);
  await page.locator('input[name=password]').fill('demo-pass-123');
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

test('an appraisal round: 公示 started, approved after the 公示, confirmed by the teacher', async ({ browser }) => {
  // Many page loads across three roles (the district's list covers every school).
  test.setTimeout(300_000);
  const district = await (await browser.newContext()).newPage();
  await signIn(district, 'demo-district');
  await district.goto(`/staff/appraisal?year=${YEAR}`);
  await expect(district.getByRole('heading', { level: 1, name: '教师年度考核 · 全区' })).toBeVisible();
  const rows = district.locator('table[data-table=rounds] tbody tr');
  expect(await rows.count()).toBeGreaterThan(1);
  const pendingBefore = Number(await district.locator('[data-count=pending]').innerText());
  expect(pendingBefore).toBeGreaterThanOrEqual(1);

  // A draft with no committee place: the district starts its 公示.
  const drafts = rows.filter({ hasText: '草稿' });
  let draftHref: string | null = null;
  for (let k = 0; k < (await drafts.count()); k++) {
    const committee = (await drafts.nth(k).locator('td').nth(5).innerText()).trim();
    if (committee === '0') {
      draftHref = await drafts.nth(k).locator('td a').first().getAttribute('href');
      break;
    }
  }
  expect(draftHref).not.toBeNull();
  await district.goto(draftHref!);
  await expect(district.locator('[data-state]')).toHaveText('草稿');
  // The cap arithmetic is on the page: ⌊q × N⌋ = cap.
  await expect(district.locator('[data-cap]')).toContainText('优秀上限 = ⌊');
  await district.getByRole('button', { name: '开始公示' }).click();
  await expect(district.locator('[data-notice]')).toContainText('已开始公示');
  await expect(district.locator('[data-state]')).not.toHaveText('草稿');
  // In 公示 the proposal is frozen: no upload form and no approval before the last day.
  await expect(district.locator('form[data-upload]')).toHaveCount(0);
  await expect(district.getByRole('button', { name: '审定通过' })).toHaveCount(0);

  // The school admin: the demo school's round with its cap arithmetic and the 公示 list.
  const school = await (await browser.newContext()).newPage();
  await signIn(school, 'demo-school');
  await school.goto(`/staff/appraisal?year=${YEAR}`);
  await expect(school).toHaveURL(new RegExp(`/staff/appraisal/\\d+/${YEAR}$`));
  const round = new URL(school.url()).pathname;
  await expect(school.locator('[data-cap]')).toBeVisible();
  const teachers = await school.locator('table[data-table=appraisal] tbody tr[data-teacher]').count();
  expect(teachers).toBeGreaterThan(1);
  const excellent = await school.locator('table[data-table=appraisal] td[data-level]', { hasText: /^优秀$/ }).count();
  await school.locator('[data-publicity-link]').click();
  await expect(school.locator('body')).not.toContainText('考核得分');

  // The district approves the demo school's round: its 公示 has ended.
  await district.goto(round);
  await district.getByRole('button', { name: '审定通过' }).click();
  await expect(district.locator('[data-notice]')).toContainText('已审定考核结果');
  await expect(district.locator('[data-state]')).toHaveText('已审定');
  await district.goto(`/staff/appraisal?year=${YEAR}`);
  expect(Number(await district.locator('[data-count=pending]').innerText())).toBe(pendingBefore - 1);

  // The teacher on a phone: their own row only, no sideways scrolling, and the confirmation.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const teacher = await phone.newPage();
  await signIn(teacher, 'demo-teacher');
  await teacher.goto(`/staff/appraisal?year=${YEAR}`);
  await expect(teacher).toHaveURL(new RegExp(`${round}$`));
  await expect(teacher.getByRole('heading', { level: 1 })).toContainText('我的年度考核');
  await expect(teacher.locator('table[data-table=appraisal] tbody tr[data-teacher]')).toHaveCount(1);
  await expect(teacher.locator('[data-cap]')).toHaveCount(0);
  const overflow = () => teacher.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(await overflow()).toBeLessThanOrEqual(0);
  await teacher.getByRole('button', { name: '我已知晓考核结果' }).click();
  await expect(teacher.locator('[data-notice]')).toContainText('已确认知晓考核结果');
  await expect(teacher.locator('table[data-table=appraisal] tbody tr[data-teacher]')).toContainText('已确认');
  await expect(teacher.getByRole('button', { name: '我已知晓考核结果' })).toHaveCount(0);
  expect(await overflow()).toBeLessThanOrEqual(0);

  // The school admin sees the teacher's confirmation; the 优秀 count did not change on approval.
  await school.goto(round);
  await expect(school.locator('table[data-table=appraisal] tbody tr', { hasText: '已确认' })).toHaveCount(1);
  expect(await school.locator('table[data-table=appraisal] td[data-level]', { hasText: /^优秀$/ }).count()).toBe(excellent);
});

test('a teacher reads their training hours against the requirement on a 390 px phone', async ({ browser }) => {
  test.setTimeout(120_000);
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const teacher = await phone.newPage();
  await signIn(teacher, 'demo-teacher');
  await teacher.goto(`/staff/development?year=${YEAR}`);
  await expect(teacher.getByRole('heading', { level: 1 })).toContainText('我的培训与荣誉');
  await expect(teacher.locator('body')).toContainText('继续教育周期 2021–2025 年');
  // The demo gives every teacher at least two courses; the hours are the cycle's sum.
  const courses = teacher.locator('table[data-table=training] tbody tr');
  expect(await courses.count()).toBeGreaterThanOrEqual(2);
  let sum = 0;
  for (let k = 0; k < (await courses.count()); k++) {
    const cells = courses.nth(k).locator('td');
    const year = Number((await cells.nth(0).innerText()).slice(0, 4));
    if (year >= 2021 && year <= 2025) sum += Number(await cells.nth(2).innerText());
  }
  expect(Number(await teacher.locator('[data-hours]').innerText())).toBeCloseTo(sum, 1);
  await expect(teacher.locator('[data-met]')).toHaveText(sum >= 360 ? '已达标' : '未达标');
  await expect(teacher.locator('form[data-form]')).toHaveCount(0);
  expect(await teacher.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
});
