/**
 * The Prometheus counters and gauges of one bot. Each bot gets its own registry (created by main,
 * never a module global), so two bots in one process (tests) never add to each other's figures.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Sender } from '../core/delivery.ts';
import type { CommandObserver } from '../core/services.ts';
import type { UpstreamObserver } from '../sources/http.ts';
import type { Role } from '../cluster/leadership.ts';

/** What the outbox holds right now; the same figures on every instance that shares one database. */
export interface OutboxBacklog {
  pending: number;
  sending: number;
  /** When the oldest pending row was queued (ms since the epoch); absent or null: none pending, or not known. */
  oldestPendingCreatedMs?: number | null;
}

export interface MetricsInputs {
  /** Read at every scrape (one small query), so the gauges are never older than the scrape. */
  backlog: () => Promise<OutboxBacklog>;
  role: () => Role;
  now?: () => number;
  /** Told when the backlog cannot be read (the gauges then read NaN: unknown, not zero). */
  onBacklogError?: (err: unknown) => void;
}

export interface BotMetrics {
  readonly registry: Registry;
  /** For CommandServices.observe. */
  readonly commands: CommandObserver;
  /** For createMarket's `observe`. */
  readonly upstream: UpstreamObserver;
  /** The same sender, counting each delivery's outcome and every 429. */
  countSends(sender: Sender): Sender;
}

export function createMetrics(inputs: MetricsInputs): BotMetrics {
  const now = inputs.now ?? Date.now;
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  const commands = new Counter({
    name: 'hashwatch_commands_total',
    help: 'Commands answered, by command (empty: a name that is no command), platform and outcome (ok, unknown, invalid, refused, upstream, failed)',
    labelNames: ['command', 'platform', 'outcome'] as const,
    registers,
  });
  const upstreamRequests = new Counter({
    name: 'hashwatch_upstream_requests_total',
    help: 'HTTP requests sent to an upstream, by source and outcome (ok, http_error, rate_limited, timeout, connection_failed, too_large)',
    labelNames: ['source', 'outcome'] as const,
    registers,
  });
  const upstreamFailures = new Counter({
    name: 'hashwatch_upstream_failures_total',
    help: 'Upstream calls that gave up (every retry failed, or the upstream asked us to stay away), by source',
    labelNames: ['source'] as const,
    registers,
  });
  const deliveries = new Counter({
    name: 'hashwatch_deliveries_total',
    help: 'Alert and digest sends, by platform and outcome (sent, retry, rate_limited, gone)',
    labelNames: ['platform', 'outcome'] as const,
    registers,
  });
  const rateLimited = new Counter({
    name: 'hashwatch_rate_limited_total',
    help: 'Sends the platform refused with 429 (rate limited), by platform',
    labelNames: ['platform'] as const,
    registers,
  });

  // Both outbox gauges come from one read per scrape: the registry asks every metric at once, so
  // the second asker finds the first one's read still in flight and shares it.
  let reading: Promise<OutboxBacklog | undefined> | undefined;
  const readBacklog = () =>
    (reading ??= inputs
      .backlog()
      .catch((err: unknown) => {
        inputs.onBacklogError?.(err);
        return undefined;
      })
      .finally(() => {
        reading = undefined;
      }));
  new Gauge({
    name: 'hashwatch_outbox_depth',
    help: 'Messages in the outbox by status (pending, sending); the whole database, so the same on every instance (NaN: the store could not be read)',
    labelNames: ['status'] as const,
    registers,
    async collect() {
      const backlog = await readBacklog();
      this.set({ status: 'pending' }, backlog?.pending ?? Number.NaN);
      this.set({ status: 'sending' }, backlog?.sending ?? Number.NaN);
    },
  });
  new Gauge({
    name: 'hashwatch_outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest message waiting to be sent (0: none waiting; NaN: not known, or the store could not be read)',
    registers,
    async collect() {
      const backlog = await readBacklog();
      const oldest = backlog?.oldestPendingCreatedMs;
      if (backlog?.pending === 0) this.set(0);
      else this.set(oldest == null ? Number.NaN : Math.max(0, (now() - oldest) / 1000));
    },
  });
  new Gauge({
    name: 'hashwatch_leader',
    help: '1 when this instance runs the once-only work (alerts, digests, outbox): the leader, or the only instance; else 0',
    registers,
    collect() {
      this.set(inputs.role() === 'follower' ? 0 : 1);
    },
  });

  return {
    registry,
    commands: {
      answered: (command, platform, outcome) => commands.inc({ command, platform, outcome }),
    },
    upstream: {
      request: (source, outcome) => upstreamRequests.inc({ source, outcome }),
      failed: (source) => upstreamFailures.inc({ source }),
    },
    countSends(sender) {
      const platform = sender.platform;
      // Present from the start, so a rate() over it has a first point before the first 429.
      rateLimited.inc({ platform }, 0);
      return {
        platform,
        async send(destination, reply, options) {
          const result = await sender.send(destination, reply, options);
          if (result.ok) deliveries.inc({ platform, outcome: 'sent' });
          else if (result.retryAfterMs !== undefined) {
            deliveries.inc({ platform, outcome: 'rate_limited' });
            rateLimited.inc({ platform });
          } else deliveries.inc({ platform, outcome: result.permanent ? 'gone' : 'retry' });
          return result;
        },
      };
    },
  };
}
