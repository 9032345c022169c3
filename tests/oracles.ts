import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadData } from '../src/data/load.js';

/** Copies of the oracle files the tests need (tests/fixtures/oracles/SOURCES.md); tests/oracles-copy.test.ts checks them against ../shared/oracles when it is there. */
export const ORACLES = resolve(import.meta.dirname, 'fixtures/oracles');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const oracle = (name: string): any => JSON.parse(readFileSync(join(ORACLES, name), 'utf8'));

/** Closes of the bundled EuStockMarkets file, per symbol, in time order. */
export async function euCloses(): Promise<Record<string, number[]>> {
  const { table } = await loadData([resolve(import.meta.dirname, '../data/eustockmarkets_daily_1991_1998.csv')], { cache: false });
  const out: Record<string, number[]> = {};
  for (let i = 0; i < table.length; i++) (out[table.symbols[table.sym[i]!]!] ??= []).push(table.f3[i]!);
  return out;
}

/** |a − b| <= rel · |b| (or abs when b is 0). */
export const closeRel = (a: number, b: number, rel: number): boolean => Math.abs(a - b) <= rel * Math.max(Math.abs(b), 1e-300);
