/** The fabric contract: the only module protocols may import (with crypto/). */
export * from './types.js';
export * from './errors.js';
export * from './fabric.js';
export * from './bytes.js';
export * from './permissions.js';
export * from './address.js';
export * from './quorum.js';
export * from './inbox.js';
export * from './historyRecorder.js';
