/**
 * Whether this instance should be sent traffic: its store answers and every platform it runs is
 * connected. A follower is ready too: any instance answers commands; only the once-only work waits
 * for leadership.
 */
import type { Role } from '../cluster/leadership.ts';

export interface ReadinessInputs {
  /** Resolves when the store answers a trivial query; rejects (or hangs) when it cannot. */
  store: () => Promise<void>;
  /** Each platform this instance runs, and whether it is connected now. */
  platforms: () => Record<string, boolean>;
  role: () => Role;
}

export interface Readiness {
  ready: boolean;
  store: 'ok' | 'error';
  platforms: Record<string, 'connected' | 'disconnected'>;
  role: Role;
  /** Why the store check failed; for the log, never for the response (it may name hosts). */
  storeError?: unknown;
}

/** A probe waits this long for the store: a hung connection must read as not ready, not as a hung probe. */
const STORE_CHECK_TIMEOUT_MS = 2_000;

/** Undefined when the store answered in time; otherwise why not. */
async function storeFailure(ping: () => Promise<void>, timeoutMs: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<Error>((resolve) => {
    timer = setTimeout(() => resolve(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  const answered = Promise.resolve()
    .then(ping)
    .then(
      () => undefined,
      (err: unknown) => err ?? new Error('store check failed'),
    );
  try {
    return await Promise.race([answered, gaveUp]);
  } finally {
    clearTimeout(timer);
  }
}

export async function checkReadiness(inputs: ReadinessInputs, timeoutMs = STORE_CHECK_TIMEOUT_MS): Promise<Readiness> {
  const storeError = await storeFailure(inputs.store, timeoutMs);
  const platforms = Object.fromEntries(
    Object.entries(inputs.platforms()).map(([name, up]) => [name, up ? 'connected' : 'disconnected'] as const),
  );
  const ready = storeError === undefined && Object.values(platforms).every((s) => s === 'connected');
  return {
    ready,
    store: storeError === undefined ? 'ok' : 'error',
    platforms,
    role: inputs.role(),
    ...(storeError !== undefined && { storeError }),
  };
}

/**
 * Which platforms are up, for `platforms`: each is down until it has started, and down again once it
 * has ended on its own (a revoked token, a closed gateway).
 */
export class PlatformStatus {
  private readonly up = new Map<string, () => boolean>();

  constructor(names: readonly string[]) {
    for (const name of names) this.up.set(name, () => false);
  }

  /** `connected`, when the platform can tell (a Discord gateway session that dropped), is asked at each probe. */
  started(name: string, ended?: Promise<unknown>, connected?: () => boolean): void {
    this.up.set(name, connected ?? (() => true));
    void ended?.then(() => this.up.set(name, () => false)); // `ended` never rejects (core/platform.ts).
  }

  snapshot = (): Record<string, boolean> => Object.fromEntries([...this.up].map(([name, up]) => [name, up()]));
}
