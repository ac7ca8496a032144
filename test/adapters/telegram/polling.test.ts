/** How getUpdates failures are read, and the retry schedule (hand-checked values). */
import { TelegramError } from 'telegraf';
import { describe, expect, it } from 'vitest';
import { backoffMs, classifyPollError, POLL_TIMING } from '../../../src/adapters/telegram/polling.ts';

const apiError = (error_code: number, description: string, parameters?: { retry_after: number }) =>
  new TelegramError({ error_code, description, ...(parameters ? { parameters } : {}) });

describe('classifyPollError', () => {
  it('retries a conflict, a rate limit (its retry_after), a 5xx and a network failure', () => {
    expect(classifyPollError(apiError(409, 'Conflict: terminated by other getUpdates request'))).toMatchObject({ retry: true });
    expect(classifyPollError(apiError(429, 'Too Many Requests: retry after 7', { retry_after: 7 }))).toMatchObject({
      retry: true,
      waitMs: 7000,
    });
    expect(classifyPollError(apiError(502, 'Bad Gateway'))).toMatchObject({ retry: true });
    expect(classifyPollError(new Error('connect ECONNREFUSED 127.0.0.1:1'))).toMatchObject({ retry: true });
  });

  it('gives up on a refused token (401, 404) naming the variable, and on other 4xx', () => {
    for (const [code, text] of [
      [401, 'Unauthorized'],
      [404, 'Not Found'],
    ] as const) {
      const v = classifyPollError(apiError(code, text));
      expect(v.retry).toBe(false);
      expect(!v.retry && v.error.message).toContain('check TELEGRAM_BOT_TOKEN');
    }
    expect(classifyPollError(apiError(400, 'Bad Request: wrong offset'))).toMatchObject({ retry: false });
  });
});

describe('backoffMs', () => {
  it('doubles from 1 s up to the 30 s cap, each draw in [½, 1] of the step', () => {
    // 1, 2, 4, 8, 16, then 32 → capped at 30 (seconds)
    expect([1, 2, 3, 4, 5, 6, 40].map((n) => backoffMs(n, POLL_TIMING, () => 1))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect([1, 6].map((n) => backoffMs(n, POLL_TIMING, () => 0))).toEqual([500, 15000]);
  });
});
