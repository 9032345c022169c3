/** The parse worker thread's entry as an ES module file (see runtime/worker-entry.mts for why .mjs); the work is parse-chunk.ts. */
export { default } from './parse-chunk.js';
