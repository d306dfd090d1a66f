import assert from 'node:assert/strict';
import type { BftMutant } from '../protocols/byzantine/bft/mutants.js';
import { runBftScript, type BftScript, type BftScriptResult } from './bftScript.js';

/**
 * The shape of every scripted mutant test (bftMutants*.test.ts): the same
 * §6 schedule on correct code and on the mutant. No process may throw in
 * either, and correct code must stay safe under the schedule; what the
 * mutant violates is the caller's to assert.
 */
export async function correctAndMutant(mutant: BftMutant, script: Omit<BftScript, 'mutant'>): Promise<{ correct: BftScriptResult; broken: BftScriptResult }> {
  const correct = await runBftScript(script);
  const broken = await runBftScript({ ...script, mutant });
  assert.deepEqual(correct.errors, [], 'correct run: no process threw');
  assert.deepEqual(broken.errors, [], 'mutant run: no process threw');
  assert.deepEqual(correct.violations, [], `correct code stays safe under the ${mutant} schedule`);
  return { correct, broken };
}

/** The §3 properties a scripted run violated, sorted, once each. */
export function violatedProperties(result: BftScriptResult): string[] {
  return [...new Set(result.violations.map((violation) => violation.property))].sort();
}
