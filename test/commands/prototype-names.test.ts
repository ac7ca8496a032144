/**
 * Text that names a property of Object.prototype ("constructor", "__proto__", "toString") must be
 * an ordinary unknown value everywhere user text is looked up: command names, option names, choices,
 * aliases, ASIC models, currencies, chart metrics.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { handleConsoleLine } from '../../src/adapters/console/index.ts';
import { loadConfig } from '../../src/config.ts';
import { normaliseChoice, type ChoiceSpec } from '../../src/core/command.ts';
import { runCommand } from '../../src/core/run.ts';
import { findAsic } from '../../src/core/metrics/index.ts';
import { silentLogger } from '../../src/logger.ts';
import { renderText } from '../../src/adapters/console/format.ts';
import { createMarket } from '../../src/sources/index.ts';
import type { Market } from '../../src/core/market.ts';
import { startFakeMempool, type FakeMempool } from '../fakes/mempool.ts';

const PROTO_NAMES = Object.getOwnPropertyNames(Object.prototype);
const NOW = (1743541240 + 7 * 60) * 1000;
let fake: FakeMempool;
let market: Market;
const makeContext = () => ({ market, now: () => NOW, platform: 'console' as const, version: 'test', services: {} });
const INTERNAL = /failed$|Something went wrong/;

beforeAll(async () => {
  fake = await startFakeMempool();
  market = createMarket({ config: loadConfig({ ...fake.env }), logger: silentLogger, now: () => NOW });
});
afterAll(async () => {
  await fake.close();
});

describe('Object.prototype names as user text', () => {
  it('covers the names that broke look-ups', () => {
    expect(PROTO_NAMES).toEqual(expect.arrayContaining(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']));
  });

  it.each([
    ['/profit constructor', 'No model "constructor"|`model` must be one of: .* \\(got "constructor"'],
    ['/price __proto__', '`currency` must be one of: .* \\(got "__proto__"'],
    ['/chart toString', '`metric` must be one of: .* \\(got "toString"'],
    ['/chart constructor', '`metric` must be one of: .* \\(got "constructor"'],
    ['/constructor', 'There is no /constructor'],
    ['/help __proto__', 'There is no /__proto__'],
  ])('%s gives a clear "unknown" answer', async (line, pattern) => {
    const text = (await handleConsoleLine(line, { commands, logger: silentLogger, makeContext }))!;
    expect(text).toMatch(new RegExp(pattern));
    expect(text).not.toMatch(INTERNAL);
  });

  it('never resolves a choice or alias through the prototype', () => {
    // Before: the alias table was a plain object, so "constructor" resolved to Object itself for
    // every choice option with aliases (chart metric and range, pools window, alert and digest
    // actions); only zod's string check stood between that and the command.
    for (const c of commands) {
      for (const [option, spec] of Object.entries(c.options)) {
        if (spec.kind !== 'choice') continue;
        for (const name of PROTO_NAMES) expect(normaliseChoice(spec as ChoiceSpec, name), `/${c.name} ${option}=${name}`).toBeUndefined();
      }
    }
  });

  it('never finds an ASIC model or command on the prototype', () => {
    for (const name of PROTO_NAMES) {
      expect(findAsic(name), name).toBeUndefined();
    }
  });

  it('is an ordinary unknown value for every option of every command (property)', async () => {
    const cases = commands.flatMap((c) => Object.entries(c.options).map(([option, spec]) => ({ command: c.name, option, spec })));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...cases),
        fc.mixedCase(fc.constantFrom(...PROTO_NAMES)),
        fc.constantFrom('named', 'plain', 'discord'),
        async ({ command, option, spec }, word, how) => {
          const reply =
            how === 'discord' ? await runCommand(commands, command, { [option]: word }, makeContext(), silentLogger) : undefined;
          const text = reply
            ? renderText(reply)
            : (await handleConsoleLine(`/${command} ${how === 'named' ? `${option}=${word}` : word}`, {
                commands,
                logger: silentLogger,
                makeContext,
              }))!;
          expect(text).not.toMatch(INTERNAL);
          // Choices and numbers refuse the word, quoting it; free text (a digest time, an alert
          // subject, a command to explain) is the command's to judge, but never crashes it.
          if (how !== 'plain' && (spec.kind === 'choice' || spec.kind === 'number' || spec.kind === 'integer')) {
            expect(text).toContain(`"${word}"`);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('is an unknown option name, never a silently dropped one', async () => {
    for (const c of commands) {
      for (const name of ['constructor', 'tostring', 'valueof', 'hasownproperty']) {
        const text = (await handleConsoleLine(`/${c.name} ${name}=1`, { commands, logger: silentLogger, makeContext }))!;
        expect(text, `/${c.name} ${name}=1`).toMatch(new RegExp(`has no option \`${name}\`|takes no options`));
      }
    }
  });
});
