import { join } from 'node:path';
import { vi } from 'vitest';
import yargs from 'yargs';
import { CliError } from '../src/cli-error.ts';
import { commands } from '../src/commands/index.ts';

export const SR_BIN = join(import.meta.dirname, '../bin/sr.mjs');
export const TINY_CONFIG = join(import.meta.dirname, '../src/config/examples/tiny-cpu.json');

/** `--set` arguments that shrink the tiny example to seconds (small synthetic data, an 8-feature 2-conv G), plus `extra`. */
export function tinyRunArgs(extra: Record<string, string>): string[] {
  const fields: Record<string, string> = {
    'data.batchSize': '2',
    'data.train.synthetic': '{"count":3,"width":136,"height":136}',
    'data.val.synthetic': '{"count":1,"width":64,"height":64}',
    'generator.config.num_feat': '8',
    'generator.config.num_conv': '2',
    ...extra,
  };
  return Object.entries(fields).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
}

/** Runs an `sr` command in-process (spawning tsx costs seconds) and returns what it printed. */
export async function srInProcess(...args: string[]): Promise<{ stdout: string; error?: Error }> {
  const out: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((line: unknown) => void out.push(String(line)));
  try {
    await yargs(args)
      .command(commands)
      .strict()
      .fail((msg, err) => {
        throw err ?? new CliError(msg);
      })
      .parseAsync();
    return { stdout: out.join('\n') };
  } catch (error) {
    return { stdout: out.join('\n'), error: error as Error };
  } finally {
    log.mockRestore();
  }
}
