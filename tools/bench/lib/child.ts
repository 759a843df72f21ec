import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs a TypeScript entry point in a fresh Node process (tsx loader) and returns its stdout; stderr passes through. */
export async function runTs(entry: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const child = run(process.execPath, ['--import', 'tsx', entry, ...args], {
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  child.child.stderr?.pipe(process.stderr);
  const { stdout } = await child;
  return stdout;
}

/** Parses the last non-empty line of a child's stdout as JSON (earlier lines may be logs). */
export function lastJsonLine<T>(stdout: string): T {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}
