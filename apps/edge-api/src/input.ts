import type { Context } from 'hono';
import { ApiError } from './errors.ts';
import { MEDIA_TYPES, readHeader, type ImageFormat, type ImageHeader } from './codecs/sniff.ts';

export const ACCEPTED_TYPES = Object.values(MEDIA_TYPES);

export interface ImageInput {
  bytes: Uint8Array;
  header: ImageHeader;
}

const formatOfType = (type: string): ImageFormat | undefined =>
  (Object.keys(MEDIA_TYPES) as ImageFormat[]).find((f) => MEDIA_TYPES[f] === type);

/** The format a declared media type promises; null when it promises nothing (absent, octet-stream). 415 for others. */
function declaredFormat(declared: string): ImageFormat | null {
  const type = declared.split(';')[0].trim().toLowerCase();
  if (type === '' || type === 'application/octet-stream') return null;
  const format = formatOfType(type);
  if (!format) throw new ApiError(415, 'unsupported_media_type', `'${type}' is not supported; send ${ACCEPTED_TYPES.join(', ')} or multipart/form-data`);
  return format;
}

async function fromMultipart(c: Context): Promise<{ bytes: Uint8Array; type: string }> {
  let form: FormData;
  try {
    form = await c.req.raw.formData();
  } catch (err) {
    throw new ApiError(400, 'bad_request', `unreadable multipart body: ${(err as Error).message}`);
  }
  const file = form.get('image');
  if (file == null) throw new ApiError(400, 'bad_request', "multipart body without an 'image' field");
  if (typeof file === 'string') throw new ApiError(400, 'bad_request', "the 'image' field must be a file");
  // A part without its own Content-Type is text/plain by the multipart rules (and '' in some parsers): it promises nothing.
  const type = file.type.split(';')[0].trim().toLowerCase() === 'text/plain' ? '' : file.type;
  return { bytes: new Uint8Array(await file.arrayBuffer()), type };
}

/** The raw body; a client that disconnects mid-body is a 400 (nobody reads it), not an unhandled error. */
async function rawBody(c: Context): Promise<Uint8Array> {
  try {
    return new Uint8Array(await c.req.arrayBuffer());
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError(400, 'bad_request', `the request body could not be read: ${(err as Error).message}`);
  }
}

/**
 * The request's image (raw body or multipart field `image`), identified from its header bytes and
 * checked against `maxPixels` before anything is decoded.
 */
export async function readImageInput(c: Context, maxPixels: number): Promise<ImageInput> {
  const contentType = c.req.header('content-type') ?? '';
  const multipart = contentType.toLowerCase().startsWith('multipart/form-data');
  // A raw body's type is checked before its bytes are read.
  if (!multipart) declaredFormat(contentType);
  const { bytes, type } = multipart ? await fromMultipart(c) : { bytes: await rawBody(c), type: contentType };
  const declared = declaredFormat(type);
  if (bytes.length === 0) throw new ApiError(400, 'empty_body', 'the request has no image bytes');
  const header = readHeader(bytes);
  if (declared && declared !== header.format) {
    throw new ApiError(415, 'media_type_mismatch', `declared ${MEDIA_TYPES[declared]} but the bytes are ${MEDIA_TYPES[header.format]}`);
  }
  checkPixels(header, maxPixels);
  return { bytes, header };
}

/** 422 for a zero-sized header, 413 above the pixel limit. */
export function checkPixels(header: ImageHeader, maxPixels: number): void {
  const { width, height } = header;
  if (width < 1 || height < 1) throw new ApiError(422, 'invalid_image', `the image header says ${width}x${height}`);
  if (width * height > maxPixels) {
    throw new ApiError(413, 'too_many_pixels', `${width}x${height} = ${width * height} pixels exceeds the limit of ${maxPixels}`);
  }
}
