import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppConfig } from './config.ts';
import type { Codec } from './codecs/types.ts';
import type { LpipsScorer } from './lpips.ts';
import type { ModelRegistry } from './models/registry.ts';
import type { JobQueue } from './queue.ts';

/** Everything runtime-specific, handed to `createApp` by worker.ts / node.ts (and by tests). */
export interface AppDeps {
  config: AppConfig;
  codec: Codec;
  models: ModelRegistry;
  /** Set when LPIPS weights are configured: /v1/evaluate then reports LPIPS. */
  lpips?: LpipsScorer;
  /** 'workerd' or 'node', reported by /healthz. */
  runtime: string;
  /** The tfjs backend in one line once models have loaded (e.g. "wasm (simd true, threads 1)"), reported by /healthz. */
  backend?: () => string | undefined;
  /** Serves the demo page's static files; undefined → 404 JSON. */
  serveAsset?: (c: Context) => Promise<Response | undefined>;
}

/** Shared by the routes of one app instance. */
export interface RouteContext extends AppDeps {
  queue: JobQueue;
}

export type App = OpenAPIHono;
