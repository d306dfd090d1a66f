import type { Message } from './types.js';

/**
 * A process's incoming messages, the same on every backend: handed to the
 * handler once one is installed (earlier arrivals first, in order), else to
 * the oldest pending `receive()`, else kept.
 */
export class Inbox {
  private readonly waiting: Message[] = [];
  private readonly receivers: ((message: Message) => void)[] = [];
  private handler: ((message: Message) => void) | undefined;

  deliver(message: Message): void {
    if (this.handler) this.handler(message);
    else if (this.receivers.length > 0) (this.receivers.shift() as (message: Message) => void)(message);
    else this.waiting.push(message);
  }

  setHandler(handler: (message: Message) => void): void {
    this.handler = handler;
    while (this.waiting.length > 0) handler(this.waiting.shift() as Message);
  }

  receive(): Promise<Message> {
    const waiting = this.waiting.shift();
    if (waiting) return Promise.resolve(waiting);
    return new Promise((resolve) => this.receivers.push(resolve));
  }

  /** Forgets everything (a crashed process receives nothing more). */
  clear(): void {
    this.waiting.length = 0;
    this.receivers.length = 0;
    this.handler = undefined;
  }
}
