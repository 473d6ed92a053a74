// 综合素质档案 in the browser (modules.md §2): the 班主任 records one 志愿服务 activity for the
// whole class with a photo and approves it; a parent, on a 390 px phone, enters a 家务劳动 check-in
// for their child (it waits for the 班主任); the school's coverage page shows the class's volunteer
// hours per student grown by the activity's hours.
import { expect, test, type Page } from '@playwright/test';

const PASSWORD = process.env.WUYU_E2E_PASSWORD ?? 'demo-pass-123';

async function signIn(page: Page, username: string): Promise<void> {
  await page.goto('/login');
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page).not.toHaveURL(/\/login$/);
}

// Today's date in China, as the server dates the term (yyyy-mm-dd).
function chinaToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
}

// The class's 人均志愿服务时长 on the school's coverage page ("—" when nobody has any: 0).
async function volunteerPerStudent(page: Page, term: string, classLabel: string): Promise<number> {
  await page.goto(`/archive/coverage?term=${term}`);
  const row = page.locator('table tbody tr').filter({ has: page.locator('td:first-child', { hasText: new RegExp(`^${classLabel}$`) }) });
  await expect(row).toHaveCount(1);
  const cell = ((await row.locator('td').nth(5).textContent()) ?? '').trim();
  return cell === '—' ? 0 : Number(cell);
}

// A tiny JPEG: the upload check reads the first bytes, not the picture.
const PHOTO = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]);

test('a 班主任 records a class activity, a parent checks in on a phone, the school coverage grows', async ({ browser }) => {
  const today = chinaToday();

  // The 班主任's class page (the nav's 写实记录): which class, which term.
  const teacher = await browser.newPage();
  await signIn(teacher, 'demo-teacher');
  await teacher.goto('/archive/class');
  const heading = ((await teacher.getByRole('heading', { level: 1 }).textContent()) ?? '').trim();
  const classLabel = heading.split(' · ')[0].replace(/\s+/g, '');
  expect(classLabel).toMatch(/年级\d+班$/);
  const classUrl = new URL(teacher.url()).pathname;
  const term = await teacher.locator('form.activity-form input[name=term]').inputValue();

  // The school's coverage of that class before.
  const school = await browser.newPage();
  await signIn(school, 'demo-school');
  const before = await volunteerPerStudent(school, term, classLabel);

  // One activity for the whole class, 2 hours of service, with a photo.
  const form = teacher.locator('form.activity-form');
  await form.locator('select[name=category]').selectOption('志愿服务');
  await form.locator('input[name=date]').fill(today);
  await form.locator('input[name=hours]').fill('2');
  await form.locator('input[name=organiser]').fill('社区居委会');
  await form.locator('textarea[name=description]').fill('社区敬老院志愿服务');
  await form.locator('input[name=evidence]').setInputFiles({ name: '敬老院合影.jpg', mimeType: 'image/jpeg', buffer: PHOTO });
  await form.getByRole('button', { name: '记录并提交审核' }).click();
  await expect(teacher.getByRole('status')).toContainText(/已为 \d+ 名学生记录，等待班主任审核/);
  const recorded = Number((await teacher.getByRole('status').textContent())!.match(/已为 (\d+) 名/)![1]);
  expect(recorded).toBeGreaterThan(1);
  // The photo goes with every student's record.
  await expect(teacher.locator('a.evidence', { hasText: '敬老院合影.jpg' }).first()).toBeVisible();

  // The 班主任 approves them all (a teacher who is not the class's 班主任: the school does).
  const approver = (await teacher.getByRole('button', { name: /全部通过/ }).count()) > 0 ? teacher : school;
  if (approver === school) await school.goto(`${classUrl}?term=${term}`);
  await approver.getByRole('button', { name: /全部通过/ }).click();
  await expect(approver.getByRole('status')).toContainText('已通过');

  // A parent on a phone: their child's archive page, a 家务劳动 check-in for today.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const parent = await phone.newPage();
  await signIn(parent, 'demo-parent');
  await parent.getByRole('link', { name: '综合素质' }).first().click();
  await expect(parent.getByRole('heading', { level: 1 })).toContainText('综合素质档案');
  const entry = parent.locator('section[aria-label="家庭填报"] form');
  await expect(entry).toBeVisible();
  await entry.locator('select[name=category]').selectOption('家务劳动');
  await entry.locator('input[name=date]').fill(today);
  await entry.locator('input[name=hours]').fill('30');
  await entry.locator('textarea[name=description]').fill('周末帮家里大扫除');
  await entry.getByRole('button', { name: '提交给班主任审核' }).click();
  // 30 hours in a day: refused next to the field, as typed.
  await expect(parent.locator('section[aria-label="家庭填报"] .field-error')).toContainText('超过活动时间跨度');
  await expect(parent.locator('section[aria-label="家庭填报"] textarea[name=description]')).toHaveValue('周末帮家里大扫除');
  await parent.locator('section[aria-label="家庭填报"] input[name=hours]').fill('1');
  await parent.locator('section[aria-label="家庭填报"]').getByRole('button', { name: '提交给班主任审核' }).click();
  await expect(parent.getByRole('status')).toContainText('已提交，等待班主任审核');
  await expect(parent.locator('table tr', { hasText: '周末帮家里大扫除' })).toContainText('待审核');
  // Nothing wider than the phone.
  const overflow = await parent.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await phone.close();

  // The school's coverage: the class's volunteer hours per student grew by the 2 hours.
  const after = await volunteerPerStudent(school, term, classLabel);
  expect(after).toBeCloseTo(before + 2, 1);
});
