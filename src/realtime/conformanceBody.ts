import { conformanceCases } from '../fabric/conformance.js';
import type { Fabric, ProcessId } from '../fabric/index.js';

/**
 * The body factory that runs a fabric conformance case inside a worker or OS process of a real backend: the
 * case is found by name in the conformance module, so the body is the very
 * function every backend runs.
 */
export function conformanceBody(args: unknown, process: ProcessId): ((fabric: Fabric) => Promise<unknown>) | undefined {
  const name = (args as { case: string }).case;
  const found = conformanceCases.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no conformance case named '${name}'`);
  return found.bodies[process];
}
