/**
 * The oracle values in tests/fixtures/oracles are copies of ../shared/oracles: when the shared folder
 * is beside the project, every copy must be byte-identical to its source (a changed oracle cannot be
 * missed); without it, this suite skips and says so, and the oracle tests still run on the copies.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeShared, SHARED } from './helpers.js';
import { ORACLES } from './oracles.js';

describeShared('oracle copies match ../shared/oracles', () => {
  const copies = readdirSync(ORACLES).filter((f) => f !== 'SOURCES.md');
  it('there are copies, and each is listed in SOURCES.md', () => {
    expect(copies.length).toBeGreaterThanOrEqual(10);
    const sources = readFileSync(join(ORACLES, 'SOURCES.md'), 'utf8');
    for (const f of copies) expect(sources, f).toContain(f);
  });
  for (const f of copies) {
    it(f, () => {
      expect(readFileSync(join(ORACLES, f)).equals(readFileSync(join(SHARED, '../oracles', f)))).toBe(true);
    });
  }
});
