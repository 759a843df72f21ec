/** Collects named durations for the `Server-Timing` header. */
export class ServerTiming {
  private readonly entries: Array<[string, number]> = [];

  async measure<T>(name: string, work: () => Promise<T> | T): Promise<T> {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      this.entries.push([name, performance.now() - t0]);
    }
  }

  record(name: string, ms: number): void {
    this.entries.push([name, ms]);
  }

  header(): string {
    return this.entries.map(([name, ms]) => `${name};dur=${ms.toFixed(1)}`).join(', ');
  }
}
