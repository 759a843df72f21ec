import { dirname, extname, join, parse, resolve } from 'node:path';
import { CliError } from '../cli-error.ts';
import type { OutputFormat } from './image-io.ts';
import type { InputFile } from './inputs.ts';

export const FORMAT_CHOICES = ['same', 'png', 'jpg', 'webp'] as const;
export type FormatChoice = (typeof FORMAT_CHOICES)[number];

const BY_EXT: Record<string, OutputFormat> = { '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.webp': 'webp' };
const EXT_OF: Record<Exclude<FormatChoice, 'same'>, string> = { png: '.png', jpg: '.jpg', webp: '.webp' };

/** The encoder for a file name by extension, or undefined when it is not one we write. */
export const formatOfPath = (path: string): OutputFormat | undefined => BY_EXT[extname(path).toLowerCase()];

export interface PlannedOutput extends InputFile {
  outPath: string;
  format: OutputFormat;
}

export interface OutputOptions {
  out: string;
  /** `--out` names one output file (one file input, an image extension, not an existing folder). */
  toFile: boolean;
  suffix: string;
  format: FormatChoice;
}

/**
 * Where each input goes: `--out` itself for a single file, else `<out>/<name's folders>/<stem><suffix>.<ext>` with the
 * input's own extension (`same`; PNG when it is not PNG/JPEG/WebP) or the chosen format's. Refuses before any work
 * when two inputs would write the same file or an output would overwrite its input.
 */
export function planOutputs(files: InputFile[], opts: OutputOptions): PlannedOutput[] {
  const planned = files.map((f): PlannedOutput => {
    if (opts.toFile) {
      const format = formatOfPath(opts.out)!;
      if (opts.format !== 'same' && BY_EXT[EXT_OF[opts.format]] !== format) {
        throw new CliError(`--format ${opts.format} does not match the extension of --out ${opts.out}`);
      }
      return { ...f, outPath: opts.out, format };
    }
    const own = formatOfPath(f.name);
    const ext = opts.format === 'same' ? (own ? extname(f.name) : '.png') : EXT_OF[opts.format];
    const { name } = parse(f.name);
    return { ...f, outPath: join(opts.out, dirname(f.name), `${name}${opts.suffix}${ext}`), format: BY_EXT[ext.toLowerCase()] };
  });
  const byOut = new Map<string, string>();
  for (const p of planned) {
    const key = resolve(p.outPath);
    if (key === resolve(p.path)) throw new CliError(`${p.outPath} would overwrite its input (use another --out or a --suffix)`);
    const other = byOut.get(key);
    if (other !== undefined) throw new CliError(`${other} and ${p.path} would both write ${p.outPath}`);
    byOut.set(key, p.path);
  }
  return planned;
}
