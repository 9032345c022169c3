/** mean-reversion: the opposite of momentum. */
import { signStrategy } from './momentum.js';

export default signStrategy('mean-reversion', -1, 'Short when the return over the last `lookback` steps is positive, long when negative.');
