import type { CommandModule } from 'yargs';

/** Every `sr` command, one module per file. */
export const commands: CommandModule<any, any>[] = [];
