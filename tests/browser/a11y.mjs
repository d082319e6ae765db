// Accessibility checks shared by the browser tests: axe-core against WCAG 2.1 A and AA (the
// criteria JIS X 8341-3:2016 adopts), and whether the focused element shows a focus indicator.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** axe-core's browser bundle, injected into each page after it loads. */
export const AXE = require.resolve('axe-core/axe.min.js');
/** The WCAG 2.0 / 2.1 level A and AA rules. */
export const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
/** Violations with these impacts fail the test; the others are printed as notes. */
export const BLOCKING = new Set(['critical', 'serious']);
export const IMPACTS = ['critical', 'serious', 'moderate', 'minor'];

/**
 * Runs axe on the page as it is now and returns { violations, incomplete }, each as
 * [{ id, impact, help, targets: [selector, …] }]: what fails, and what axe could not decide and
 * leaves to a person (such as the contrast of text drawn in an SVG). The page's CSP
 * (script-src 'self') would refuse the injected script, so the browser context is made with
 * bypassCSP.
 */
export async function axeResults(page) {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async (tags) => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations', 'incomplete'],
    });
    const rows = (list) => list.map((v) => ({
      id: v.id,
      impact: v.impact || 'minor',
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
    return { violations: rows(r.violations), incomplete: rows(r.incomplete) };
  }, TAGS);
}

/** Counts of violated rules by impact. */
export function countByImpact(violations) {
  const counts = Object.fromEntries(IMPACTS.map((i) => [i, 0]));
  for (const v of violations) counts[v.impact] = (counts[v.impact] || 0) + 1;
  return counts;
}

/**
 * The focused element and whether it shows a focus indicator: a computed outline (style not
 * none, width above 0) or a box-shadow. Returns { tag, id, name, text, visible, outline, shadow }.
 */
export async function focusState(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) {
      return { tag: 'body', id: '', name: '', text: '', visible: false, outline: 'none', shadow: 'none' };
    }
    const s = getComputedStyle(el);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
    const shadow = s.boxShadow && s.boxShadow !== 'none';
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      name: el.getAttribute('name') || '',
      text: (el.textContent || el.value || '').trim().slice(0, 40),
      href: el.getAttribute('href') || '',
      visible: Boolean(outline || shadow),
      outline: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`,
      shadow: s.boxShadow,
    };
  });
}
