import type { ModelMetrics } from './evaluate.ts';
import { describeBackend, sameBackend, type MeasuredOn } from './golden.ts';

export interface Rules {
  /** Largest allowed drop below the golden values. */
  maxPsnrDrop: number;
  maxSsimDrop: number;
  /** PSNR-Y must be above bicubic's on every set. */
  beatBicubic: boolean;
  /** Weight file and probe output sha256 must equal the golden ones. */
  hashes: boolean;
}

export const DEFAULT_RULES: Rules = { maxPsnrDrop: 0.02, maxSsimDrop: 0.0005, beatBicubic: true, hashes: true };

export type RuleName = 'golden-values' | 'psnr-drop' | 'ssim-drop' | 'beats-bicubic' | 'set-pixels' | 'weights-sha256' | 'probe-sha256';

/** Model-level rules have no set; reports show them under this name. */
export const MODEL_LEVEL = 'model';

/** The outcome of one rule for one model on one set (or model-wide, `set` = {@link MODEL_LEVEL}). */
export interface Check {
  model: string;
  set: string;
  rule: RuleName;
  status: 'pass' | 'fail' | 'skip';
  message: string;
  golden?: number | string;
  current?: number | string;
}

export interface BackendPair {
  golden?: MeasuredOn;
  current?: MeasuredOn;
}

const short = (h: string) => h.split('+').map((x) => x.slice(0, 12)).join('+');

function hashCheck(model: string, rule: RuleName, what: string, golden: string, current: string, rules: Rules, backends: BackendPair): Check {
  const base = { model, set: MODEL_LEVEL, rule, golden, current };
  if (!rules.hashes) return { ...base, status: 'skip', message: `${what} not compared (--no-hash)` };
  if (golden === current) return { ...base, status: 'pass', message: `${what} ${short(current)}` };
  const note = rule === 'probe-sha256' && !sameBackend(backends.golden, backends.current)
    ? ` (golden measured on ${describeBackend(backends.golden)}, this run on ${describeBackend(backends.current)})`
    : '';
  return { ...base, status: 'fail', message: `${what} ${short(current)} differs from the golden ${short(golden)}${note}` };
}

function setChecks(model: string, set: string, s: ModelMetrics['sets'][string], g: ModelMetrics['sets'][string] | undefined | null, rules: Rules): Check[] {
  const checks: Check[] = [];
  if (rules.beatBicubic) {
    const beats = s.psnr > s.bicubic.psnr;
    checks.push({ model, set, rule: 'beats-bicubic', status: beats ? 'pass' : 'fail', golden: s.bicubic.psnr, current: s.psnr, message: `PSNR-Y ${s.psnr.toFixed(4)} dB ${beats ? 'above' : 'is not above'} bicubic ${s.bicubic.psnr.toFixed(4)} dB` });
  }
  // null: the whole model has no golden values (one model-level failure says so).
  if (g === null) return checks;
  if (!g) {
    checks.push({ model, set, rule: 'golden-values', status: 'fail', message: `no golden values for this set (run with --update)` });
    return checks;
  }
  const psnrDrop = g.psnr - s.psnr;
  checks.push({ model, set, rule: 'psnr-drop', status: psnrDrop > rules.maxPsnrDrop ? 'fail' : 'pass', golden: g.psnr, current: s.psnr, message: `PSNR-Y ${g.psnr.toFixed(4)} → ${s.psnr.toFixed(4)} dB (allowed drop ${rules.maxPsnrDrop})` });
  const ssimDrop = g.ssim - s.ssim;
  checks.push({ model, set, rule: 'ssim-drop', status: ssimDrop > rules.maxSsimDrop ? 'fail' : 'pass', golden: g.ssim, current: s.ssim, message: `SSIM-Y ${g.ssim.toFixed(6)} → ${s.ssim.toFixed(6)} (allowed drop ${rules.maxSsimDrop})` });
  if (g.pixelsSha256 && s.pixelsSha256) {
    const same = g.pixelsSha256 === s.pixelsSha256;
    checks.push({ model, set, rule: 'set-pixels', status: same ? 'pass' : 'fail', golden: g.pixelsSha256, current: s.pixelsSha256, message: same ? 'same HR images as the golden values' : `the HR images differ from the ones the golden values were measured on (${short(s.pixelsSha256)} vs ${short(g.pixelsSha256)}): re-run with --update if that is intended` });
  }
  return checks;
}

/**
 * Every rule for one model: per set (beats bicubic, PSNR/SSIM drop, same images) and model-wide (weights and probe
 * output sha256). Golden sets not measured in this run are reported as skipped.
 */
export function checkModel(model: string, current: ModelMetrics, golden: ModelMetrics | undefined, rules: Rules, backends: BackendPair = {}): Check[] {
  const checks: Check[] = [];
  if (!golden) checks.push({ model, set: MODEL_LEVEL, rule: 'golden-values', status: 'fail', message: 'no golden values for this model (run with --update)' });
  for (const [set, s] of Object.entries(current.sets)) checks.push(...setChecks(model, set, s, golden ? golden.sets[set] : null, rules));
  if (!golden) return checks;
  for (const set of Object.keys(golden.sets).filter((k) => !(k in current.sets))) {
    checks.push({ model, set, rule: 'golden-values', status: 'skip', message: 'in the golden file but not measured in this run' });
  }
  checks.push(hashCheck(model, 'weights-sha256', 'weights sha256', golden.weightsSha256, current.weightsSha256, rules, backends));
  checks.push(hashCheck(model, 'probe-sha256', 'probe output sha256', golden.outputSha256, current.outputSha256, rules, backends));
  return checks;
}

export const failures = (checks: readonly Check[]): Check[] => checks.filter((c) => c.status === 'fail');

export const formatCheck = (c: Check): string => `${c.model} ${c.set} ${c.rule}: ${c.message}`;
