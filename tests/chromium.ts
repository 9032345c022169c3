/**
 * Debian's Chromium for the browser tests (puppeteer-core drives it; .ci/run installs it when
 * missing): where it is, a `describe` that skips with the reason when it is not, and its launch.
 */
import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';
import { describe } from 'vitest';

export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));

export const describeBrowser: typeof describe = CHROMIUM ? describe : (((name: string, fn: () => void) => describe.skip(`${name} [skipped: no chromium here; apt-get install chromium (.ci/run does)]`, fn)) as typeof describe);

/**
 * Chromium started with no wall-clock bounds of puppeteer's own (30 s to start, 180 s a protocol
 * call): on a machine whose cores are busy either may pass without anything being wrong; the
 * test's own bound (vitest.config.ts) catches a hang.
 */
export const launchChromium = (): Promise<Browser> => puppeteer.launch({ executablePath: CHROMIUM!, headless: true, timeout: 0, protocolTimeout: 0, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
