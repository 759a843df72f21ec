/**
 * Awaits a promise that another request may settle (a shared model load, a queue hand-off).
 * workerd cancels a request as "hung" when all it waits on is a promise settled from a different
 * request's context; a timer of the waiting request's own keeps it alive until the promise settles.
 * In Node this only adds a 10 ms timer while waiting.
 */
export async function awaitShared<T>(promise: Promise<T>, pollMs = 10): Promise<T> {
  let settled = false;
  const keepAlive = async () => {
    while (!settled) await new Promise((r) => setTimeout(r, pollMs));
  };
  void keepAlive();
  try {
    return await promise;
  } finally {
    settled = true;
  }
}
