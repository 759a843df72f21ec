/** Turns SIGINT/SIGTERM into a flag the training loop polls, so it can checkpoint and exit cleanly. A second signal exits at once. */
export function watchSignals(): { requested: () => boolean; dispose: () => void } {
  let requested = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (requested) process.exit(signal === 'SIGINT' ? 130 : 143);
    requested = true;
    process.stderr.write(`\n${signal}: saving a checkpoint after the current step (send again to exit now)\n`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    requested: () => requested,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
