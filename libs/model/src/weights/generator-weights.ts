import type { Generator } from '../archs/types.ts';
import { getGeneratorArch } from '../archs/registry.ts';
import { WeightsError } from './errors.ts';
import type { StateDict } from './host-tensor.ts';
import { inferArch, type InferOptions } from './infer-arch.ts';
import { normalizeKeys } from './key-schemes.ts';
import { paramsToStateDict, stateDictToParams } from './state-dict.ts';

export interface ArchHint extends InferOptions {
  /** Skip inference and use this architecture/config (validated by the architecture). */
  arch?: string;
  config?: unknown;
}

/** Resolves a generator architecture and validates its config; failures are WeightsErrors (bad file). */
function archAndConfig(arch: string, raw: unknown) {
  try {
    const spec = getGeneratorArch(arch);
    return { spec, config: spec.parseConfig(raw) };
  } catch (err) {
    throw new WeightsError(`${arch}: ${(err as Error).message}`);
  }
}

/**
 * Builds a generator from a PyTorch-layout state dict of any supported key scheme: names are normalized,
 * the architecture is inferred (unless given) and every key/shape is checked before tensors are created.
 */
export function generatorFromStateDict(input: StateDict, hint: ArchHint = {}): Generator {
  const { stateDict } = normalizeKeys(input);
  const guess = hint.arch ? { arch: hint.arch, config: hint.config ?? {} } : inferArch(stateDict, hint);
  const { spec, config } = archAndConfig(guess.arch, guess.config);
  const params = stateDictToParams(stateDict, spec.paramShapes(config), guess.arch);
  return { arch: spec.name, config: config as Record<string, unknown>, scale: spec.scaleOf(config), params };
}

/** The generator's parameters in PyTorch names and layout, ready for a file. */
export function generatorToStateDict(g: Generator): Promise<StateDict> {
  return paramsToStateDict(g.params);
}
