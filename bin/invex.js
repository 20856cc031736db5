#!/usr/bin/env node
// invex ships its TypeScript sources and runs them through tsx's loader, so that
// `npm install && npm start` needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
