/**
 * A factor module file's values, on the worker thread that runs it (runtime/task-run.ts): the
 * module loaded from its bundle (the sandbox's, made on the main thread: strategy/bundle.ts), its
 * shape checked, its `--param`s checked against its schema, the matrix computed (factor/matrix.ts).
 * Its faults become errors naming the file: a throw with the line of the user's file it came from
 * (exit 3, as a strategy's), a refusal of the sandbox (exit 3), a broken rule of the output or a
 * parameter refused (exit 2).
 */
import { TickfoldError } from '../errors.js';
import { importModuleCode } from '../strategy/load.js';
import { deniedText, SandboxError } from '../strategy/denied.js';
import { sourceLine } from '../strategy/source-line.js';
import { resolveParams } from '../strategy/params.js';
import type { BarMatrix } from '../panel/bar-matrix.js';
import type { Params } from '../strategy/types.js';
import type { FactorModule } from './factors.js';
import { FactorThrew, factorMatrix } from './matrix.js';
import { checkFactorModule } from './module.js';

/**
 * A factor module file's values over the closes (below): loaded, its parameters
 * checked against its schema, rows firstRow..lastRow computed. The closes' values travel once,
 * moved (a copy of the main thread's, which the report keeps reading), and the matrix comes back moved.
 */
export interface FactorTask {
  readonly kind: 'factor';
  /** The module file, as given (its bundle is the sandbox's, by this key). */
  readonly factor: string;
  /** `--param` as given (key -> text), checked on the thread against the module's schema. */
  readonly params: Readonly<Record<string, string>>;
  readonly close: BarMatrix;
  readonly firstRow: number;
  readonly lastRow: number;
}

export interface FactorResult {
  readonly kind: 'factor';
  readonly name: string;
  readonly label: string;
  readonly params: Params;
  /** rows × cols of the closes (unchecked: the main thread checks what crossed, factor/matrix.ts). */
  readonly values: Float64Array;
}

const loaded = new Map<string, Promise<FactorModule>>();

export async function computeFactorTask(task: FactorTask, code: string | undefined): Promise<FactorResult> {
  const spec = task.factor;
  if (code === undefined) throw new TickfoldError('no-module', `factor ${spec}: its module was not bundled for this thread (a factor module runs only in the sandbox)`, 3);
  let m = loaded.get(spec);
  if (!m) loaded.set(spec, (m = importModuleCode(spec, code, 'factor', 'compute').then((x) => checkFactorModule(x.value, spec, x.exports))));
  const mod = await m;
  const params = resolveParams(mod.name, mod.params, task.params, `factor ${spec}`);
  const fault = (where: string, e: unknown): TickfoldError => {
    const denied = deniedText(e, 'factor');
    if (denied !== undefined) return new SandboxError(`factor ${spec} ${denied} (in ${where})`);
    if (e instanceof TickfoldError) return e;
    const at = sourceLine(e, code, spec);
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return new TickfoldError('factor-error', `factor ${spec} threw ${msg} in ${where}${at ? ` at ${at}` : ''}`, 3);
  };
  let label: string;
  try {
    label = mod.label(params);
  } catch (e) {
    throw fault('label()', e);
  }
  if (typeof label !== 'string' || label === '')
    throw new TickfoldError('usage', `factor ${spec}: label(params) returned ${typeof label === 'string' ? 'an empty string' : `a ${typeof label}`}; it must return the factor's name with its parameters, e.g. \`${mod.name}_\${p.lookback}\``, 2);
  let values: Float64Array;
  try {
    values = factorMatrix(task.close, mod, params, task.firstRow, task.lastRow, spec);
  } catch (e) {
    if (e instanceof FactorThrew) throw fault(`compute() at ${e.session}`, e.thrown);
    throw fault('compute()', e);
  }
  return { kind: 'factor', name: mod.name, label, params, values };
}
