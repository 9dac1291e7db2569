/*
 * The kube-simulator command line: parse arguments, start the clusters of a
 * config file, print where they listen, stop cleanly on SIGINT / SIGTERM.
 */
import { loadConfig } from './fixtures';
import { startSimulator } from './simulator';
import { caFileIn, ensureTlsMaterial } from './tls';
import { writeKubeconfig } from './kubeconfig';

export const USAGE = `Usage: kube-simulator --config <file.yaml> [--host 127.0.0.1] [--tls-dir <dir> [--kubeconfig <file>]] [--verbose]

A local stand-in for Kubernetes API servers (NOT Kubernetes): serves the subset
of the real API paths and JSON shapes that the stock Backstage kubernetes
backend and the Khal Ladder gates read, one port per simulated cluster.

Options:
  --config <file>  simulator config (clusters, ports, tokens, fixture files)
  --host <host>    interface to listen on (default: config host or 127.0.0.1)
  --tls-dir <dir>  serve https with a CA and server certificate kept in <dir>
                   (made with openssl when missing; clients trust <dir>/ca.crt)
  --kubeconfig <file>
                   write a kubeconfig for the clusters (needs --tls-dir): one
                   context per cluster, named like the cluster
  --verbose        log every request to stderr
  --help           show this help
`;

/** Parsed command line. */
export interface CliArgs {
  config?: string;
  host?: string;
  tlsDir?: string;
  kubeconfig?: string;
  verbose: boolean;
  help: boolean;
}

/** Parses argv (without node and script). Throws on unknown options. */
export function parseArgs(argv: string[]): CliArgs {
  const args: CliArgs = { verbose: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--config':
      case '-c':
        args.config = value();
        break;
      case '--host':
        args.host = value();
        break;
      case '--tls-dir':
        args.tlsDir = value();
        break;
      case '--kubeconfig':
        args.kubeconfig = value();
        break;
      case '--verbose':
      case '-v':
        args.verbose = true;
        break;
      case '--help':
      case '-h':
        args.help = true;
        break;
      default:
        throw new Error(`unknown argument ${argv[i]}`);
    }
  }
  return args;
}

/** Runs the CLI; resolves with an exit code (or never, while serving). */
export async function runCli(
  argv: string[],
  io: { out: (line: string) => void; err: (line: string) => void } = {
    out: line => process.stdout.write(`${line}\n`),
    err: line => process.stderr.write(`${line}\n`),
  },
): Promise<number | undefined> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    io.err(`kube-simulator: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    io.out(USAGE);
    return 0;
  }
  if (!args.config) {
    io.err(`kube-simulator: --config is required\n\n${USAGE}`);
    return 2;
  }
  if (args.kubeconfig && !args.tlsDir) {
    io.err(
      `kube-simulator: --kubeconfig needs --tls-dir (kubectl sends tokens only over TLS)\n\n${USAGE}`,
    );
    return 2;
  }
  try {
    const config = loadConfig(args.config);
    const tls = args.tlsDir ? ensureTlsMaterial(args.tlsDir) : undefined;
    const simulator = await startSimulator({
      clusters: config.clusters,
      host: args.host ?? config.host ?? '127.0.0.1',
      onRequest: args.verbose
        ? e =>
            io.err(
              `${e.time} ${e.cluster} ${e.method} ${e.path}${
                Object.keys(e.query).length
                  ? `?${new URLSearchParams(e.query)}`
                  : ''
              } -> ${e.status}`,
            )
        : undefined,
      tls,
    });
    if (tls && args.tlsDir)
      io.out(`clients trust the CA in ${caFileIn(args.tlsDir)}`);
    if (tls && args.kubeconfig) {
      writeKubeconfig(args.kubeconfig, simulator.clusters, tls.ca);
      io.out(
        `kubeconfig for kubectl: ${
          args.kubeconfig
        } (contexts ${simulator.clusters.map(c => c.name).join(', ')})`,
      );
    }
    for (const c of simulator.clusters)
      io.out(`cluster ${c.name} listening on ${c.url} (token via config)`);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      io.err(`kube-simulator: ${signal}, stopping`);
      simulator.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    return undefined;
  } catch (e) {
    io.err(`kube-simulator: ${(e as Error).message}`);
    return 1;
  }
}
