/**
 * A deadline on every Bot API call. telegraf gives node-fetch a fixed 500 s timeout
 * (telegraf lib/core/network/client.js, callApi), so a stalled connection would hold a reply, an
 * admin check or an outbox slot for minutes; callApi does take an AbortSignal, which is what we use.
 */
import type { Telegram } from 'telegraf';

/** A call that got no answer within its deadline. It is a failure the caller may retry, never a success. */
class CallTimeout extends Error {
  constructor(method: string, ms: number) {
    super(`Telegram ${method} got no answer within ${ms} ms`);
    this.name = 'CallTimeout';
  }
}

type CallApi = (method: string, payload: Record<string, unknown>, opts?: { signal?: AbortSignal }) => Promise<unknown>;

/**
 * Wraps `telegram.callApi` (every telegraf method goes through it) so each call ends within
 * `callMs`, or within a long poll's own `timeout` plus `callMs` for getUpdates; `cancelAll`
 * aborts every call in flight (at the end of the shutdown grace period).
 */
export function addDeadlines(telegram: Telegram, callMs: number, cancelAll: AbortSignal): void {
  const callApi = (telegram.callApi as unknown as CallApi).bind(telegram);
  const withDeadline: CallApi = async (method, payload, opts = {}) => {
    const pollSec = method === 'getUpdates' ? Number(payload.timeout ?? 0) : 0;
    const ms = pollSec * 1000 + callMs;
    const deadline = AbortSignal.timeout(ms);
    const signal = AbortSignal.any([deadline, cancelAll, ...(opts.signal ? [opts.signal] : [])]);
    try {
      return await callApi(method, payload, { signal });
    } catch (err) {
      if (deadline.aborted && (err as Error).name === 'AbortError') throw new CallTimeout(method, ms);
      throw err;
    }
  };
  (telegram as unknown as { callApi: CallApi }).callApi = withDeadline;
}
