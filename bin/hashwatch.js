#!/usr/bin/env node
// The bot is written in TypeScript and runs through tsx: no build step to forget.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
