import { mkdirSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { CliError } from '../cli-error.ts';

interface Args {
  config: string;
  set: string[];
  out: string;
  count: number;
  hr?: string;
  seed?: number;
}

export const degradeCommand: CommandModule<object, Args> = {
  command: 'degrade',
  describe: "Write training samples as the trainer makes them: HR patch, its degraded LR (data.degradation) and a strip",
  builder: (y) =>
    y
      .option('config', { type: 'string', demandOption: true, describe: 'training config (JSON)' })
      .option('set', { type: 'string', array: true, default: [], describe: 'override a config field: --set data.lrPatch=32' })
      .option('out', { type: 'string', demandOption: true, describe: 'output folder' })
      .option('count', { type: 'number', default: 4, describe: 'samples to write (1..256)' })
      .option('hr', { type: 'string', describe: 'folder of HR images instead of data.train' })
      .option('seed', { type: 'number', describe: 'data seed (default: the config seed)' })
      .example('$0 degrade --config realesrgan-x4.json --out degraded --count 8', 'degraded/sample-0.png … (LR nearest ×4 | HR)'),
  handler: async (argv) => {
    if (!Number.isInteger(argv.count) || argv.count < 1 || argv.count > 256) throw new CliError(`--count ${argv.count}: expected an integer 1..256`);
    if (argv.seed !== undefined && (!Number.isInteger(argv.seed) || argv.seed < 0)) throw new CliError(`--seed ${argv.seed}: expected an integer >= 0`);
    const { loadConfig } = await import('../config/load.ts');
    const { openTrainingSet } = await import('../data/dataset.ts');
    const { BatchSource } = await import('../data/batches.ts');
    const { writeBatchStrips } = await import('../data/sample-strips.ts');
    const c = loadConfig(argv.config, argv.set);
    const data = { ...c.data, batchSize: 1, train: argv.hr ? { hr: argv.hr } : c.data.train };
    const seed = argv.seed ?? c.seed;
    const set = await openTrainingSet(data, { scale: c.scale, seed, warn: (m) => console.log(`warning: ${m}`) });
    const source = new BatchSource(set, data, c.scale, seed);
    mkdirSync(argv.out, { recursive: true });
    const files: string[] = [];
    for (let i = 0; i < argv.count; i++) files.push(...(await writeBatchStrips(argv.out, await source.batch(i), c.scale, `sample-${i}`, true)));
    const how = c.data.degradation ? 'Real-ESRGAN degradation' : 'bicubic LR';
    console.log(`wrote ${argv.count} samples (${how}, LR ${data.lrPatch}px, HR ${data.lrPatch * c.scale}px) to ${argv.out}: ${files.join(', ')}`);
  },
};
