/*
 * Metrics for Prometheus. Backstage's MetricsService (and so every plugin's meter, the ladder's
 * among them) records through OpenTelemetry's global MeterProvider; this registers one whose
 * reader is the Prometheus exporter, serving `GET /metrics` on its own port. It must run before
 * the backend starts: a meter taken from the default (no-op) provider stays a no-op.
 *
 *   KHAL_METRICS_PORT  port of the exporter (default 9464, OpenTelemetry's Prometheus default;
 *                      0 turns it off). Give each replica on one host its own.
 *   KHAL_METRICS_HOST  interface to listen on (default 127.0.0.1; 0.0.0.0 for a scraper on
 *                      another host — the metrics carry no secrets, but keep it off the internet).
 */
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

export function startMetricsExporter(env: NodeJS.ProcessEnv = process.env) {
  const port = Number(
    env.KHAL_METRICS_PORT ?? PrometheusExporter.DEFAULT_OPTIONS.port,
  );
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(
      `KHAL_METRICS_PORT must be a port number (0 turns the metrics endpoint off), not "${env.KHAL_METRICS_PORT}"`,
    );
  }
  if (port === 0) return undefined;
  const host = env.KHAL_METRICS_HOST ?? '127.0.0.1';
  const exporter = new PrometheusExporter({ host, port }, error => {
    if (error) {
      // A port already taken must not stop the portal; say what to change.
      console.warn(
        `metrics: could not serve http://${host}:${port}/metrics (${error.message}); set KHAL_METRICS_PORT to a free port, or 0 to turn it off`,
      );
    }
  });
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [exporter] }));
  return exporter;
}
