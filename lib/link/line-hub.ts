import type { MaraMaster } from './master';
import type { DeviceChange, LinkState, PersistenceState, PollResult } from './master-types';

/** What a node using a line wants to hear; each consumer gets its own calls (no broadcast events). */
export interface LineConsumer {
  onReply?(r: PollResult): void;
  onDevice?(c: DeviceChange): void;
  onState?(s: LinkState): void;
  /** The SEQ state stopped or started reaching its store. */
  onPersistence?(p: PersistenceState): void;
}

/**
 * Shares one master among the nodes of a line (CONTRIBUTING.md §4): the first registration starts it, the
 * last deregistration stops it after a grace period, so a partial deploy that restarts a consumer
 * does not drop the connection.
 */
export class LineHub {
  private readonly consumers = new Map<string, LineConsumer>();
  private stopTimer: NodeJS.Timeout | null = null;
  private state: LinkState = { state: 'stopped' };
  private running = false;

  constructor(
    readonly master: MaraMaster,
    private readonly graceMs = 1000,
    private readonly onConsumerError: (e: unknown) => void = () => undefined,
  ) {
    master.on('reply', (r) => this.each((c) => c.onReply?.(r)));
    master.on('device', (d) => this.each((c) => c.onDevice?.(d)));
    master.on('persistence', (p) => this.each((c) => c.onPersistence?.(p)));
    master.on('state', (s) => {
      this.state = s;
      this.each((c) => c.onState?.(s));
    });
  }

  get size(): number {
    return this.consumers.size;
  }

  register(id: string, consumer: LineConsumer): void {
    this.consumers.set(id, consumer);
    if (this.stopTimer) clearTimeout(this.stopTimer);
    this.stopTimer = null;
    this.call(consumer, (c) => c.onState?.(this.state));
    if (!this.running) {
      this.running = true;
      this.master.start();
    }
  }

  deregister(id: string): void {
    this.consumers.delete(id);
    if (this.consumers.size > 0 || !this.running || this.stopTimer) return;
    this.stopTimer = setTimeout(() => {
      this.stopTimer = null;
      if (this.consumers.size === 0) this.stop().catch(this.onConsumerError);
    }, this.graceMs);
  }

  async stop(): Promise<void> {
    if (this.stopTimer) clearTimeout(this.stopTimer);
    this.stopTimer = null;
    this.running = false;
    await this.master.stop();
  }

  private each(f: (c: LineConsumer) => void): void {
    for (const c of this.consumers.values()) this.call(c, f);
  }

  private call(c: LineConsumer, f: (c: LineConsumer) => void): void {
    try {
      f(c);
    } catch (e) {
      this.onConsumerError(e); // one consumer's bug must not starve the others
    }
  }
}
