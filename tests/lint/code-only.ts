/** The source with comments, strings and template text blanked (same length, so offsets hold). */
export function codeOnly(src: string): string {
  const out = src.split('');
  const blank = (a: number, b: number): void => {
    for (let k = a; k < b; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  /** Code from i to the '}' that closes a `${` (inTemplate) or to the end; returns the index after it. */
  const code = (i: number, inTemplate: boolean): number => {
    let depth = 0;
    while (i < src.length) {
      const c = src[i]!;
      if (c === '/' && src[i + 1] === '/') {
        const e = src.indexOf('\n', i);
        const end = e < 0 ? src.length : e;
        blank(i, end);
        i = end;
      } else if (c === '/' && src[i + 1] === '*') {
        const e = src.indexOf('*/', i + 2);
        const end = e < 0 ? src.length : e + 2;
        blank(i, end);
        i = end;
      } else if (c === "'" || c === '"') {
        let k = i + 1;
        while (k < src.length && src[k] !== c) k += src[k] === '\\' ? 2 : 1;
        blank(i + 1, k);
        i = k + 1;
      } else if (c === '/' && /[(,=:[!&|?{};]$/.test(src.slice(0, i).trimEnd().slice(-1) || ';')) {
        // a regular expression literal (after an operator or an opening bracket)
        let k = i + 1;
        let cls = false;
        while (k < src.length && src[k] !== '\n' && (cls || src[k] !== '/')) {
          if (src[k] === '\\') k++;
          else if (src[k] === '[') cls = true;
          else if (src[k] === ']') cls = false;
          k++;
        }
        blank(i + 1, k);
        i = k + 1;
      } else if (c === '`') i = template(i + 1);
      else if (c === '{') {
        depth++;
        i++;
      } else if (c === '}') {
        if (inTemplate && depth === 0) return i + 1;
        depth--;
        i++;
      } else i++;
    }
    return i;
  };
  /** Template text from i (after the backquote), its `${...}` kept as code; returns the index after the closing backquote. */
  const template = (i: number): number => {
    while (i < src.length && src[i] !== '`') {
      if (src[i] === '\\') {
        blank(i, i + 2);
        i += 2;
      } else if (src[i] === '$' && src[i + 1] === '{') i = code(i + 2, true);
      else {
        blank(i, i + 1);
        i++;
      }
    }
    return i + 1;
  };
  code(0, false);
  return out.join('');
}
