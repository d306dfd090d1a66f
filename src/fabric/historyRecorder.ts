import type { HistoryEvent, OperationRecorder } from './fabric.js';
import type { OperationId, OperationValue, ProcessId } from './types.js';

/**
 * The operation recorder every backend uses: one operation open at a time
 * per process, each return paired with its call, every event handed to
 * `emit` (the simulator's history and trace, a real backend's journal).
 * `onOpen` / `onClose` let a backend follow which operation is in progress.
 */
export class HistoryRecorder implements OperationRecorder {
  private readonly open = new Map<OperationId, { f: string; key?: string }>();

  constructor(
    private readonly process: ProcessId,
    private readonly allocate: () => OperationId,
    private readonly now: () => number,
    private readonly emit: (event: HistoryEvent) => void,
    private readonly hooks: { readonly onOpen?: (operation: OperationId) => void; readonly onClose?: () => void } = {},
  ) {}

  invoke(f: string, value: OperationValue, key?: string): OperationId {
    if (this.open.size > 0) {
      throw new Error(`p${this.process} invoked ${f} while operation ${[...this.open.keys()][0]} is still open (one operation at a time per process)`);
    }
    const op = this.allocate();
    this.open.set(op, key === undefined ? { f } : { f, key });
    this.hooks.onOpen?.(op);
    this.record('invoke', op, f, key, value);
    return op;
  }

  ok(operation: OperationId, value: OperationValue): void {
    this.finish('ok', operation, value);
  }

  fail(operation: OperationId, value: OperationValue): void {
    this.finish('fail', operation, value);
  }

  info(operation: OperationId, value: OperationValue): void {
    this.finish('info', operation, value);
  }

  private finish(type: 'ok' | 'fail' | 'info', operation: OperationId, value: OperationValue): void {
    const call = this.open.get(operation);
    if (!call) throw new Error(`p${this.process}: operation ${operation} is not open`);
    this.open.delete(operation);
    this.hooks.onClose?.();
    this.record(type, operation, call.f, call.key, value);
  }

  private record(type: HistoryEvent['type'], op: OperationId, f: string, key: string | undefined, value: OperationValue): void {
    const time = this.now();
    this.emit(key === undefined ? { process: this.process, type, f, value, time, op } : { process: this.process, type, f, key, value, time, op });
  }
}
