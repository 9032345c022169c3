/**
 * Where in a user's own file an error was thrown, from the stack of code loaded as a bundle
 * (bundle.ts: one text, imported from a data: URL, its source map inline): the first frame in the
 * bundle, mapped back through the map to `/abs/my-factor.ts:12:9`. Node maps no stack of a
 * data: URL module itself (measured on Node 20.20), so this reads the map with node:module's
 * SourceMap. Undefined when the stack has no frame in the bundle or the code has no map.
 */
import { SourceMap } from 'node:module';
import { dirname, resolve } from 'node:path';

const FRAME = /data:text\/javascript;base64,[A-Za-z0-9+/=]+:(\d+):(\d+)/;
const MAP = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/;

export function sourceLine(e: unknown, code: string, file: string): string | undefined {
  const stack = (e as { stack?: unknown } | null)?.stack;
  if (typeof stack !== 'string') return undefined;
  const frame = FRAME.exec(stack);
  const map = MAP.exec(code);
  if (!frame || !map) return undefined;
  const entry = new SourceMap(JSON.parse(Buffer.from(map[1]!, 'base64').toString('utf8'))).findEntry(Number(frame[1]) - 1, Number(frame[2]) - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
  if (entry.originalSource === undefined || entry.originalLine === undefined) return undefined;
  return `${resolve(dirname(file), entry.originalSource)}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`;
}
