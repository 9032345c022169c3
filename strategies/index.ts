/** The strategies that ship with tickfold, by name. */
import type { StrategyModule } from '../src/strategy/types.js';
import basket from './basket.js';
import buyAndHold from './buy-and-hold.js';
import equalWeightMembers from './equal-weight-members.js';
import flat from './flat.js';
import linreg from './linreg.js';
import marketMaker from './market-maker.js';
import meanReversion from './mean-reversion.js';
import momentum from './momentum.js';
import pairs from './pairs.js';
import pcaStatArb from './pca-stat-arb.js';
import random from './random.js';
import randomLongShort from './random-long-short.js';

export const BUILTIN_STRATEGIES: ReadonlyMap<string, StrategyModule> = new Map([buyAndHold, flat, random, momentum, meanReversion, pairs, basket, linreg, marketMaker, pcaStatArb, equalWeightMembers, randomLongShort].map((m) => [m.name, m]));
