/**
 * The CLI's entry point (bin/hashwatch.js runs its compiled form). `--version` is answered here,
 * before the bot's modules (discord.js, telegraf, undici, zod, the chart renderer…) are loaded:
 * scripts call it often and should not wait for all of that. Everything else is cli.ts.
 */
import { VERSION } from './version.ts';

const first = process.argv[2];
if (first === '--version' || first === '-v') process.stdout.write(`${VERSION}\n`);
else await import('./cli.ts');
