/**
 * Structured logging (pino). Secrets are removed twice: known key paths are redacted, and any
 * configured secret value that slips into a message or error text is replaced before writing.
 */
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

const REDACT_PATHS = [
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'secret',
  '*.secret',
];

export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join('[redacted]');
  return out;
}

export function createLogger(opts: { level?: string; secrets?: readonly string[] } = {}, destination?: DestinationStream): Logger {
  const secrets = opts.secrets ?? [];
  const stream: DestinationStream = destination ?? pino.destination({ dest: 2, sync: false });
  const scrubbing: DestinationStream = {
    write: (line: string) => stream.write(scrub(line, secrets)),
  };
  return pino(
    {
      level: opts.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { app: 'hashwatch' },
    },
    scrubbing,
  );
}

/** For tests and one-shot CLI runs where log lines would only be noise. */
export const silentLogger: Logger = pino({ level: 'silent' });

/**
 * Runs background work (a timer's write, a back-fill) so that a failure is logged and the next run
 * retries: a full disk or a locked database must cost one snapshot, not the process. Without
 * this, a rejected promise nobody awaits ends Node.
 */
export function inBackground(log: Logger, what: string, work: () => Promise<unknown>): Promise<void> {
  return work().then(
    () => undefined,
    (err: unknown) => {
      const e = err as { code?: string; message?: string };
      log.error({ code: e?.code, err: e?.message ?? String(err) }, `${what} failed; the next run retries`);
    },
  );
}
