// Drives Debian's Chromium through the coordination cycle as three users in turn, checks the
// compilation page's totals, and saves a screenshot of each page under target/screenshots/.
// Usage: node cycle.mjs BASE_URL SCREENSHOT_DIR FIXTURE_DIR
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [base, shots, fixtures] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });
let passed = 0;
let failed = 0;

function check(name, ok, detail = '') {
  if (ok) {
    passed += 1;
    console.log(`ok - ${name}`);
  } else {
    failed += 1;
    console.log(`FAILED - ${name} ${detail}`);
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
let shot = 0;
async function snap(name) {
  shot += 1;
  await page.screenshot({ path: join(shots, `${String(shot).padStart(2, '0')}-${name}.png`), fullPage: true });
}
async function signIn(name) {
  await page.goto(`${base}/login`);
  await page.fill('#name', name);
  await page.fill('#password', `password-of-${name}`);
  await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);
  check(`${name} signs in and sees the home page`, (await page.textContent('h1')).includes('令和5年度'));
}
async function signOut() {
  await Promise.all([page.waitForURL(`${base}/login`), page.click('form[action="/logout"] button')]);
}
async function status() {
  return (await page.textContent('#package-status')).trim();
}
const pkg = `${base}/years/2023/packages/MEXT`;

try {
  // The ministry imports its filled template and submits.
  await signIn('mext');
  await snap('home-ministry');
  await page.goto(`${base}/years/2023/import`);
  await page.setInputFiles('#file', join(fixtures, 'mext-requests.csv'));
  await Promise.all([page.waitForLoadState('load'), page.click('#upload')]);
  const imported = await page.textContent('#import-result');
  check('the import reports three new lines', imported.includes('3') && imported.includes('新規 3'), imported);
  await snap('import');
  await page.goto(pkg);
  await Promise.all([page.waitForURL(pkg), page.click('#submit-package')]);
  check('the package is submitted', (await status()) === '提出済', await status());
  await snap('package-submitted');
  await signOut();

  // The Cabinet Office records the hearing and instructs a revision.
  await signIn('co');
  await snap('home-cabinet-office');
  await page.goto(pkg);
  await page.fill('#h-date', '2022-09-01');
  await page.fill('#h-place', '内閣府 会議室');
  await page.fill('#h-min', '要求内容の説明と質疑');
  await Promise.all([page.waitForURL(pkg), page.click('#record-hearing')]);
  check('the hearing is recorded', (await status()) === 'ヒアリング済', await status());
  await page.fill('#i-line', 'B-001');
  await page.fill('#i-text', '前年度並みに見直すこと');
  await page.fill('#i-target', '1000000000');
  await Promise.all([page.waitForURL(pkg), page.click('#issue-instruction')]);
  check('the revision is instructed', (await status()) === '見直し指示中', await status());
  await snap('package-instructed');
  await signOut();

  // The ministry revises the line, answers and reports.
  await signIn('mext');
  await page.goto(`${base}/years/2023/import`);
  await page.setInputFiles('#file', join(fixtures, 'mext-revised.csv'));
  await Promise.all([page.waitForLoadState('load'), page.click('#upload')]);
  const revised = await page.textContent('#import-result');
  check('the revised line is stored as a new version', revised.includes('更新 1'), revised);
  await page.goto(pkg);
  await page.fill('.instruction textarea', '前年度並みに修正しました');
  await Promise.all([page.waitForURL(pkg), page.click('.instruction button.answer')]);
  await Promise.all([page.waitForURL(pkg), page.click('#report-package')]);
  check('the ministry reports back', (await status()) === '対応報告済', await status());
  await snap('package-reported');
  await signOut();

  // The Cabinet Office consents.
  await signIn('co');
  await page.goto(pkg);
  await Promise.all([page.waitForURL(pkg), page.click('#consent-package')]);
  check('the Cabinet Office consents', (await status()) === '了解済', await status());
  await snap('package-consented');
  await signOut();

  // HQ compiles; the compilation's total is the revised request (1,800,000 千円 = 1,800 百万円).
  await signIn('hq');
  await snap('home-hq');
  await page.goto(`${base}/years/2023/compile`);
  await Promise.all([page.waitForURL(/snapshot=1/), page.click('#freeze')]);
  check('the compilation is frozen', (await page.textContent('#stage')).trim() === 'compiled');
  const total = await page.textContent('#total-request');
  check('the compilation total is the revised request', total.includes('1,800'), total);
  await snap('compilation');
  await page.goto(`${base}/audit`);
  check('the audit chain verifies', (await page.locator('#chain-ok').count()) === 1);
  await snap('audit');

  // HQ imports the illustrative evidence through the evidence page and sees the ranked candidates.
  const evidence = join(fixtures, '..', '..', '..', 'crates', 'service', 'demo-evidence');
  for (const t of ['rates', 'funding', 'mapping', 'publications', 'survey']) {
    await page.goto(`${base}/years/2023/evidence`);
    await page.selectOption('#evidence-import select[name=table]', t);
    await page.fill('#evidence-import input[name=source]', '例示 / illustrative');
    await page.fill('#evidence-import input[name=as_of]', '2023-03-31');
    await page.fill('#evidence-import input[name=licence]', 'browser test');
    await page.setInputFiles('#evidence-import input[name=file]', join(evidence, `${t}.csv`));
    await Promise.all([page.waitForURL(/evidence#evidence-sources/), page.click('#evidence-import button[type=submit]')]);
  }
  const ranked = await page.locator('#candidates-disease_area tbody tr').count();
  check('HQ imports the evidence through the page and sees the seven disease areas ranked', ranked === 7, String(ranked));
  const bars = await page.locator('figure.chart svg rect').count();
  check('the evidence charts are drawn', bars > 10, String(bars));
  await snap('evidence');
} catch (e) {
  failed += 1;
  console.log(`FAILED - ${e.stack || e}`);
  await snap('failure').catch(() => {});
} finally {
  await browser.close();
}
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
