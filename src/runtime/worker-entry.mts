/**
 * The worker thread's entry as an ES module file (.mjs once built): piscina first tries require()
 * on its file, and on a .js file under the permission model that attempt printed a warning ("To
 * load an ES module, set type: module") on every thread before falling back to import(). A .mjs
 * is refused by require() at once, without a word. The worker itself is worker.ts.
 */
export { default } from './worker.js';
