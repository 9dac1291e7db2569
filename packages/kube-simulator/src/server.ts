/*
 * The HTTP transport of one simulated cluster (node:http): reads requests,
 * logs them, adds latency, simulates unreachability (hang / reset / refuse)
 * and writes the router's answers.
 */
import http from 'node:http';
import https from 'node:https';
import { Socket } from 'node:net';
import { RequestLogEntry, UnreachableMode } from './types';
import { ApiResponse, RouteContext, route } from './router';
import { ClusterModel } from './cluster';
import { statusBody } from './status';
import { WATCH_POLL_MS, WatchSpec, WatchState } from './watch';

const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Options of a cluster server. */
export interface ClusterServerOptions {
  name: string;
  token: string;
  host: string;
  latencyMs?: number;
  model: ClusterModel;
  /** Shared log every request is appended to. */
  log: RequestLogEntry[];
  /** Oldest entries are dropped beyond this many. */
  logLimit: number;
  /** Called for each answered request (e.g. CLI verbose logging). */
  onRequest?: (entry: RequestLogEntry) => void;
  /** Serve https with this certificate and key (PEM); plain http without. */
  tls?: { cert: string; key: string };
}

export class ClusterServer {
  private readonly server: http.Server | https.Server;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Ends each open watch stream. */
  private readonly watches = new Set<() => void>();
  private latencyMs: number;
  private unreachable: UnreachableMode | undefined;
  private port = 0;
  private listening = false;

  constructor(private readonly opts: ClusterServerOptions) {
    this.latencyMs = opts.latencyMs ?? 0;
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) =>
      this.onRequest(req, res);
    this.server = opts.tls
      ? https.createServer({ cert: opts.tls.cert, key: opts.tls.key }, handler)
      : http.createServer(handler);
    this.server.keepAliveTimeout = 5000;
    this.server.on('connection', socket => {
      if (this.unreachable === 'reset') {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** Base URL of the cluster (after listen). */
  get url(): string {
    const host = this.opts.host.includes(':')
      ? `[${this.opts.host}]`
      : this.opts.host;
    return `${this.opts.tls ? 'https' : 'http'}://${host}:${this.port}`;
  }

  /** Starts listening; port 0 picks a free port. Resolves with the port. */
  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = this.server;
      const fail = (e: Error) => reject(e);
      server.once('error', fail);
      server.listen(port, this.opts.host, () => {
        server.off('error', fail);
        const address = server.address();
        this.port =
          typeof address === 'object' && address ? address.port : port;
        this.listening = true;
        resolve(this.port);
      });
    });
  }

  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  /** Makes the cluster unreachable in a mode, or reachable again. */
  async setUnreachable(
    unreachable: boolean,
    mode: UnreachableMode = 'hang',
  ): Promise<void> {
    const previous = this.unreachable;
    this.unreachable = unreachable ? mode : undefined;
    if (unreachable && mode !== 'hang') this.destroySockets();
    if (unreachable && mode === 'refuse' && this.listening) {
      await this.closeListener();
    }
    if (!unreachable && previous === 'refuse' && !this.listening) {
      await this.listen(this.port);
    }
    if (!unreachable && previous === 'hang') this.destroySockets();
  }

  private destroySockets(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  private closeListener(): Promise<void> {
    this.listening = false;
    return new Promise(resolve => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
      this.destroySockets();
    });
  }

  /** Stops the server, dropping every open and hanging connection. */
  async close(): Promise<void> {
    for (const end of [...this.watches]) end();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.listening) await this.closeListener();
    this.destroySockets();
  }

  private delay(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise(resolve => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private readBody(req: http.IncomingMessage): Promise<string | undefined> {
    return new Promise(resolve => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      });
      req.on('end', () =>
        resolve(
          size > MAX_BODY_BYTES
            ? undefined
            : Buffer.concat(chunks).toString('utf8'),
        ),
      );
      req.on('error', () => resolve(''));
    });
  }

  private async onRequest(
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    const entry: RequestLogEntry = {
      cluster: this.opts.name,
      method: (req.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams.entries()),
      accept: req.headers.accept ?? '',
      time: new Date().toISOString(),
      status: null,
      returnedSecretData: false,
    };
    this.opts.log.push(entry);
    if (this.opts.log.length > this.opts.logLimit)
      this.opts.log.splice(0, this.opts.log.length - this.opts.logLimit);
    if (this.dropped(req)) return;
    const body = await this.readBody(req);
    await this.delay(this.latencyMs);
    if (this.dropped(req)) return;
    let answer: ApiResponse;
    if (body === undefined) {
      answer = {
        status: 413,
        body: statusBody(
          413,
          'RequestEntityTooLarge',
          'request body too large',
        ),
        returnedSecretData: false,
      };
    } else {
      const ctx: RouteContext = {
        model: this.opts.model,
        token: this.opts.token,
        serverAddress: `${this.opts.host}:${this.port}`,
      };
      answer = route(ctx, {
        method: entry.method,
        path: url.pathname,
        query: url.searchParams,
        accept: req.headers.accept,
        contentType: req.headers['content-type'],
        authorization: req.headers.authorization,
        body,
      });
    }
    entry.status = answer.status;
    entry.returnedSecretData = answer.returnedSecretData;
    if (answer.watch) {
      this.stream(res, answer.watch);
      this.opts.onRequest?.(entry);
      return;
    }
    const text =
      typeof answer.body === 'string'
        ? answer.body
        : JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      'Content-Type':
        typeof answer.body === 'string'
          ? 'text/plain; charset=utf-8'
          : 'application/json',
      'Cache-Control': 'no-cache, private',
      'Content-Length': Buffer.byteLength(text),
      'X-Kube-Simulator': 'not-kubernetes',
    });
    res.end(entry.method === 'HEAD' ? undefined : text);
    this.opts.onRequest?.(entry);
  }

  /** Streams a watch's events until it times out, the client leaves or the server stops. */
  private stream(res: http.ServerResponse, spec: WatchSpec): void {
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-cache, private',
      'X-Kube-Simulator': 'not-kubernetes',
    });
    // Clients wait for the headers before they read events; a quiet watch must still send them.
    res.flushHeaders();
    const state = new WatchState(spec);
    const send = (events: ReturnType<WatchState['next']>) => {
      for (const event of events) res.write(`${JSON.stringify(event)}\n`);
    };
    send(state.start());
    const poll = setInterval(() => send(state.next()), WATCH_POLL_MS);
    const timers = this.timers;
    const watches = this.watches;
    const timeout: NodeJS.Timeout = setTimeout(end, spec.timeoutMs);
    timers.add(timeout);
    function end() {
      clearInterval(poll);
      clearTimeout(timeout);
      timers.delete(timeout);
      watches.delete(end);
      if (!res.writableEnded) res.end();
    }
    this.watches.add(end);
    res.on('close', end);
  }

  /** When unreachable, leaves the request hanging or drops its socket; true if dropped. */
  private dropped(req: http.IncomingMessage): boolean {
    if (!this.unreachable) return false;
    if (this.unreachable !== 'hang') req.socket.destroy();
    return true;
  }
}
