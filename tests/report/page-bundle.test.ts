/**
 * The report's page script is src/report/browser/page.ts; the report inlines its bundle from
 * src/report/browser/page.generated.ts. The committed bundle must be what the source bundles to.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { bundlePage, TARGET } from '../../scripts/bundle-page.mjs';

describe('the page script bundle', () => {
  it('is up to date with src/report/browser/page.ts (else: node scripts/bundle-page.mjs)', () => {
    expect(readFileSync(TARGET as string, 'utf8') === (bundlePage as () => string)(), 'page.generated.ts is stale: run node scripts/bundle-page.mjs').toBe(true);
  });
  it('is one script that closes no <script> element', () => {
    const text = (bundlePage as () => string)();
    expect(text).not.toMatch(/<\/script/i);
    expect(text).toContain('document.body.dataset.rendered');
  });
});
