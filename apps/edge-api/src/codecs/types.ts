import type { ImageU8 } from '@sr/metrics';
import type { ImageFormat } from './sniff.ts';

/** Image codec of one runtime. `decode` returns RGB (alpha flattened on black); errors on broken data. */
export interface Codec {
  name: string;
  decode(bytes: Uint8Array, format: ImageFormat): Promise<ImageU8>;
  /** `quality` 1..100 applies to jpeg and webp. */
  encode(image: ImageU8, format: ImageFormat, quality: number): Promise<Uint8Array>;
}
