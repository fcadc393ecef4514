#!/usr/bin/env node
// The `strata` command: the compiled CLI (src/cli) does the work.
import '../dist/cli/main.js';
