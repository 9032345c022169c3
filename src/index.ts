/** tickfold's public library surface. */
export { TickfoldError, DataError, UsageError } from './errors.js';
export type { DataErrorDetails } from './errors.js';
export * from './data/time.js';
export { TRADE, QUOTE, BAR, KIND_NAMES, resolveHeader, parseColumnMap } from './data/schema.js';
export type { TickKind, Field, ResolvedHeader } from './data/schema.js';
export type { TickTable } from './data/table.js';
export { sliceTime, sliceRows } from './data/table.js';
export { loadData, loadFile, expandPaths } from './data/load.js';
export type { LoadOptions, Loaded, FileSummary, LeftOut } from './data/load.js';
export type { FileSymbol } from './data/file-symbols.js';
export { inspectData } from './data/inspect.js';
export { generatePair, DEFAULT_PAIR } from './data/generate.js';
export type { PairOptions } from './data/generate.js';
export { DEFAULT_EXECUTION, describeExecution, executionOf, makeExecution } from './broker/settings.js';
export type { ExecutionSettings, ShortSettings, SymbolRules } from './broker/settings.js';
export { MODELS } from './broker/models/index.js';
export type { ExecModel } from './broker/model.js';
export { runBacktest, StrategyError } from './engine/engine.js';
export type { BacktestSettings, RunConfig, RunRecord, FillRecord, OrderRecord } from './engine/engine.js';
// the jobs: the same use cases the command line runs, with typed settings
export { DEFAULTS, runSettings } from './jobs/settings.js';
export type { RunSettings } from './jobs/settings.js';
export { runJob, runOnTable } from './jobs/run.js';
export type { RunSpec, RunOutcome } from './jobs/run.js';
export type { RoundTrip } from './portfolio/portfolio.js';
export * from './strategy/types.js';
// a factor module file of `tickfold factor --factor ./f.ts` (README, 'tickfold factor')
export { defineFactor } from './factor/factors.js';
export type { FactorModule } from './factor/factors.js';
export type { BarMatrix } from './panel/bar-matrix.js';
export { resolveParams } from './strategy/params.js';
export { ParamError, symbolNotInData } from './strategy/param-error.js';
export { computeMetrics } from './metrics/run-metrics.js';
export type { RunMetrics } from './metrics/run-metrics.js';
export * from './metrics/returns.js';
export * from './metrics/sharpe-inference.js';
export { hitRate } from './metrics/hit-rate.js';
export type { HitRate } from './metrics/hit-rate.js';
export { normalCdf, normalQuantile, normalPdf, erfc } from './stats/normal.js';
export { binomialUpperTail, binomialTestGreater, wilsonInterval } from './stats/binomial.js';
// validation: walk-forward and comparison against the naive baselines, as library calls
export { walkForward, walkForwardReport } from './jobs/walk-forward.js';
export type { WalkForwardOptions, CandidateSpec } from './jobs/walk-forward.js';
export type { SearchOptions, SpaceDimension } from './search/spec.js';
export { validationOptions } from './jobs/validate.js';
export type { ValidationOptions } from './jobs/validate.js';
export { NAIVE_BASELINES, OBJECTIVES, verdictOf } from './validation/validate.js';
export type { ValidationOutcome, StrategyOutcome, Overfitting, BaselineEdge, Objective, VerdictClass } from './validation/validate.js';
export { planFolds } from './validation/folds.js';
export type { Fold, FoldPlan, FoldOptions } from './validation/folds.js';
export { planCpcv } from './validation/cpcv.js';
export { dataSnooping } from './validation/snooping.js';
export type { Snooping } from './validation/snooping.js';
export { searchSpa } from './search/trials-spa.js';
export type { SearchSpa } from './search/trials-spa.js';
// overfitting and data-snooping statistics
export { probabilityOfBacktestOverfitting } from './stats/pbo.js';
export type { PboResult } from './stats/pbo.js';
export { spaTest, stepM, lossDifferentials } from './stats/spa.js';
export { mcs as modelConfidenceSet } from './stats/mcs.js';
export { bootstrapIndices } from './stats/resample.js';
// econometrics: OLS, ADF, Engle-Granger, Johansen, Kalman regression, lead-lag
export { ols, RollingOls } from './stats/ols.js';
export { adf, engleGranger, halfLife } from './stats/adf.js';
export { johansen } from './stats/johansen.js';
export type { JohansenResult, DetOrder } from './stats/johansen.js';
export { KalmanRegression } from './stats/kalman.js';
export { crossCorrelation } from './stats/cross-correlation.js';
export { hayashiYoshida } from './stats/hayashi-yoshida.js';
export { cointegration, johansenReport, scanPairs } from './analysis/cointegration.js';
export type { CointReport, JohansenReport } from './analysis/cointegration.js';
export { leadLag } from './analysis/leadlag.js';
export type { LeadLagReport } from './analysis/leadlag.js';
// the tearsheet
export { tearsheet, drawdownEpisodes } from './metrics/tearsheet.js';
export type { Tearsheet, DrawdownEpisode } from './metrics/tearsheet.js';
export { runTearsheet } from './metrics/run-tearsheet.js';
export type { RunTearsheet } from './metrics/run-tearsheet.js';

import { loadStrategy as loadStrategyFrom } from './strategy/load.js';
import type { StrategyModule } from './strategy/types.js';
/**
 * A strategy by name (a built-in: `buy-and-hold`, `pairs`, ...; see `tickfold/strategies`) or a
 * module file (`./my-strategy.ts`, `.mjs`, `.js`) whose default export is a {@link StrategyModule}.
 * `builtins` defaults to the strategies that ship with tickfold (loaded when first needed).
 */
export async function loadStrategy(spec: string, builtins?: ReadonlyMap<string, StrategyModule>): Promise<StrategyModule> {
  return loadStrategyFrom(spec, builtins ?? (await import('../strategies/index.js')).BUILTIN_STRATEGIES);
}
