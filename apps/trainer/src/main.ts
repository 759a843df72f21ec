import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { commands } from './commands/index.ts';
import { CliError } from './cli-error.ts';

function fail(message: string, code: number): never {
  process.stderr.write(`sr: ${message.split('\n')[0]}\n`);
  process.exit(code);
}

try {
  await yargs(hideBin(process.argv))
    .scriptName('sr')
    .command(commands)
    .demandCommand(1, 'name a command (see sr --help)')
    .strict()
    .strictCommands()
    .fail((msg, err) => {
      if (err) throw err;
      fail(msg, 2);
    })
    .help()
    .parseAsync();
} catch (err) {
  if (err instanceof CliError) fail(err.message, err.exitCode);
  if (process.env.SR_DEBUG) console.error(err);
  fail(err instanceof Error ? err.message : String(err), 1);
}
