/**
 * What a strategy's `summary()` may return: plain data the report writes as JSON and the worker
 * thread sends back (numbers, NaN included, strings, booleans, null, arrays, objects of such, typed
 * arrays), at most {@link SUMMARY_MAX} characters and bytes in all. Checked where it is called, so
 * that anything else is the strategy's error, named (exit 3): before, a BigInt or a throwing
 * getter failed while the thread sent its result (a trace of "called process.exit()" with
 * "[object Object]"), a cycle failed in the report's JSON ("internal error" with a stack trace),
 * and a 300 MB string was written out whole (an attack's findings). The value is returned as it
 * is: nothing is copied or changed.
 */
/** Characters of strings and bytes of typed arrays a summary may hold in all. */
export const SUMMARY_MAX = 16 * 2 ** 20;

export function checkedSummary(x: unknown): unknown {
  const on = new Set<object>();
  let size = 0;
  const refuse = (path: string, why: string): never => {
    throw new TypeError(`summary() returned ${why} at ${path}: return plain data (numbers, strings, booleans, arrays and objects of them)`);
  };
  const walk = (v: unknown, path: string): void => {
    switch (typeof v) {
      case 'number':
      case 'boolean':
      case 'undefined':
        return;
      case 'string':
        size += v.length;
        if (size > SUMMARY_MAX) refuse(path, `more than ${SUMMARY_MAX} characters in all`);
        return;
      case 'bigint':
        return refuse(path, 'a BigInt');
      case 'function':
      case 'symbol':
        return refuse(path, `a ${typeof v}`);
    }
    if (v === null) return;
    const o = v as object;
    if (ArrayBuffer.isView(o)) {
      size += o.byteLength;
      if (size > SUMMARY_MAX) refuse(path, `more than ${SUMMARY_MAX} bytes in all`);
      return;
    }
    if (on.has(o)) refuse(path, 'a cycle (an object that holds itself)');
    on.add(o);
    let keys: string[];
    try {
      keys = Object.keys(o);
    } catch {
      return refuse(path, 'an object whose keys cannot be read');
    }
    for (const k of keys) {
      const d = Object.getOwnPropertyDescriptor(o, k);
      if (d === undefined) continue;
      if (d.get !== undefined || d.set !== undefined) refuse(`${path}.${k}`, 'a getter');
      walk(d.value, Array.isArray(o) ? `${path}[${k}]` : `${path}.${k}`);
    }
    on.delete(o);
  };
  try {
    walk(x, 'summary');
  } catch (e) {
    if (e instanceof TypeError && e.message.startsWith('summary() returned')) throw e;
    refuse('summary', 'a value that cannot be read');
  }
  return x;
}
