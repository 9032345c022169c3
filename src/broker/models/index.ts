/**
 * Every execution model, by slot: the one list a new model is added to (its file, its test).
 * The first model of each slot is the default.
 */
import type { ExecModel, Family } from '../model.js';
import { feesSchedule } from './fees-schedule.js';
import { fillStandard } from './fill-standard.js';
import { financingBorrow } from './financing-borrow.js';
import { latencyConstant } from './latency-constant.js';
import { latencyFile } from './latency-file.js';
import { queueProbabilistic } from './queue-probabilistic.js';
import { queueRiskAverse } from './queue-risk-averse.js';
import { queueThrough } from './queue-through.js';
import { queueTouch } from './queue-touch.js';
import { slippageFixed } from './slippage-fixed.js';
import { slippageSqrtImpact } from './slippage-sqrt-impact.js';
import { slippageVolumeShare } from './slippage-volume-share.js';

export const MODELS: Readonly<Record<Family, readonly ExecModel<unknown>[]>> = {
  latency: [latencyConstant, latencyFile],
  fill: [fillStandard],
  queue: [queueThrough, queueTouch, queueRiskAverse, queueProbabilistic],
  slippage: [slippageFixed, slippageVolumeShare, slippageSqrtImpact],
  fees: [feesSchedule],
  financing: [financingBorrow],
};

/** The model `name` of slot `family`, or a usage error naming the models there are ("did you mean"). */
export function modelOf(family: Family, name: string): ExecModel<unknown> | undefined {
  return MODELS[family].find((m) => m.name === name);
}
