/** Runs one benchmark module in its own process, so one module's garbage never skews another's memory figures. */
const name = process.argv[2]!;
const mod = (await import(`./${name}.ts`)) as { run(): Promise<unknown> };
const results = await mod.run();
process.stdout.write(`\n@@RESULTS@@${JSON.stringify(results)}\n`);
process.exit(0);
