import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.ts';

describe('logger', () => {
  it('redacts configured secrets from messages, errors and known keys', () => {
    const lines: string[] = [];
    const secret = '123456:SECRET-TOKEN-VALUE';
    const log = createLogger({ level: 'info', secrets: [secret] }, { write: (l: string) => void lines.push(l) });
    log.info({ token: 'other-token' }, 'started');
    log.error({ err: new Error(`request to https://api.telegram.org/bot${secret}/getMe failed`) }, `oops ${secret}`);
    const all = lines.join('');
    expect(lines).toHaveLength(2);
    expect(all).not.toContain(secret);
    expect(all).not.toContain('other-token');
    expect(all).toContain('[redacted]');
    expect(JSON.parse(lines[1]!).msg).toBe('oops [redacted]');
  });
});
