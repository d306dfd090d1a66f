/** Signatures (Ed25519 via node:crypto) with counters, bound to process identities and statements. */
export * from './keys.js';
export * from './statement.js';
export * from './signer.js';
export * from './costs.js';
