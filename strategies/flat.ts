/** flat: never trades. Its PnL is zero: the floor every strategy must beat after costs. */
import { defineStrategy } from '../src/strategy/types.js';

export default defineStrategy({
  name: 'flat',
  description: 'Never trades.',
  params: {},
  create: () => ({}),
});
