import { toolsOf } from './commandTools';

describe('toolsOf', () => {
  it('needs no tool for a URL (a rung\'s open entry is browsed to, not run)', () => {
    expect(toolsOf('http://localhost:8080')).toEqual([]);
    expect(toolsOf('https://orders.hml.example.com/healthz')).toEqual([]);
  });

  it('names the first program of each part of a pipeline or command list', () => {
    expect(
      toolsOf(
        "sed -e 's/@REF@/abc/g' deploy/kubernetes.yaml | kubectl --context shared-dev apply -f - && kubectl rollout status deploy/x",
      ),
    ).toEqual(['sed', 'kubectl']);
    expect(
      toolsOf('pm2 startOrReload ecosystem.config.js --only walk-svc'),
    ).toEqual(['pm2']);
    expect(
      toolsOf('docker compose up -d --build; git checkout abc || true'),
    ).toEqual(['docker', 'git']);
  });

  it('does not take the remote half of an ssh command (quoted) for a local tool', () => {
    expect(toolsOf("ssh vm-105 'cd apps/x && helm upgrade x'")).toEqual([
      'ssh',
    ]);
    expect(
      toolsOf('ssh vm-105 "pm2 reload \\"x\\" && kubectl get pods"'),
    ).toEqual(['ssh']);
  });

  it('reads redirections as redirections, not as commands', () => {
    expect(toolsOf('echo boom >&2; exit 4')).toEqual([]);
    expect(
      toolsOf('npm run typecheck 2>&1 | khal evidence push --file -'),
    ).toEqual(['npm', 'khal']);
    expect(
      toolsOf(
        '> out.txt sed -n 1p file && 2> err kubectl get pods; &> all pm2 ls',
      ),
    ).toEqual(['sed', 'kubectl', 'pm2']);
  });

  it('skips variable assignments, builtins and commands named by a variable', () => {
    expect(
      toolsOf(
        'PORT=8081 KHAL_PM2_NAME=x pm2 startOrReload ecosystem.config.js',
      ),
    ).toEqual(['pm2']);
    expect(
      toolsOf('cd "$KHAL_DATA_DIR/mirrors/x" && test -d .git && $EDITOR file'),
    ).toEqual([]);
    expect(toolsOf('(cd sub && npm run build)')).toEqual(['npm']);
  });
});
