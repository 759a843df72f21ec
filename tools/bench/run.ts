/**
 * Benchmark runner: `npm run bench [-- --only a,b] [-- --list]`. Runs the named sections in order and prints one JSON
 * document on stdout (progress goes to stderr). Add a section by listing it in `sections.ts`. A failing section is
 * recorded as `{ error }` and the others still run; the exit code is then 1.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { sections } from './sections.ts';

const { values } = parseArgs({
  options: { only: { type: 'string' }, list: { type: 'boolean', default: false } },
  strict: true,
});

if (values.list) {
  for (const s of sections) process.stdout.write(`${s.name}\t${(await s.load()).description}${s.optIn ? ' (only with --only)' : ''}\n`);
  process.exit(0);
}

const wanted = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
const unknown = wanted?.filter((name) => !sections.some((s) => s.name === name)) ?? [];
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown section(s) ${unknown.join(', ')}; known: ${sections.map((s) => s.name).join(', ')}\n`);
  process.exit(2);
}

const results: Record<string, unknown> = {};
const startedAt = new Date().toISOString();
let failed = false;
for (const entry of sections.filter((s) => (wanted ? wanted.includes(s.name) : !s.optIn))) {
  process.stderr.write(`bench: ${entry.name} ...\n`);
  const t0 = performance.now();
  let outcome: { result: unknown } | { error: string };
  try {
    outcome = { result: await (await entry.load()).run() };
  } catch (err) {
    failed = true;
    outcome = { error: err instanceof Error ? err.message : String(err) };
    process.stderr.write(`bench: ${entry.name} failed: ${outcome.error}\n`);
  }
  const seconds = (performance.now() - t0) / 1000;
  process.stderr.write(`bench: ${entry.name} done in ${seconds.toFixed(1)} s\n`);
  results[entry.name] = { seconds: Number(seconds.toFixed(2)), ...outcome };
}

const cpus = os.cpus();
process.stdout.write(
  `${JSON.stringify(
    {
      startedAt,
      machine: { node: process.version, platform: `${os.platform()} ${os.arch()}`, cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length },
      sections: results,
    },
    null,
    2,
  )}\n`,
);
// Sections may leave wasm worker threads or servers behind.
process.exit(failed ? 1 : 0);
