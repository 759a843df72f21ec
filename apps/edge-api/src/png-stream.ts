import type { RowBand } from '@sr/model';
import type { BandReader } from './band-reader.ts';
import type { PngRowEncoder } from './codecs/png/encode.ts';
import type { Job } from './job.ts';

/**
 * A client that takes nothing for this long loses its job: it would hold the inference slot for as long as it likes.
 * It is also how a disconnect ends a job under `wrangler dev`, whose local proxy passes neither the disconnect
 * (request.signal) nor a cancel of the body on to the worker (checked: the body is simply no longer read). 10 s is
 * enough for a ~100 KB/s client to take one band of a 4096-px-wide result.
 */
export const STALL_MS = 10_000;

/**
 * The PNG response body: signature + IHDR and the first band at once, then one IDAT per band as the client reads
 * (pull-driven, so a slow reader slows the engine instead of piling up bands). A cancelled body (client gone) aborts
 * the job, and so does a client that stops reading for STALL_MS; either way the job is finished when the stream ends.
 */
export function pngStream(encoder: PngRowEncoder, first: RowBand, reader: BandReader, job: Job): ReadableStream<Uint8Array> {
  let started = false;
  let stall: ReturnType<typeof setTimeout> | undefined;
  const bytesOf = (band: RowBand) => encoder.addRows(band.data, band.height);
  const end = async () => {
    clearTimeout(stall);
    await job.finish();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      clearTimeout(stall);
      try {
        if (!started) {
          started = true;
          controller.enqueue(encoder.header());
          for (const bytes of bytesOf(first)) controller.enqueue(bytes);
        } else {
          // Bands whose rows the compressor only buffered give no bytes; a pull that enqueues nothing would not be
          // called again (a stream pulls again only after an enqueue or a new read), so read on until bytes come.
          let parts: Uint8Array[] = [];
          while (parts.length === 0) {
            const band = await reader.next();
            if (!band) {
              controller.close();
              await end();
              return;
            }
            parts = bytesOf(band);
          }
          for (const bytes of parts) controller.enqueue(bytes);
        }
        // Waiting for the client to read on.
        stall = setTimeout(() => {
          job.cancel();
          controller.error(new Error(`the client read nothing for ${STALL_MS} ms`));
          void end();
        }, STALL_MS);
      } catch (err) {
        if (!job.signal.aborted) console.error('upscale failed while streaming the response:', err);
        job.cancel();
        controller.error(err);
        await end();
      }
    },
    async cancel() {
      job.cancel();
      await end();
    },
  });
}
