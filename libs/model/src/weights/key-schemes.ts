import { WeightsError } from './errors.ts';
import type { StateDict } from './host-tensor.ts';

export type KeyScheme = 'basicsr' | 'esrgan-old';

/** Top-level modules of the original ESRGAN `RRDBNet` (a flattened nn.Sequential) → BasicSR names. */
const OLD_TOP: Record<string, string> = { '0': 'conv_first', '3': 'conv_up1', '6': 'conv_up2', '8': 'conv_hr', '10': 'conv_last' };
const OLD_RDB = /^model\.1\.sub\.(\d+)\.RDB([123])\.conv([1-5])\.0\.(weight|bias)$/;
const OLD_BODY_CONV = /^model\.1\.sub\.(\d+)\.(weight|bias)$/;
const OLD_TOP_CONV = /^model\.(\d+)\.(weight|bias)$/;

function stripDataParallel(sd: StateDict): StateDict {
  const keys = Object.keys(sd);
  if (!keys.every((k) => k.startsWith('module.'))) return sd;
  return Object.fromEntries(keys.map((k) => [k.slice('module.'.length), sd[k]]));
}

function isOldEsrgan(sd: StateDict): boolean {
  return 'model.0.weight' in sd && Object.keys(sd).some((k) => k.startsWith('model.1.sub.'));
}

function oldEsrganName(key: string, numBlock: number): string {
  let m = OLD_RDB.exec(key);
  if (m) return `body.${m[1]}.rdb${m[2]}.conv${m[3]}.${m[4]}`;
  m = OLD_BODY_CONV.exec(key);
  if (m && Number(m[1]) === numBlock) return `conv_body.${m[2]}`;
  m = OLD_TOP_CONV.exec(key);
  if (m && OLD_TOP[m[1]]) return `${OLD_TOP[m[1]]}.${m[2]}`;
  throw new WeightsError(`unrecognized key "${key}" in an old-ESRGAN (model.N) checkpoint`);
}

/**
 * Brings a state dict to BasicSR/Real-ESRGAN names: drops a DataParallel `module.` prefix and rewrites the
 * original ESRGAN repository's names (`model.0`, `model.1.sub.{i}.RDB{k}.conv{j}.0`, `model.1.sub.{N}`,
 * `model.3/6/8/10`).
 */
export function normalizeKeys(input: StateDict): { stateDict: StateDict; scheme: KeyScheme } {
  const sd = stripDataParallel(input);
  if (!isOldEsrgan(sd)) return { stateDict: sd, scheme: 'basicsr' };
  // The trunk conv is the `model.1.sub` entry right after the last RRDB.
  const blocks = new Set(Object.keys(sd).flatMap((k) => OLD_RDB.exec(k)?.[1] ?? []));
  const stateDict: StateDict = {};
  for (const [key, t] of Object.entries(sd)) stateDict[oldEsrganName(key, blocks.size)] = t;
  return { stateDict, scheme: 'esrgan-old' };
}
