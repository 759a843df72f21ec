import { BufferReader, NameRegistry, Parser } from 'pickleparser';
import type { WeightDtype } from './dtype.ts';

/** A storage referenced by a pickled tensor; its bytes live outside the pickle. */
export interface StorageRef {
  dtype: WeightDtype;
  key: string;
}

/** What `torch._utils._rebuild_tensor_v2` describes: a strided view of a storage. */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {}
}

const STORAGE_DTYPES: Record<string, WeightDtype> = {
  FloatStorage: 'F32',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  DoubleStorage: 'F64',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ByteStorage: 'U8',
};

class StorageType {
  constructor(readonly name: string) {}
}

function toInts(v: unknown, what: string): number[] {
  if (!Array.isArray(v) || !v.every((d) => typeof d === 'number')) throw new Error(`pickle: bad tensor ${what}`);
  return v as number[];
}

function rebuildTensor(storage: unknown, offset: unknown, size: unknown, stride: unknown): TensorRef {
  if (typeof storage !== 'object' || storage === null || !('key' in storage)) throw new Error('pickle: tensor without storage');
  if (typeof offset !== 'number') throw new Error('pickle: bad tensor storage offset');
  return new TensorRef(storage as StorageRef, offset, toInts(size, 'size'), toInts(stride, 'stride'));
}

function torchRegistry(): NameRegistry {
  return new NameRegistry()
    .register('torch._utils', '_rebuild_tensor_v2', rebuildTensor)
    .register('torch._utils', '_rebuild_tensor', rebuildTensor)
    .register('torch._utils', '_rebuild_parameter', (data: unknown) => data)
    .register('collections', 'OrderedDict', () => new Map());
}

function resolveStorage(pid: unknown): StorageRef {
  // ('storage', storage_type, key, location, numel[, view_metadata])
  if (!Array.isArray(pid) || pid[0] !== 'storage') throw new Error(`pickle: unsupported persistent id ${String(pid)}`);
  const type = pid[1];
  if (!(type instanceof StorageType)) throw new Error(`pickle: unsupported storage type ${type?.prototype?.__name__ ?? type}`);
  const dtype = STORAGE_DTYPES[type.name];
  return { dtype, key: String(pid[2]) };
}

/** Storage types (torch.FloatStorage …) are referenced by persistent ids, never called: resolve them to markers. */
function storageTypeResolver(reg: NameRegistry) {
  return {
    resolve(module: string, name: string) {
      if (module === 'torch' && Object.hasOwn(STORAGE_DTYPES, name)) return new StorageType(name) as never;
      return reg.resolve(module, name);
    },
  };
}

export function torchUnpickler(): Parser {
  return new Parser({
    nameResolver: storageTypeResolver(torchRegistry()),
    persistentResolver: { resolve: resolveStorage },
    unpicklingTypeOfDictionary: 'Map',
  });
}

export { BufferReader };
