// What each demo role sees. The server is `wuyu demo`, which creates one account per role bound to
// a demo school (an urban primary school), a teacher of that school with two or more classes, and
// a student in one of that teacher's classes.
//
// Password: global-setup.ts starts `wuyu demo --password demo-pass-123`. When testing a server
// started elsewhere (WUYU_E2E_BASE_URL), set WUYU_E2E_PASSWORD to the password it was started with.
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';

const PASSWORD = process.env.WUYU_E2E_PASSWORD ?? 'demo-pass-123';

async function signIn(page: Page, username: string): Promise<void> {
  await page.goto('/login');
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page).not.toHaveURL(/\/login$/);
}

// Rows of the table in the <section> whose heading is `heading`.
function sectionRows(page: Page, heading: string) {
  return page
    .locator('section')
    .filter({ has: page.getByRole('heading', { name: heading, exact: true }) })
    .locator('tbody tr');
}

// Content-Security-Policy violations the browser reports: the pages must need none.
function collectCspErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) errors.push(msg.text());
  });
  return errors;
}

test.describe('district roles', () => {
  for (const username of ['demo-district', 'demo-analyst']) {
    test(`${username} sees the district overview with a rendered chart`, async ({ page }) => {
      const cspErrors = collectCspErrors(page);
      await signIn(page, username);
      await expect(page).toHaveURL('/');
      await expect(page.getByRole('heading', { level: 1, name: '区级总览' })).toBeVisible();
      // ECharts draws into a <canvas> inside the chart container once app.js has run.
      await expect(page.locator('[data-chart] canvas').first()).toBeVisible();
      await expect(page.getByRole('heading', { name: '学校列表' })).toBeVisible();
      await expect(page.locator('a[href^="/schools/"]').first()).toBeVisible();

      const adminLink = page.getByRole('link', { name: '用户管理' });
      if (username === 'demo-district') {
        await expect(adminLink).toBeVisible();
      } else {
        await expect(adminLink).toHaveCount(0);
      }
      expect(cspErrors).toEqual([]);
    });
  }

  test('demo-district opens a school from the list', async ({ page }) => {
    await signIn(page, 'demo-district');
    const first = page.locator('a[href^="/schools/"]').first();
    const name = (await first.textContent())?.trim() ?? '';
    await first.click();
    await expect(page).toHaveURL(/\/schools\/\d+$/);
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  });
});

test('school admin sees their school, its classes and the teaching assignments', async ({ page }) => {
  await signIn(page, 'demo-school');
  await expect(page).toHaveURL(/\/schools\/\d+$/);
  await expect(page.getByRole('heading', { level: 1 })).not.toBeEmpty();
  await expect(page.getByRole('heading', { name: '班级', exact: true })).toBeVisible();
  expect(await sectionRows(page, '班级').count()).toBeGreaterThanOrEqual(3);
  await expect(page.getByRole('heading', { name: '任课安排' })).toBeVisible();
  await expect(page.getByText('学校管理员', { exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: '用户管理' })).toHaveCount(0);
});

test('teacher sees only their own classes', async ({ browser }) => {
  // The school admin's class count, for comparison.
  const adminContext = await browser.newContext();
  const adminPage = await adminContext.newPage();
  await signIn(adminPage, 'demo-school');
  const schoolUrl = adminPage.url();
  const allClasses = await sectionRows(adminPage, '班级').count();
  await adminContext.close();

  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, 'demo-teacher');
  await expect(page).toHaveURL(schoolUrl);
  await expect(page.getByRole('heading', { name: '我任教的班级' })).toBeVisible();
  const own = await sectionRows(page, '我任教的班级').count();
  expect(own).toBeGreaterThanOrEqual(1);
  expect(own).toBeLessThan(allClasses);
  await expect(page.getByRole('heading', { name: '任课安排' })).toHaveCount(0);

  // A class of theirs lists its students, each linking to the student record.
  await sectionRows(page, '我任教的班级').first().getByRole('link').first().click();
  await expect(page).toHaveURL(/\/schools\/\d+\/classes\/\d+$/);
  await expect(page.getByRole('heading', { level: 1 })).not.toBeEmpty();
  await expect(page.getByRole('columnheader', { name: '学籍号' })).toBeVisible();
  await expect(page.getByRole('columnheader', { name: '身份证号' })).toHaveCount(0);
  await context.close();
});

test('teacher opening the user administration gets the no-access page', async ({ page }) => {
  await signIn(page, 'demo-teacher');
  const response = await page.goto('/admin/users');
  expect(response?.status()).toBe(403);
  await expect(page.getByRole('heading', { name: '无权访问' })).toBeVisible();
});

test('parent sees their child’s record and no school list', async ({ page }) => {
  await signIn(page, 'demo-parent');
  await expect(page).toHaveURL(/\/schools\/\d+\/students\/\d+$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('学生档案');
  // Results come first; the child's identity is collapsed at the bottom until asked for.
  await expect(page.getByText('学籍号', { exact: true })).toBeHidden();
  await page.getByText('孩子的身份信息').click();
  await expect(page.getByText('学籍号', { exact: true })).toBeVisible();
  await expect(page.getByRole('heading', { name: '学校列表' })).toHaveCount(0);
  await expect(page.getByRole('heading', { name: '区级总览' })).toHaveCount(0);
  await expect(page.locator('a[href*="/classes/"]')).toHaveCount(0);
  // The school's roster is not for parents.
  const schoolPath = new URL(page.url()).pathname.replace(/\/students\/\d+$/, '');
  const response = await page.goto(schoolPath);
  expect(response?.status()).toBe(403);
  await expect(page.getByRole('heading', { name: '无权访问' })).toBeVisible();
});

test('counsellor sees the school page', async ({ page }) => {
  await signIn(page, 'demo-counsellor');
  await expect(page).toHaveURL(/\/schools\/\d+$/);
  await expect(page.getByRole('heading', { level: 1 })).not.toBeEmpty();
  await expect(page.getByRole('heading', { name: '班级', exact: true })).toBeVisible();
  await expect(page.getByText('心理教师', { exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: '用户管理' })).toHaveCount(0);
});

test('signing out ends the session', async ({ page }) => {
  await signIn(page, 'demo-analyst');
  await page.getByRole('button', { name: '退出登录' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
});

test('体质健康: the district sees the 优秀率 headline and charts; the teacher opens their class', async ({ browser }) => {
  const district = await browser.newContext();
  const page = await district.newPage();
  const cspErrors = collectCspErrors(page);
  await signIn(page, 'demo-district');
  await page.getByRole('link', { name: '体质健康' }).click();
  await expect(page).toHaveURL(/\/fitness$/);
  await expect(page.getByRole('heading', { level: 1, name: '体质健康' })).toBeVisible();
  // The demo has four terms of records: the headline has a number, not "—".
  await expect(page.locator('[data-rate="excellent_rate"]')).toHaveText(/^\d+\.\d%$/);
  await expect(page.getByText('目标 ≥ 30.0%')).toBeVisible();
  await expect(page.locator('[data-chart="chart-trend"] canvas')).toBeVisible();
  await expect(page.locator('[data-chart="chart-bmi"] canvas')).toBeVisible();
  expect(await sectionRows(page, '各校体质健康').count()).toBeGreaterThanOrEqual(2);
  expect(cspErrors).toEqual([]);
  await district.close();

  const teacher = await browser.newContext();
  const t = await teacher.newPage();
  await signIn(t, 'demo-teacher');
  await t.getByRole('link', { name: '体质健康' }).click();
  await expect(t).toHaveURL(/\/fitness$/);
  await sectionRows(t, '各班体质健康').first().getByRole('link').first().click();
  await expect(t).toHaveURL(/\/schools\/\d+\/classes\/\d+\/fitness\?term=/);
  await expect(t.getByRole('heading', { level: 1 })).toContainText('体质健康');
  await expect(t.getByRole('columnheader', { name: '学年总分' })).toBeVisible();
  expect(await t.locator('tbody tr').count()).toBeGreaterThanOrEqual(1);
  await teacher.close();
});

test('a parent with two children switches between them on a 390 px phone', async ({ browser }) => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await phone.newPage();
  await signIn(page, 'demo-parent');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('学生档案：');
  const first = (await page.getByRole('heading', { level: 1 }).innerText()).replace('学生档案：', '').trim();
  // Nothing wider than the phone: no sideways scrolling to read a result.
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(await overflow()).toBeLessThanOrEqual(0);

  await page.getByRole('link', { name: '我的孩子' }).click();
  await expect(page.getByRole('heading', { level: 1, name: '我的孩子' })).toBeVisible();
  const children = page.locator('ul.child-list > li');
  await expect(children).toHaveCount(2);
  await expect(children.filter({ hasText: '正在查看' })).toContainText(first);
  expect(await overflow()).toBeLessThanOrEqual(0);

  // Switch to the other child: their record opens, with their own name.
  const switchButton = page.getByRole('button', { name: /^切换到/ });
  const second = (await switchButton.innerText()).replace('切换到', '').trim();
  expect(second).not.toBe(first);
  await switchButton.click();
  await expect(page).toHaveURL(/\/schools\/\d+\/students\/\d+$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`学生档案：${second}`);
  expect(await overflow()).toBeLessThanOrEqual(0);

  // And back.
  await page.getByRole('link', { name: '我的孩子' }).click();
  await page.getByRole('button', { name: `切换到${first}` }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`学生档案：${first}`);
  await phone.close();
});

test('a PE teacher exports the 补测名单 of their class', async ({ page }) => {
  await signIn(page, 'demo-teacher');
  await page.getByRole('link', { name: '体质健康' }).click();
  await sectionRows(page, '各班体质健康').first().getByRole('link').first().click();
  await expect(page).toHaveURL(/\/classes\/\d+\/fitness\?term=/);
  const retest = page.locator('ul.lists li', { hasText: '补测名单' });
  await expect(retest).toContainText(/补测名单：\d+ 条/);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    retest.getByRole('link', { name: '导出 Excel' }).click(),
  ]);
  // A Chinese file name naming the list and the term, and a real workbook.
  expect(download.suggestedFilename()).toMatch(/-补测名单-.+\.xlsx$/);
  const saved = await download.path();
  expect(readFileSync(saved!).subarray(0, 2).toString()).toBe('PK');
});
