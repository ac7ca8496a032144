/**
 * What main needs from a chat platform (Telegram, Discord, the terminal): start it, deliver through
 * it, stop it. Main loops over the configured platforms and knows nothing else about any of them.
 */
import type { CommandContext, Platform } from './command.ts';
import type { Sender } from './delivery.ts';
import type { LeaderSignal } from './leadership.ts';

/** Who asked and where; the platform fills these, main the rest (market, services, clock). */
type Asker = Pick<CommandContext, 'user' | 'chat'>;
export type ContextFactory = (who?: Asker) => CommandContext;

export interface PlatformAdapter {
  readonly platform: Platform;
  /**
   * Connects and begins taking commands. `ready` resolves once the background work (alerts,
   * digests) is running: a platform whose first commands come at once (the terminal, piped input)
   * waits for it, so /alert never meets a half-started bot.
   */
  start(makeContext: ContextFactory, ready: Promise<void>, options?: StartOptions): Promise<StartedPlatform>;
}

interface StartOptions {
  /**
   * Among several instances, whether this one leads: a platform whose intake must run once per bot
   * (Telegram long polling) runs it only while leader. Absent: always leader (one process).
   */
  leader?: LeaderSignal;
}

export interface StartedPlatform {
  /** Delivers alerts and digests (the outbox keeps using it until the process ends). */
  sender: Sender;
  /**
   * Resolves (never rejects) when the platform ends on its own: with an Error when it can no
   * longer work (a revoked token: the process exits non-zero with its message), without one when
   * its user left (the terminal prompt closed: the process exits normally).
   */
  ended?: Promise<Error | undefined>;
  /**
   * Whether it can take commands right now (every gateway session of this process ready). Absent:
   * from start until `ended`.
   */
  connected?(): boolean;
  /** No new commands; running ones may finish. */
  stop(): Promise<void>;
}
