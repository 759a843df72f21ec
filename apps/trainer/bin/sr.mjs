#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so `npx sr` works straight after `npm install` with no build step.
import { register as registerHooks } from 'node:module';
import { register } from 'tsx/esm/api';

register();
// Registered after tsx, so it runs first and tsx resolves with the extra condition.
registerHooks('./source-condition.mjs', import.meta.url);
await import('../src/main.ts');
