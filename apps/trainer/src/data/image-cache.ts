/**
 * An LRU cache bounded by bytes: `get` loads on a miss (concurrent misses of one key share one load) and evicts the
 * least recently used entries beyond the budget; a value larger than the whole budget is returned but not kept.
 */
export class ByteLru<V> {
  private readonly entries = new Map<number, { value: V; bytes: number }>();
  private readonly loading = new Map<number, Promise<V>>();
  private total = 0;
  hits = 0;
  misses = 0;

  constructor(
    private readonly budgetBytes: number,
    private readonly sizeOf: (value: V) => number,
    private readonly load: (key: number) => Promise<V>,
  ) {}

  get bytes(): number {
    return this.total;
  }

  async get(key: number): Promise<V> {
    const hit = this.entries.get(key);
    if (hit) {
      this.hits++;
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.value;
    }
    const pending = this.loading.get(key);
    if (pending) return pending;
    this.misses++;
    const loaded = this.load(key).then((value) => {
      this.insert(key, value);
      return value;
    });
    this.loading.set(key, loaded);
    try {
      return await loaded;
    } finally {
      this.loading.delete(key);
    }
  }

  private insert(key: number, value: V): void {
    const bytes = this.sizeOf(value);
    if (bytes > this.budgetBytes) return;
    this.entries.set(key, { value, bytes });
    this.total += bytes;
    for (const [k, e] of this.entries) {
      if (this.total <= this.budgetBytes) break;
      this.entries.delete(k);
      this.total -= e.bytes;
    }
  }
}
