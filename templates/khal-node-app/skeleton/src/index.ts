import { createServer } from 'node:http';

// The port and every setting come from the environment: values are supplied per rung as App
// Settings (PM2 env on the local rung, Secrets/ConfigMaps on Kubernetes rungs), never from git.
const port = Number(process.env.PORT ?? 8080);
const name = '${{ values.name }}';
// The commit khal deployed (set by the PM2 ecosystem file from KHAL_REF).
const ref = process.env.KHAL_REF || undefined;

const server = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'ok', name, ref }));
    return;
  }
  if (req.url === '/') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`${name} is running\n`);
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found\n');
});

server.listen(port, () => {
  console.log(`${name} listening on http://localhost:${port} (health: /healthz)`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
