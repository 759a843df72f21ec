import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AdapterInfo, BackendInfo } from '@sr/model';
import type { BackendPreference } from '@sr/model/backend-choices';
import { writeAtomic } from './checkpoint.ts';

export const RUNTIME_FILE = 'runtime.json';

/** Where a run executes: the backend it resolved to (not 'auto'), its adapter, and the wasm threads. */
export interface RuntimeRecord {
  backend: BackendInfo['backend'];
  threads: number;
  adapter?: AdapterInfo;
}

export function readRuntimeRecord(dir: string): RuntimeRecord | undefined {
  const path = join(dir, RUNTIME_FILE);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as RuntimeRecord) : undefined;
}

export async function writeRuntimeRecord(dir: string, info: BackendInfo): Promise<void> {
  const record: RuntimeRecord = { backend: info.backend, threads: info.threads, ...(info.adapter ? { adapter: info.adapter } : {}) };
  await writeAtomic(join(dir, RUNTIME_FILE), new TextEncoder().encode(JSON.stringify(record, null, 2) + '\n'));
}

/** A resumed run keeps its backend and threads unless the command line names others. */
export function resumedRuntime(record: RuntimeRecord | undefined, flags: { backend?: BackendPreference; threads?: number }) {
  return { backend: flags.backend ?? record?.backend, threads: flags.threads ?? (record?.threads || undefined) };
}
