// The keyboard-only walk: a ministry imports its requests and submits them, the Cabinet Office
// records the hearing and consents, all with page.keyboard alone (Tab, Shift+Tab, Enter, Space and
// typing; no clicks, no fills). Each control is reached by pressing Tab until it has focus, and
// every element that takes focus on the way must show a focus indicator (WCAG 2.1.1, 2.4.3, 2.4.7).
// The one exception is the file chooser: a keyboard user opens the system's dialog with Enter or
// Space, which Playwright cannot drive, so the file is set on the focused input instead.
// Usage: node keyboard.mjs BASE_URL FIXTURE_DIR
import { chromium } from 'playwright-core';
import { join } from 'node:path';
import { focusState } from './a11y.mjs';

const [base, fixtures] = process.argv.slice(2);
let passed = 0;
let failed = 0;
function check(name, ok, detail = '') {
  if (ok) {
    passed += 1;
    console.log(`ok - keyboard: ${name}`);
  } else {
    failed += 1;
    console.log(`FAILED - keyboard: ${name} ${detail}`);
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'ja-JP' })).newPage();
const kb = page.keyboard;

// Every element that took focus without a visible indicator, once each.
const unringed = new Map();
let presses = 0;
function describe(f) {
  return `<${f.tag}${f.id ? `#${f.id}` : ''}${f.name ? ` name=${f.name}` : ''}${f.href ? ` href=${f.href}` : ''}> "${f.text}"`;
}
/** Presses Tab (or Shift+Tab) until the focused element matches `selector`, at most `max` times. */
async function tabTo(selector, { back = false, max = 120 } = {}) {
  for (let i = 0; i < max; i += 1) {
    await kb.press(back ? 'Shift+Tab' : 'Tab');
    presses += 1;
    const f = await focusState(page);
    if (f.tag !== 'body' && !f.visible) unringed.set(describe(f), `${page.url()} (outline ${f.outline}, box-shadow ${f.shadow})`);
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return f;
  }
  throw new Error(`${selector} was not reached in ${max} presses of ${back ? 'Shift+Tab' : 'Tab'} on ${page.url()}`);
}
/** Presses a key that follows a link or submits a form, and waits for the page it leads to. */
async function pressAndLoad(key) {
  const navigated = page.waitForEvent('framenavigated', (fr) => fr === page.mainFrame());
  await kb.press(key);
  await navigated;
  await page.waitForLoadState('load');
}
async function status() {
  return (await page.textContent('#package-status')).trim();
}
// The order of a date input's fields follows the browser's own locale (mm/dd/yyyy in an en-US
// Chromium, yyyy/mm/dd in a Japanese one): learnt once on a blank page, by typing into one.
async function dateOrder() {
  await page.setContent('<input id="before"><input id="d" type="date">');
  for (const order of ['MDY', 'YMD', 'DMY']) {
    await page.setContent('<input id="before"><input id="d" type="date">');
    await page.focus('#before');
    await kb.press('Tab');
    await kb.type(order.split('').map((p) => ({ Y: '2001', M: '02', D: '03' })[p]).join(''));
    if ((await page.inputValue('#d')) === '2001-02-03') return order;
  }
  throw new Error('the date input takes none of MDY, YMD, DMY');
}
function dateKeys(order, iso) {
  const [Y, M, D] = iso.split('-');
  return order.split('').map((p) => ({ Y, M, D })[p]).join('');
}

async function signIn(name) {
  await page.goto(`${base}/login`);
  // The first Tab reaches the skip link, shown on screen; Enter on it moves on to the main content.
  const skip = await tabTo('a.skip-link', { max: 1 });
  const box = await page.locator('a.skip-link').boundingBox();
  check(`the skip link is the first stop and shows when focused (${skip.text})`, box && box.y >= 0 && box.height > 0, JSON.stringify(box));
  await kb.press('Enter');
  await tabTo('#name', { max: 1 });
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
  check('after the skip link, the next Tab is the sign-in form', focused === 'name', String(focused));
  await kb.type(name);
  await tabTo('#password', { max: 1 });
  // Shift+Tab goes back the same way: to the name, then Tab returns to the password.
  await tabTo('#name', { back: true, max: 1 });
  await tabTo('#password', { max: 1 });
  await kb.type(`password-of-${name}`);
  await pressAndLoad('Enter');
  check(`${name} signs in with the keyboard`, page.url() === `${base}/`, page.url());
}
async function signOut() {
  await tabTo('form[action="/logout"] button');
  await pressAndLoad('Space');
  check('signs out with the keyboard', page.url() === `${base}/login`, page.url());
}
async function openPackage() {
  await tabTo('a[href="/years/2023/packages/MEXT"]');
  await pressAndLoad('Enter');
  check('opens the package from the home page', page.url() === `${base}/years/2023/packages/MEXT`, page.url());
}

try {
  const order = await dateOrder();

  // The ministry: import through the menu, then submit.
  await signIn('mext');
  await tabTo('nav.main a[href="/years/2023/import"]');
  await pressAndLoad('Enter');
  await tabTo('#ministry');
  await tabTo('#file', { max: 3 });
  await page.locator('#file:focus').setInputFiles(join(fixtures, 'mext-requests.csv'));
  await tabTo('#upload', { max: 3 });
  await pressAndLoad('Enter');
  const imported = (await page.textContent('#import-result')) || '';
  check('the import reports three new lines', imported.includes('新規 3'), imported);
  await tabTo('nav.main a[href="/"]');
  await pressAndLoad('Enter');
  await openPackage();
  await tabTo('#submit-package');
  await pressAndLoad('Space');
  check('the package is submitted', (await status()) === '提出済', await status());
  await signOut();

  // The Cabinet Office: the hearing (its date is all it requires), then consent.
  await signIn('co');
  await openPackage();
  await tabTo('#h-date');
  await kb.type(dateKeys(order, '2022-09-01'));
  check('the hearing date is typed', (await page.inputValue('#h-date')) === '2022-09-01', await page.inputValue('#h-date'));
  await tabTo('#h-place');
  await kb.type('内閣府 会議室');
  await tabTo('#record-hearing');
  await pressAndLoad('Enter');
  check('the hearing is recorded', (await status()) === 'ヒアリング済', await status());
  await tabTo('#consent-package');
  await pressAndLoad('Enter');
  check('the Cabinet Office consents', (await status()) === '了解済', await status());
  await signOut();
} catch (e) {
  failed += 1;
  console.log(`FAILED - keyboard: ${e.stack || e}`);
} finally {
  await browser.close();
}
for (const [el, where] of unringed) {
  failed += 1;
  console.log(`FAILED - keyboard: no visible focus indicator on ${el} at ${where}`);
}
check(`every focused element showed a focus indicator (${presses} key presses)`, unringed.size === 0);
console.log(`keyboard: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
