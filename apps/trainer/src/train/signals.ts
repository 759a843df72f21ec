/**
 * Turns the first SIGINT/SIGTERM into a flag the training loop polls, so it can checkpoint at the end of the current
 * iteration and exit. The first signal also removes the handlers, which gives the signal back its default action: a
 * second one kills the process at once, even while a long synchronous step blocks JavaScript (checkpoints are written
 * atomically, so the last one stays intact).
 */
export function watchSignals(print: (line: string) => void): { requested: () => boolean; dispose: () => void } {
  let requested = false;
  const dispose = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    requested = true;
    dispose();
    print(`\n${signal}: saving a checkpoint at the end of the current iteration (send again to exit now, keeping the last checkpoint)`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return { requested: () => requested, dispose };
}

/**
 * Lets the event loop run once. The training loop's awaits usually resolve as microtasks (prefetched batches, reads
 * on the cpu/wasm backends), which would starve signal delivery and timers until the next file write.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
