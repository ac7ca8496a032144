/**
 * User text used as a look-up key must never reach Object.prototype: 0.1 read "constructor" from a
 * plain-object alias table as a metric, answered an internal error and, before the first poll,
 * stored a rule with no metric that counted toward the user's limit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { AlertEngine } from '../../src/alerts/engine.ts';
import { isRuleSpec } from '../../src/alerts/parse.ts';
import { alertCommands } from '../../src/alerts/service.ts';
import { splitArgs, tokenize, type CommandContext } from '../../src/core/command.ts';
import { findCommand, runCommand } from '../../src/core/run.ts';
import type { Market } from '../../src/core/market.ts';
import { silentLogger } from '../../src/logger.ts';
import { BACKENDS, closedAfterEach, type Backend } from '../support/backends.ts';
import { headline } from './headline.ts';

const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype);
// Words that make a valid rule, so the prototype name is the only odd word in the sentence.
const SENTENCES = [
  ['hashprice', 'below', '40', ''],
  ['hashrate', 'change', '-10%', '7d'],
  ['price', 'down', '20%', '30d'],
  ['difficulty', 'above', '120T', ''],
  ['pool', 'above', '30%', ''],
  ['hashprice', 'low', '90d', ''],
] as const;

const openStore = closedAfterEach();

async function setup(backend: Backend) {
  const store = await openStore(backend);
  // No evaluation yet: the state the bug needed ("before the first poll").
  const engine = new AlertEngine(store, silentLogger);
  await engine.load();
  const alerts = alertCommands({ store, engine, maxPerUser: 25, now: () => Date.UTC(2025, 3, 1) });
  return { store, engine, alerts };
}

describe.each(BACKENDS)('/alert add with Object.prototype names in any word position ($name)', (backend) => {
  it('answers a clear message or adds a valid rule, never an internal error, and stores nothing half-formed', async () => {
    expect(PROTOTYPE_NAMES).toEqual(expect.arrayContaining(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']));
    const { store, engine, alerts } = await setup(backend);
    const alert = findCommand(commands, 'alert')!;
    let user = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...SENTENCES),
        // -1 is the action word ("add" itself), 0–3 the rule's words.
        fc.integer({ min: -1, max: 3 }),
        fc.constantFrom(...PROTOTYPE_NAMES),
        fc.boolean(),
        async (sentence, position, name, viaCommand) => {
          const words: string[] = [...sentence];
          if (position >= 0) words[position] = name;
          const action = position < 0 ? name : 'add';
          const who = { platform: 'telegram', id: String(++user) };
          const reply =
            viaCommand || position < 0
              ? await runCommand(
                  commands,
                  'alert',
                  splitArgs(alert, tokenize(`${action} ${words.filter(Boolean).join(' ')}`)),
                  {
                    market: {} as Market,
                    now: () => Date.UTC(2025, 3, 1),
                    platform: 'telegram',
                    version: 'test',
                    user: { platform: 'telegram', id: who.id },
                    chat: { id: who.id, kind: 'private', isAdmin: async () => false },
                    services: { alerts },
                  } satisfies CommandContext,
                  silentLogger,
                )
              : await alerts.add(who, { subject: words[0], condition: words[1], value: words[2], window: words[3] });
          expect(reply.title).not.toMatch(/failed/);
          const found = await store.users.find('telegram', who.id);
          const rows = found ? await store.rules.listForUser(found.id) : [];
          if (reply.tone === 'error') {
            expect(reply.lines?.join(' ')).toMatch(/\w{3}/);
            expect(rows).toEqual([]);
          } else {
            expect(reply.title).toMatch(/^Alert #\d+ added$/);
            expect(rows).toHaveLength(1);
            expect(isRuleSpec(JSON.parse(rows[0]!.specJson))).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
    // Whatever was stored evaluates without a crash.
    await expect(engine.evaluate(headline())).resolves.toBeDefined();
  });

  it('refuses "constructor" as a metric by name (the case 0.1 stored as a rule with no metric)', async () => {
    const { store, alerts } = await setup(backend);
    const reply = await alerts.add(
      { platform: 'telegram', id: '1' },
      { subject: 'constructor', condition: 'change', value: '-10%', window: '7d' },
    );
    expect(reply.lines?.[0]).toMatch(/^Unknown metric or event "constructor"/);
    expect(await store.users.find('telegram', '1')).toBeUndefined();
  });
});
