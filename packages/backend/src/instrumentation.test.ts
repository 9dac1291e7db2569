import { metrics } from '@opentelemetry/api';
import { createServer } from 'node:net';
import { startMetricsExporter } from './instrumentation';

const freePort = () =>
  new Promise<number>(resolve => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

describe('metrics exporter', () => {
  afterEach(() => metrics.disable());

  it('serves what plugins record through the global meter on /metrics, in Prometheus format', async () => {
    const port = await freePort();
    const exporter = startMetricsExporter({ KHAL_METRICS_PORT: String(port) });
    try {
      // What Backstage's DefaultMetricsService does for a plugin: a meter from the global provider.
      const meter = metrics.getMeter('ladder');
      meter
        .createCounter('ladder.promotion.transitions')
        .add(2, {
          rung: 'dev',
          from: 'Checking',
          to: 'Blocked',
          kind: 'promotion',
        });
      let res: Response | undefined;
      for (let i = 0; i < 50 && !res?.ok; i++) {
        res = await fetch(`http://127.0.0.1:${port}/metrics`).catch(
          () => undefined,
        );
        if (!res?.ok) await new Promise(r => setTimeout(r, 100));
      }
      expect(res?.status).toBe(200);
      const body = await res!.text();
      expect(body).toMatch(
        /^ladder_promotion_transitions_total\{.*rung="dev".*\} 2$/m,
      );
    } finally {
      await exporter?.shutdown();
    }
  });

  it('is off with port 0 and refuses a port that is not one, naming the variable', () => {
    expect(startMetricsExporter({ KHAL_METRICS_PORT: '0' })).toBeUndefined();
    expect(() => startMetricsExporter({ KHAL_METRICS_PORT: 'ninety' })).toThrow(
      /KHAL_METRICS_PORT must be a port number/,
    );
  });
});
