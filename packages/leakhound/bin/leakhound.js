#!/usr/bin/env node
// Committed shim so npm can link the bin before the TypeScript build has run.
import { run, reportError } from '../dist/cli/main.js';

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.exitCode = reportError(error);
  },
);
