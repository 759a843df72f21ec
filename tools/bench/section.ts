/** One named part of `npm run bench`; its result is embedded as-is in the printed JSON document. */
export interface BenchSection {
  name: string;
  description: string;
  run(): Promise<unknown>;
}
