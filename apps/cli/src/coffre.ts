#!/usr/bin/env node
import { createProgram, describeError } from './createProgram.ts';

const program = createProgram({
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`${describeError(error)}\n`);
  process.exitCode = 1;
}
