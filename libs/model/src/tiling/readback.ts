import * as tf from '@tensorflow/tfjs';

/** The parts of tfjs-backend-wasm's BackendWasm that locate a tensor's bytes in the module's heap (4.22). */
interface WasmHeapBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
}

const isWasmHeapBackend = (b: unknown): b is WasmHeapBackend =>
  typeof (b as Partial<WasmHeapBackend>)?.wasm?.HEAPU8 === 'object' && typeof (b as Partial<WasmHeapBackend>).dataIdMap?.get === 'function';

/**
 * Calls `use` with the float32 values of `t`: on wasm a view of the tensor's bytes in the module's heap (no copy, so
 * a whole-image result does not add its size in garbage per request), elsewhere the downloaded copy. The view is only
 * valid during `use`, which must not run tfjs ops (an allocation can grow and move the heap).
 */
export async function withFloatData<T>(t: tf.Tensor, use: (data: Float32Array) => T): Promise<T> {
  const backend = tf.getBackend() === 'wasm' ? tf.backend() : undefined;
  const offset = isWasmHeapBackend(backend) && t.dtype === 'float32' ? backend.dataIdMap.get(t.dataId)?.memoryOffset : undefined;
  if (offset === undefined || !isWasmHeapBackend(backend)) return use((await t.data()) as Float32Array);
  return use(new Float32Array(backend.wasm.HEAPU8.buffer, offset, t.size));
}
