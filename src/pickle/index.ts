/** Static pickle inspection: never unpickles, never executes. */
export * from './walker.js';
export * from './zip.js';
export * from './scan.js';
export * from './policy.js';
