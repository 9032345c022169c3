/**
 * MacKinnon's response surfaces for unit-root and cointegration tests: approximate p-values from
 * MacKinnon (1994, JBES 12(2), Tables 4 and 5: the tau statistic) and finite-sample critical
 * values from MacKinnon (2010, Queen's WP 1227). The coefficients are the papers' published
 * numbers; statsmodels' `mackinnonp` and `mackinnoncrit` use the same ones, which is what the
 * reference values were computed with. N is the number of I(1) series (1 for ADF, 2 for a pair).
 */
import { normalCdf } from './normal.js';

export type Deterministic = 'n' | 'c' | 'ct';

// per regression type, index N − 1 (N = 1..6)
const TAU_STAR: Record<Deterministic, number[]> = {
  n: [-1.04, -1.53, -2.68, -3.09, -3.07, -3.77],
  c: [-1.61, -2.62, -3.13, -3.47, -3.78, -3.93],
  ct: [-2.89, -3.19, -3.5, -3.65, -3.8, -4.36],
};
const TAU_MIN: Record<Deterministic, number[]> = {
  n: [-19.04, -19.62, -21.21, -23.25, -21.63, -25.74],
  c: [-18.83, -18.86, -23.48, -28.07, -25.96, -23.27],
  ct: [-16.18, -21.15, -25.37, -26.63, -26.53, -26.18],
};
const TAU_MAX: Record<Deterministic, number[]> = {
  n: [Infinity, 1.51, 0.86, 0.88, 1.05, 1.24],
  c: [2.74, 0.92, 0.55, 0.61, 0.79, 1],
  ct: [0.7, 0.63, 0.71, 0.93, 1.19, 1.42],
};
// small-p surface: p = Φ(g0 + g1 τ + g2 τ²), g2 scaled by 1e-2
const SMALL_P: Record<Deterministic, number[][]> = {
  n: [
    [0.6344, 1.2378, 3.2496],
    [1.9129, 1.3857, 3.5322],
    [2.7648, 1.4502, 3.4186],
    [3.4336, 1.4835, 3.19],
    [4.0999, 1.5533, 3.59],
    [4.5388, 1.5344, 2.9807],
  ],
  c: [
    [2.1659, 1.4412, 3.8269],
    [2.92, 1.5012, 3.9796],
    [3.4699, 1.4856, 3.164],
    [3.9673, 1.4777, 2.6315],
    [4.5509, 1.5338, 2.9545],
    [5.1399, 1.6036, 3.4445],
  ],
  ct: [
    [3.2512, 1.6047, 4.9588],
    [3.6646, 1.5419, 3.6448],
    [4.0983, 1.5173, 2.9898],
    [4.5844, 1.5338, 2.8796],
    [5.0722, 1.5634, 2.9472],
    [5.53, 1.5914, 3.0392],
  ],
};
const SMALL_SCALE = [1, 1, 1e-2];
// large-p surface: p = Φ(g0 + g1 τ + g2 τ² + g3 τ³), scaled by (1, 1e-1, 1e-1, 1e-2)
const LARGE_P: Record<Deterministic, number[][]> = {
  n: [
    [0.4797, 9.3557, -0.6999, 3.3066],
    [1.5578, 8.558, -2.083, -3.3549],
    [2.2268, 6.8093, -3.2362, -5.4448],
    [2.7654, 6.4502, -3.0811, -4.4946],
    [3.2684, 6.8051, -2.6778, -3.4972],
    [3.7268, 7.167, -2.3648, -2.8288],
  ],
  c: [
    [1.7339, 9.3202, -1.2745, -1.0368],
    [2.1945, 6.4695, -2.9198, -4.2377],
    [2.5893, 4.5168, -3.6529, -5.0074],
    [3.0387, 4.5452, -3.3666, -4.1921],
    [3.5049, 5.2098, -2.9158, -3.3468],
    [3.9489, 5.8933, -2.5359, -2.721],
  ],
  ct: [
    [2.5261, 6.1654, -3.7956, -6.0285],
    [2.85, 5.272, -3.6622, -5.1695],
    [3.221, 5.255, -3.2685, -4.1501],
    [3.652, 5.9758, -2.7483, -3.2081],
    [4.0712, 6.6428, -2.3464, -2.546],
    [4.4735, 7.1757, -2.0681, -2.1196],
  ],
};
const LARGE_SCALE = [1, 1e-1, 1e-1, 1e-2];

/** Approximate p-value of a tau (ADF t) statistic, MacKinnon (1994). */
export function mackinnonP(stat: number, regression: Deterministic, n = 1): number {
  if (!(n >= 1 && n <= 6)) throw new RangeError('MacKinnon p-values are tabulated for N = 1..6');
  if (Number.isNaN(stat)) return NaN;
  if (stat > TAU_MAX[regression][n - 1]!) return 1;
  if (stat < TAU_MIN[regression][n - 1]!) return 0;
  const small = stat <= TAU_STAR[regression][n - 1]!;
  const g = (small ? SMALL_P : LARGE_P)[regression][n - 1]!;
  const scale = small ? SMALL_SCALE : LARGE_SCALE;
  let z = 0;
  for (let i = g.length - 1; i >= 0; i--) z = z * stat + g[i]! * scale[i]!;
  return normalCdf(z);
}

// MacKinnon (2010): critical value = b∞ + b1/T + b2/T² + b3/T³ at 1%, 5%, 10%
const CRIT_2010: Record<Deterministic, number[][][]> = {
  n: [
    [
      [-2.56574, -2.2358, -3.627, 0],
      [-1.941, -0.2686, -3.365, 31.223],
      [-1.61682, 0.2656, -2.714, 25.364],
    ],
  ],
  c: [
    [
      [-3.43035, -6.5393, -16.786, -79.433],
      [-2.86154, -2.8903, -4.234, -40.04],
      [-2.56677, -1.5384, -2.809, 0],
    ],
    [
      [-3.89644, -10.9519, -33.527, 0],
      [-3.33613, -6.1101, -6.823, 0],
      [-3.04445, -4.2412, -2.72, 0],
    ],
    [
      [-4.29374, -14.4354, -33.195, 47.433],
      [-3.74066, -8.5632, -10.852, 27.982],
      [-3.45218, -6.2143, -3.718, 0],
    ],
    [
      [-4.64332, -18.1031, -37.972, 0],
      [-4.096, -11.2349, -11.175, 0],
      [-3.8102, -8.3931, -4.137, 0],
    ],
    [
      [-4.95756, -21.8883, -45.142, 0],
      [-4.41519, -14.0405, -12.575, 0],
      [-4.13157, -10.7417, -3.784, 0],
    ],
    [
      [-5.24568, -25.6688, -57.737, 88.639],
      [-4.70693, -16.9178, -17.492, 60.007],
      [-4.42501, -13.1875, -5.104, 27.877],
    ],
  ],
  ct: [
    [
      [-3.95877, -9.0531, -28.428, -134.155],
      [-3.41049, -4.3904, -9.036, -45.374],
      [-3.12705, -2.5856, -3.925, -22.38],
    ],
    [
      [-4.32762, -15.4387, -35.679, 0],
      [-3.78057, -9.5106, -12.074, 0],
      [-3.49631, -7.0815, -7.538, 21.892],
    ],
    [
      [-4.66305, -18.7688, -49.793, 104.244],
      [-4.1189, -11.8922, -19.031, 77.332],
      [-3.83511, -9.0723, -8.504, 35.403],
    ],
    [
      [-4.9694, -22.4694, -52.599, 51.314],
      [-4.42871, -14.5876, -18.228, 39.647],
      [-4.14633, -11.25, -9.873, 54.109],
    ],
    [
      [-5.25276, -26.2183, -59.631, 50.646],
      [-4.71537, -17.3569, -22.66, 91.359],
      [-4.43422, -13.6078, -10.238, 76.781],
    ],
    [
      [-5.51727, -29.976, -75.222, 202.253],
      [-4.98228, -20.305, -25.224, 132.03],
      [-4.70233, -16.1253, -9.836, 94.272],
    ],
  ],
};

export interface CriticalValues {
  readonly '1%': number;
  readonly '5%': number;
  readonly '10%': number;
}

/** Finite-sample critical values for T observations, MacKinnon (2010). */
export function mackinnonCrit(regression: Deterministic, n: number, nobs: number): CriticalValues {
  const table = CRIT_2010[regression][n - 1];
  if (!table) throw new RangeError(`MacKinnon critical values for '${regression}' are tabulated for N = 1..${CRIT_2010[regression].length}`);
  const at = (b: number[]): number => b[0]! + b[1]! / nobs + b[2]! / nobs ** 2 + b[3]! / nobs ** 3;
  return { '1%': at(table[0]!), '5%': at(table[1]!), '10%': at(table[2]!) };
}
