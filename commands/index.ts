/** Which commands exist, in the order /help lists them: every surface (chat, terminal, CLI) reads this list. */
import type { Command } from '../src/core/command.ts';
import about from './about.ts';
import alert from './alert.ts';
import chart from './chart.ts';
import difficulty from './difficulty.ts';
import digest from './digest.ts';
import fees from './fees.ts';
import forget from './forget.ts';
import halving from './halving.ts';
import hashprice from './hashprice.ts';
import hashrate from './hashrate.ts';
import { helpCommand } from './help.ts';
import pools from './pools.ts';
import price from './price.ts';
import profit from './profit.ts';
import security from './security.ts';
import settings from './settings.ts';
import site from './site.ts';

/** Every user command, in the order help lists them. */
export const commands: Command[] = [
  hashprice,
  hashrate,
  difficulty,
  halving,
  price,
  fees,
  pools,
  security,
  profit,
  site,
  chart,
  digest,
  alert,
  settings,
  forget,
];
commands.push(
  helpCommand(() => commands),
  about,
);
