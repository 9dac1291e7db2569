/*
 * Process entry point of bin/kube-simulator.
 */
import { runCli } from './cli';

runCli(process.argv.slice(2)).then(code => {
  if (code !== undefined) process.exitCode = code;
});
