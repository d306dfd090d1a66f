/** The checkers: linearizability of histories against sequential models. Imports nothing else of mnm. */
export { HistoryError, outcomeUnknown, type EventType, type HistoryEvent, type Operation, type Outcome } from './history.js';
export { pairOperations } from './pairing.js';
export { checkLinearizability, type CheckOptions, type CheckResult, type PartitionResult, type Verdict } from './linearizability.js';
export type { Model, PreparedCall } from './model.js';
export { models, modelNames } from './models/index.js';
export { detectFormat, formatNamed, formatNames, formats, type HistoryFormat } from './formats/index.js';
export { replayLinearization } from './replay.js';
export { readHistory, type ReadHistory } from './readHistory.js';
export { HistoryFileError, readHistories, type HistorySource } from './mergeHistories.js';
export { describeOperation, explainResult, witnessJson } from './describe.js';
