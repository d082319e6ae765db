// Drives Debian's Chromium through the coordination cycle as three users in turn, checks the
// compilation page's totals, then visits every main page as each role. After every page load it
// runs axe-core (WCAG 2.1 A and AA, as JIS X 8341-3 requires): a serious or critical violation
// fails the test, moderate and minor ones are printed as notes. Saves a full-page screenshot of
// each step under SCREENSHOT_DIR, and the user guide's viewport screenshots (1280×800) under
// GUIDE_DIR when it is given.
// Usage: node cycle.mjs BASE_URL SCREENSHOT_DIR FIXTURE_DIR [GUIDE_DIR]
import { chromium } from 'playwright-core';
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BLOCKING, IMPACTS, axeResults, countByImpact } from './a11y.mjs';

const [base, shots, fixtures, guide] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });
// The numbered screenshots are this run's alone.
for (const f of readdirSync(shots)) if (/^\d\d-.*\.png$/.test(f)) rmSync(join(shots, f));
if (guide) mkdirSync(guide, { recursive: true });
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
// bypassCSP: the pages allow only script-src 'self', which would refuse the injected axe-core.
const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'ja-JP', bypassCSP: true });
const page = await context.newPage();
let who = 'anonymous';
let shot = 0;
async function snap(name) {
  shot += 1;
  await page.screenshot({ path: join(shots, `${String(shot).padStart(2, '0')}-${name}.png`), fullPage: true });
}
/** A screenshot for the user guide: the viewport only, written whole or not at all. */
async function guideShot(name) {
  if (!guide) return;
  const file = join(guide, name);
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, await page.screenshot({ type: 'png' }));
    renameSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }
}

// axe-core after every page load: one row per load for the summary, written to axe.json too.
const audits = [];
async function audit() {
  const url = page.url();
  const path = url.startsWith(base) ? url.slice(base.length) : url;
  const { violations, incomplete } = await axeResults(page);
  audits.push({ who, path, counts: countByImpact(violations), violations, incomplete });
  let blocking = 0;
  for (const v of violations) {
    const line = `axe ${v.id} (${v.impact}) on ${url} as ${who}: ${v.help} — ${v.targets.join(' | ')}`;
    if (BLOCKING.has(v.impact)) {
      blocking += 1;
      failed += 1;
      console.log(`FAILED - ${line}`);
    } else {
      console.log(`note - ${line}`);
    }
  }
  if (blocking === 0) check(`axe finds nothing serious on ${path} as ${who}`, true);
}
/** Goes to a path, checks the page loaded, audits it; returns the HTTP status. */
async function visit(path, expect = (s) => s < 400) {
  const response = await page.goto(`${base}${path}`);
  const status = response ? response.status() : 0;
  check(`${path} answers as ${who} (${status})`, expect(status), `status ${status}`);
  await page.waitForLoadState('load');
  await audit();
  return status;
}
/** Clicks what submits a form or follows a link, waits for the new page and audits it. */
async function follow(selector) {
  const navigated = page.waitForEvent('framenavigated', (f) => f === page.mainFrame());
  await page.click(selector);
  await navigated;
  await page.waitForLoadState('load');
  await audit();
}
async function signIn(name) {
  await page.goto(`${base}/login`);
  await audit();
  await page.fill('#name', name);
  await page.fill('#password', `password-of-${name}`);
  await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);
  who = name;
  await page.waitForLoadState('load');
  await audit();
  check(`${name} signs in and sees the home page`, (await page.textContent('h1')).includes('令和5年度'));
}
async function signOut() {
  // The error page has no header: sign out from the home page.
  if ((await page.locator('form[action="/logout"] button').count()) === 0) await visit('/');
  await Promise.all([page.waitForURL(`${base}/login`), page.click('form[action="/logout"] button')]);
  who = 'anonymous';
  await page.waitForLoadState('load');
  await audit();
}
async function status() {
  return (await page.textContent('#package-status')).trim();
}
const pkg = `${base}/years/2023/packages/MEXT`;

// The main pages each role visits after the cycle.
const PAGES = [
  '/', '/years/2023/compile', '/years/2023/compile/lines?by=ministry&key=MEXT', '/years/2023/charts',
  '/years/2023/check', '/years/2023/overlaps', '/years/2023/fund', '/years/2023/measures',
  '/years/2023/evidence', '/years/2023/policy', '/years/2023/import', '/audit', '/admin',
  '/years/2023/packages/MEXT/lines/B-001', '/years/2023/packages/MEXT',
  '/help', '/help/glossary', '/years/2023/opendata',
];
// Every page of the user guide, read before signing in.
const GUIDE = ['index', 'ministry', 'cabinet-office', 'hq', 'fiscal', 'amed-pd', 'administrator',
  'template', 'checks', 'fund', 'pdca', 'glossary', 'accessibility'];
// The guide's screenshots taken during the sweep, by user and path.
const GUIDE_SWEEP = {
  hq: { '/years/2023/check': 'check.png', '/years/2023/fund': 'fund.png',
    '/years/2023/measures': 'measures.png', '/years/2023/opendata': 'hq-opendata.png' },
  fiscal: { '/': 'fiscal-home.png' },
  amed: { '/': 'amed-home.png' },
  admin: { '/admin': 'admin.png' },
};
async function sweep(name) {
  if (who !== name) await signIn(name);
  if (name === 'hq') {
    // One page in English: the document's language follows the choice.
    await visit('/prefs?lang=en&back=/years/2023/compile');
    check('the English page says so (lang=en)', (await page.getAttribute('html', 'lang')) === 'en');
    await visit('/prefs?lang=ja&back=/');
  }
  for (const path of PAGES) {
    // A role may be refused a page (403 with the error page, audited too); nothing may fail.
    await visit(path, (s) => s === 200 || s === 403);
    const g = GUIDE_SWEEP[name]?.[path];
    if (g) await guideShot(g);
  }
  // The error page, for a line that does not exist.
  await visit('/years/2023/packages/MEXT/lines/NO-SUCH-LINE', (s) => s === 404);
  await signOut();
}

try {
  // The sign-in page, as anyone sees it first.
  await page.goto(`${base}/login`);
  await audit();
  await guideShot('login.png');
  // A wrong password: the error is announced and tied to both fields.
  await page.fill('#name', 'mext');
  await page.fill('#password', 'not-the-password');
  await follow('button[type=submit]');
  check('a failed sign-in is announced (role=alert) and tied to the fields',
    (await page.locator('#login-error[role=alert]').count()) === 1
      && (await page.getAttribute('#password', 'aria-describedby')) === 'login-error'
      && (await page.getAttribute('#name', 'aria-invalid')) === 'true');

  // The ministry imports its filled template and submits.
  await signIn('mext');
  await snap('home-ministry');
  await guideShot('ministry-home.png');
  // A file that is not the template: every problem listed, announced, and tied to the file field.
  const bad = join(tmpdir(), `haibun-not-a-template-${process.pid}.csv`);
  writeFileSync(bad, '様式,ではない\n1,2\n');
  await visit('/years/2023/import');
  await page.setInputFiles('#file', bad);
  await follow('#upload');
  rmSync(bad, { force: true });
  check('the problems of a file that is not the template are announced (role=alert) and tied to the file field',
    (await page.locator('#import-problems[role=alert] tbody tr').count()) > 0
      && (await page.getAttribute('#file', 'aria-describedby')) === 'import-problems');
  await visit('/years/2023/import');
  await page.setInputFiles('#file', join(fixtures, 'mext-requests.csv'));
  await follow('#upload');
  const imported = await page.textContent('#import-result');
  check('the import reports three new lines', imported.includes('3') && imported.includes('新規 3'), imported);
  await snap('import');
  await guideShot('ministry-import.png');
  // A wrong amount on the line's form: the error stands beside its field, tied to it.
  await visit('/years/2023/packages/MEXT/lines/B-001');
  await page.fill('#f-request', '一億円');
  await follow('#save-line');
  check('the error of a field is tied to it (aria-describedby, aria-invalid) and announced',
    ((await page.getAttribute('#f-request', 'aria-describedby')) || '').includes('e-request')
      && (await page.getAttribute('#f-request', 'aria-invalid')) === 'true'
      && (await page.locator('main [role=alert]').count()) > 0,
    String(await page.getAttribute('#f-request', 'aria-describedby')));
  await snap('line-error');
  await visit('/years/2023/packages/MEXT');
  await follow('#submit-package');
  check('the package is submitted', (await status()) === '提出済', await status());
  await snap('package-submitted');
  await guideShot('ministry-package-submitted.png');
  await signOut();

  // The Cabinet Office records the hearing and instructs a revision.
  await signIn('co');
  await snap('home-cabinet-office');
  await guideShot('co-home.png');
  await visit('/years/2023/packages/MEXT');
  await page.fill('#h-date', '2022-09-01');
  await page.fill('#h-place', '内閣府 会議室');
  await page.fill('#h-min', '要求内容の説明と質疑');
  await follow('#record-hearing');
  check('the hearing is recorded', (await status()) === 'ヒアリング済', await status());
  await page.fill('#i-line', 'B-001');
  await page.fill('#i-text', '前年度並みに見直すこと');
  await page.fill('#i-target', '1000000000');
  await follow('#issue-instruction');
  check('the revision is instructed', (await status()) === '見直し指示中', await status());
  await snap('package-instructed');
  await guideShot('co-package-instructed.png');
  await signOut();

  // The ministry revises the line, answers and reports.
  await signIn('mext');
  await visit('/years/2023/import');
  await page.setInputFiles('#file', join(fixtures, 'mext-revised.csv'));
  await follow('#upload');
  const revised = await page.textContent('#import-result');
  check('the revised line is stored as a new version', revised.includes('更新 1'), revised);
  await visit('/years/2023/packages/MEXT');
  await page.fill('.instruction textarea', '前年度並みに修正しました');
  await follow('.instruction button.answer');
  await follow('#report-package');
  check('the ministry reports back', (await status()) === '対応報告済', await status());
  await snap('package-reported');
  await guideShot('ministry-package-reported.png');
  await signOut();

  // The Cabinet Office consents.
  await signIn('co');
  await visit('/years/2023/packages/MEXT');
  await follow('#consent-package');
  check('the Cabinet Office consents', (await status()) === '了解済', await status());
  await snap('package-consented');
  await guideShot('co-package-consented.png');
  await signOut();

  // HQ compiles; the compilation's total is the revised request (1,800,000 千円 = 1,800 百万円).
  await signIn('hq');
  await snap('home-hq');
  await guideShot('hq-home.png');
  await visit('/years/2023/compile');
  await follow('#freeze');
  check('the compilation is frozen', page.url().includes('snapshot=1') && (await page.getAttribute('#stage', 'data-stage')) === 'compiled');
  const total = await page.textContent('#total-request');
  check('the compilation total is the revised request', total.includes('1,800'), total);
  await snap('compilation');
  await guideShot('hq-compilation.png');
  await visit('/audit');
  check('the audit chain verifies', (await page.locator('#chain-ok').count()) === 1);
  await snap('audit');
  await guideShot('hq-audit.png');

  // HQ imports the illustrative evidence through the evidence page and sees the ranked candidates.
  const evidence = join(fixtures, '..', '..', '..', 'crates', 'service', 'demo-evidence');
  for (const t of ['rates', 'funding', 'mapping', 'publications', 'survey']) {
    await visit('/years/2023/evidence');
    await page.selectOption('#evidence-import select[name=table]', t);
    await page.fill('#evidence-import input[name=source]', '例示 / illustrative');
    await page.fill('#evidence-import input[name=as_of]', '2023-03-31');
    await page.fill('#evidence-import input[name=licence]', 'browser test');
    await page.setInputFiles('#evidence-import input[name=file]', join(evidence, `${t}.csv`));
    await follow('#evidence-import button[type=submit]');
    check(`the ${t} evidence is imported`, page.url().includes('evidence#evidence-sources'), page.url());
  }
  const ranked = await page.locator('#candidates-disease_area tbody tr').count();
  check('HQ imports the evidence through the page and sees the seven disease areas ranked', ranked === 7, String(ranked));
  const bars = await page.locator('figure.chart svg rect').count();
  check('the evidence charts are drawn', bars > 10, String(bars));
  await snap('evidence');
  await page.evaluate(() => window.scrollTo(0, 0));
  await guideShot('hq-evidence.png');

  // Every main page as each role, with the data the cycle left.
  for (const name of ['hq', 'mext', 'co', 'fiscal', 'amed', 'admin']) await sweep(name);
  // The whole user guide, as anyone reads it before signing in: every page answers and passes.
  for (const g of GUIDE) {
    await visit(g === 'index' ? '/help' : `/help/${g}`, (s) => s === 200);
    const broken = await page.evaluate(() => [...document.images].filter((i) => !i.complete || i.naturalWidth === 0).map((i) => i.src));
    check(`/help/${g}: every screenshot loads`, broken.length === 0, broken.join(' '));
  }
} catch (e) {
  failed += 1;
  console.log(`FAILED - ${e.stack || e}`);
  await snap('failure').catch(() => {});
} finally {
  await browser.close();
}

// The axe summary: rules violated per page load, by impact.
writeFileSync(join(shots, 'axe.json'), JSON.stringify(audits, null, 1));
const totals = Object.fromEntries(IMPACTS.map((i) => [i, 0]));
console.log(`axe: ${audits.length} page loads (rules violated: ${IMPACTS.join('/')})`);
for (const a of audits) {
  for (const i of IMPACTS) totals[i] += a.counts[i];
  if (IMPACTS.some((i) => a.counts[i] > 0)) console.log(`  ${a.who} ${a.path} ${IMPACTS.map((i) => a.counts[i]).join('/')}`);
}
console.log(`axe totals: ${IMPACTS.map((i) => `${i} ${totals[i]}`).join(', ')}`);
// What axe leaves to a person, by rule: printed for the record, never failing.
const review = new Map();
for (const a of audits) {
  for (const v of a.incomplete) {
    const r = review.get(v.id) || { loads: new Set(), nodes: 0 };
    r.loads.add(a.path.split('#')[0]);
    r.nodes += v.targets.length;
    review.set(v.id, r);
  }
}
for (const [id, r] of review) console.log(`axe needs review: ${id}, ${r.nodes} nodes on ${[...r.loads].join(' ')}`);
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
