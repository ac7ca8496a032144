/**
 * The floor plan of hashwatch, checked by `npm run check:layers` (part of `npm test`). Bottom up:
 *   src/core                    pure domain: types, formulas, ports; Node built-ins and zod only
 *   src/sources, src/store      upstream data and persistence: implement core's ports
 *   the other src/ folders      alerts, charts, data, history, digests, delivery, render, adapters
 *   commands/                   one user command per file
 *   src/main.ts, cli.ts, entry.ts, background.ts   composition roots: wire everything together
 * A module may import its own floor or a lower one; nothing imports in a circle.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle makes load order matter and hides which module is the lower one.',
      from: { path: '^(src|commands)/' },
      to: { circular: true },
    },
    {
      name: 'core-is-the-ground-floor',
      severity: 'error',
      comment: 'src/core may import only itself, Node built-ins and zod: everything else builds on it.',
      from: { path: '^src/core/' },
      to: { pathNot: ['^src/core/', '^node_modules/zod/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'sources-and-store-stand-on-core',
      severity: 'error',
      comment:
        'src/sources and src/store import core, their own folder, packages and the version constant (a leaf); ' +
        'config and logger only as types (next rule).',
      from: { path: '^src/(sources|store)/' },
      to: {
        pathNot: ['^src/core/', '^src/$1/', '^src/version\\.ts$', '^src/(config|logger)\\.ts$', '^node_modules/'],
        dependencyTypesNot: ['core'],
      },
    },
    {
      name: 'sources-and-store-take-config-and-logger-as-types',
      severity: 'error',
      comment: 'The composition root hands sources and store their config and logger; they only name the types.',
      from: { path: '^src/(sources|store)/' },
      to: { path: '^src/(config|logger)\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'commands-sit-above-src',
      severity: 'error',
      comment:
        'Only the composition roots know the command list. cli-help.ts is the help page of cli.ts, split off ' +
        'for size, and sits on the same floor.',
      from: { path: '^src/', pathNot: '^src/(main|cli|entry|background|cli-help)\\.ts$' },
      to: { path: '^commands/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
