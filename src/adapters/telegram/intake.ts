/**
 * Bounded update handling. Each chat's updates run one at a time, in order (its replies are paced
 * at about one a second anyway), at most `running` chats at once overall, and at most `perChat`
 * updates wait per chat: what comes beyond that is dropped and counted, so a flooding chat can
 * neither exhaust sockets and file descriptors nor push its backlog past a shutdown.
 */

export interface IntakeLimits {
  /** Updates of one chat waiting behind the one being handled. */
  perChat: number;
  /** Updates being handled at once, across all chats. */
  running: number;
}

export const INTAKE_LIMITS: IntakeLimits = { perChat: 5, running: 32 };

type Job = () => Promise<void>;

interface ChatQueue {
  waiting: Job[];
  busy: boolean;
  /** Updates dropped since this chat's backlog last emptied. */
  dropped: number;
}

export interface Overflow {
  chatId: string;
  /** Dropped so far in this flood, this one included. */
  dropped: number;
}

export class Intake {
  private readonly chats = new Map<string, ChatQueue>();
  /** Chats with an update ready to run, waiting for a free running slot, in arrival order. */
  private readonly ready: string[] = [];
  private running = 0;
  private readonly active = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly limits: IntakeLimits,
    /** A chat's update was dropped (its backlog is full). */
    private readonly onOverflow: (o: Overflow) => void,
    /** A chat's flood is over: its backlog emptied after `dropped` updates were dropped. */
    private readonly onFloodOver: (o: Overflow) => void,
  ) {}

  /** Queues one update of a chat; false when it was dropped. */
  push(chatId: string, job: Job): boolean {
    if (this.closed) return false;
    let chat = this.chats.get(chatId);
    if (!chat) {
      chat = { waiting: [], busy: false, dropped: 0 };
      this.chats.set(chatId, chat);
    }
    if (chat.waiting.length >= this.limits.perChat) {
      chat.dropped++;
      this.onOverflow({ chatId, dropped: chat.dropped });
      return false;
    }
    chat.waiting.push(job);
    if (!chat.busy && chat.waiting.length === 1) this.ready.push(chatId);
    this.pump();
    return true;
  }

  /**
   * Stops taking updates and drops every one still waiting; returns how many per chat. Updates
   * already running go on (see `settled`).
   */
  close(): Map<string, number> {
    this.closed = true;
    const dropped = new Map<string, number>();
    for (const [id, chat] of this.chats) {
      if (chat.waiting.length) dropped.set(id, chat.waiting.length);
      chat.waiting = [];
    }
    this.ready.length = 0;
    return dropped;
  }

  /** Chats with an update being handled right now. */
  runningChats(): string[] {
    return [...this.chats].filter(([, chat]) => chat.busy).map(([id]) => id);
  }

  /** Resolves when every running update has finished. */
  async settled(): Promise<void> {
    while (this.active.size) await Promise.allSettled([...this.active]);
  }

  private pump(): void {
    while (this.running < this.limits.running && this.ready.length) {
      const chatId = this.ready.shift()!;
      const chat = this.chats.get(chatId)!;
      const job = chat.waiting.shift();
      if (!job) continue;
      chat.busy = true;
      this.running++;
      const task: Promise<void> = job()
        .catch(() => undefined) // jobs handle their own errors; this only keeps the queue moving
        .finally(() => {
          this.active.delete(task);
          this.running--;
          chat.busy = false;
          if (chat.waiting.length) {
            this.ready.push(chatId);
          } else {
            if (chat.dropped) this.onFloodOver({ chatId, dropped: chat.dropped });
            this.chats.delete(chatId);
          }
          this.pump();
        });
      this.active.add(task);
    }
  }
}
