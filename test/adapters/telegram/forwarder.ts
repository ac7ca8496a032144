/**
 * A tiny HTTP forwarder that writes down every request it passes on: in front of the Bot API
 * stand-in it tells which instance made which call (all instances share one token, so the stand-in
 * cannot); in front of several webhook listeners it is a round-robin load balancer.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ForwardedCall {
  /** The origin it went to, e.g. http://127.0.0.1:1234. */
  target: string;
  /** Last path segment: the Bot API method, or the webhook path's end. */
  method: string;
  /** The JSON body, when there was one. */
  params?: Record<string, unknown>;
  /** The upstream's HTTP status, once it answered. */
  status?: number;
  /** The client hung up before the upstream answered. */
  abandoned?: true;
}

export interface Forwarder {
  origin: string;
  calls: ForwardedCall[];
  close(): Promise<void>;
}

/** Forwards each request to `pickTarget()`'s origin; an unreachable target is answered 502, as a proxy would. */
export async function startForwarder(pickTarget: () => string): Promise<Forwarder> {
  const calls: ForwardedCall[] = [];
  const server: Server = createServer((req, res) => {
    const target = pickTarget();
    const call: ForwardedCall = { target, method: /\/([^/?]+)(?:\?.*)?$/.exec(req.url ?? '')?.[1] ?? '' };
    calls.push(call);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (!String(req.headers['content-type']).startsWith('application/json') || !chunks.length) return;
      try {
        call.params = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>;
      } catch {
        // Not JSON after all: the call is still recorded, without params.
      }
    });
    const upstream = request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (answer) => {
      call.status = answer.statusCode ?? 0;
      res.writeHead(call.status, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      if (call.status !== undefined || res.headersSent || res.destroyed) return;
      call.status = 502;
      res.writeHead(502).end();
    });
    res.on('close', () => {
      if (call.status !== undefined) return;
      call.abandoned = true;
      upstream.destroy();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
