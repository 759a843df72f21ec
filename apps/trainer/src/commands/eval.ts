import { join, parse } from 'node:path';
import type { CommandModule } from 'yargs';
import { upscaleBicubic } from '@sr/metrics';
import type { LpipsNet } from '@sr/model';
import type { BackendPreference } from '@sr/model/backend-choices';
import { CliError } from '../cli-error.ts';
import { withBackendOption } from './backend-option.ts';
import { evaluateFolder } from '../io/evaluate-folder.ts';
import { LpipsMetric } from '../io/lpips-metric.ts';
import { writeImage } from '../io/image-io.ts';
import { formatScores, metricOptionsFrom, parseScale, withMetricOptions, type MetricFlags } from './metric-options.ts';

type Args = MetricFlags & {
  model: string;
  hr: string;
  lr?: string;
  scale: number;
  save?: string;
  tile: number;
  ensemble: boolean;
  backend: BackendPreference;
  lpips?: string;
  'lpips-net': LpipsNet;
  'lpips-backbone'?: string;
};

export const evalCommand: CommandModule<object, Args> = {
  command: 'eval',
  describe: 'PSNR/SSIM of a model and of bicubic on a folder of HR images (LR made with MATLAB bicubic)',
  builder: (y) =>
    withMetricOptions(
      withBackendOption(y, 'auto')
        .option('model', { type: 'string', demandOption: true, describe: 'model file (.safetensors)' })
        .option('hr', { type: 'string', demandOption: true, describe: 'folder of HR images' })
        .option('lr', { type: 'string', describe: 'folder of LR images <stem>x<scale>.png (default: made from the HR)' })
        .option('scale', { type: 'number', demandOption: true, describe: 'must match the model' })
        .option('save', { type: 'string', describe: 'write each SR output here as <name>.png' })
        .option('tile', { type: 'number', default: 128, describe: 'LR tile size for inference (0 = whole image)' })
        .option('ensemble', { type: 'boolean', default: false, describe: 'self-ensemble: average the 8 flips/rotations (BasicSR x8); 8x the time' })
        .option('lpips', { type: 'string', describe: 'also LPIPS: weights as safetensors (sr convert alex.pth --raw), lin layers or a whole LPIPS state dict' })
        .option('lpips-net', { choices: ['alex', 'vgg'] as const, default: 'alex' as const, describe: 'LPIPS backbone' })
        .option('lpips-backbone', { type: 'string', describe: 'torchvision alexnet/vgg16 weights as safetensors, when --lpips holds only the lin layers' }),
    ).example('$0 eval --model runs/tiny/gan.safetensors --hr ../shared/datasets/urban100-val --scale 4 --y-channel --crop 4 --json', 'BasicSR-style Y-channel scores'),
  handler: async (argv) => {
    const scale = parseScale(argv.scale);
    const metrics = metricOptionsFrom(argv);
    const { initBackend, loadModelFile, Upscaler } = await import('@sr/model');
    await initBackend({ prefer: argv.backend, log: null });
    let model;
    try {
      model = (await loadModelFile(argv.model)).generator;
    } catch (err) {
      throw new CliError(`cannot load model ${argv.model}: ${(err as Error).message}`);
    }
    if (model.scale !== scale) throw new CliError(`--scale ${scale} does not match the model (x${model.scale})`);
    const lpips = argv.lpips ? LpipsMetric.load({ net: argv['lpips-net'], weights: argv.lpips, backbone: argv['lpips-backbone'] }) : undefined;
    const engine = Upscaler.forGenerator(model);
    const ensemble = argv.ensemble ? (8 as const) : (1 as const);
    let inferSeconds = 0;
    const sr = await evaluateFolder({
      hrDir: argv.hr,
      lrDir: argv.lr,
      scale,
      metrics,
      lpips,
      upscale: async (lr, name) => {
        const t0 = performance.now();
        const out = await engine.upscale(lr, { tile: argv.tile, ensemble });
        inferSeconds += (performance.now() - t0) / 1000;
        if (argv.save) await writeImage(join(argv.save, `${parse(name).name}.png`), out);
        return out;
      },
    });
    const bicubic = await evaluateFolder({ hrDir: argv.hr, lrDir: argv.lr, scale, metrics, lpips, upscale: (lr) => upscaleBicubic(lr, scale) });
    lpips?.dispose();
    const scores = (r: { psnr: number; ssim: number; lpips?: number }) => ({ psnr: r.psnr, ssim: r.ssim, ...(r.lpips !== undefined ? { lpips: r.lpips } : {}) });
    const perImage = sr.perImage.map((row, i) => ({ ...row, bicubic: scores(bicubic.perImage[i]) }));
    const report = { ...scores(sr), bicubic: scores(bicubic), images: sr.images, ensemble, inferSeconds: Number(inferSeconds.toFixed(3)), perImage };
    if (argv.json) {
      console.log(JSON.stringify(report));
      return;
    }
    for (const row of perImage) console.log(`${row.name}: model ${formatScores(row)} | bicubic ${formatScores(row.bicubic)}`);
    const how = `${ensemble > 1 ? `, ensemble x${ensemble}` : ''}, ${report.inferSeconds} s inference`;
    console.log(`mean over ${report.images} images: model ${formatScores(report)} | bicubic ${formatScores(report.bicubic)} (tile ${argv.tile}${how})`);
  },
};
