/**
 * The operator's HTTP endpoints on HTTP_PORT: /healthz (the process runs), /readyz (send it traffic?)
 * and /metrics (Prometheus). Nothing else is served, and nothing here reads a request body.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { checkReadiness, type ReadinessInputs } from './readiness.ts';

export interface OpsServerOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  registry: Registry;
  readiness: ReadinessInputs;
  logger: Pick<Logger, 'warn' | 'info'>;
}

export interface OpsServer {
  /** The port actually bound. */
  readonly port: number;
  close(): Promise<void>;
}

/** HEAD is answered like GET without the body (RFC 9110 §9.3.2): some load balancers probe with it. */
const ALLOWED = 'GET, HEAD';
/** Probes and scrapes are tiny; a client slower than this is not one of them. */
const REQUEST_TIMEOUT_MS = 10_000;

function send(res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', ...headers });
  res.end(body);
}

export async function startOpsServer(opts: OpsServerOptions): Promise<OpsServer> {
  const { registry, logger } = opts;
  // Logged when the store check starts or stops failing, not at every probe.
  let storeFailing = false;

  const routes: Record<string, (res: ServerResponse) => Promise<void>> = {
    '/healthz': async (res) => send(res, 200, 'text/plain; charset=utf-8', 'ok\n'),
    '/readyz': async (res) => {
      const { storeError, ready, ...body } = await checkReadiness(opts.readiness);
      if ((storeError !== undefined) !== storeFailing) {
        storeFailing = storeError !== undefined;
        if (storeFailing) logger.warn({ err: (storeError as Error)?.message ?? String(storeError) }, 'readyz: the store does not answer');
        else logger.info('readyz: the store answers again');
      }
      send(res, ready ? 200 : 503, 'application/json; charset=utf-8', `${JSON.stringify(body)}\n`);
    },
    '/metrics': async (res) => send(res, 200, registry.contentType, await registry.metrics()),
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (!route) return send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', { allow: ALLOWED });
    }
    try {
      await route(res);
    } catch (err) {
      logger.warn({ path, err: (err as Error).message }, 'operator endpoint failed');
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.destroy();
    }
  };

  const server = createServer({ requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: REQUEST_TIMEOUT_MS }, (req, res) => {
    void handle(req, res); // handle catches everything it awaits.
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(`HTTP_PORT: cannot listen on ${opts.host}:${opts.port} (${err.code ?? err.message})`)),
    );
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ host: opts.host, port }, 'operator endpoints listening (/healthz, /readyz, /metrics)');

  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A scraper's idle keep-alive connection would hold close() open until it times out.
        server.closeAllConnections();
      }),
  };
}

/** The endpoints on HTTP_HOST:HTTP_PORT, or nothing when HTTP_PORT is unset. */
export async function serveOpsIfConfigured(
  config: Pick<Config, 'HTTP_PORT' | 'HTTP_HOST'>,
  opts: Omit<OpsServerOptions, 'host' | 'port'>,
): Promise<OpsServer | undefined> {
  if (config.HTTP_PORT === undefined) return undefined;
  return startOpsServer({ ...opts, host: config.HTTP_HOST, port: config.HTTP_PORT });
}
