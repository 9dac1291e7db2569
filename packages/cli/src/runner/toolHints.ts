/*
 * How to get each tool a rung command may need. The hint is what a person
 * types (or reads) next; tools not listed get a generic hint naming them.
 */

const HINTS: Record<string, string> = {
  kubectl:
    'Debian/Ubuntu: sudo apt-get install -y kubernetes-client; other systems: https://kubernetes.io/docs/tasks/tools/',
  pm2: 'it comes with the khal CLI: run khal from the Khal Ladder workspace (npx --prefix <workspace> khal …), or npm install -g pm2',
  helm: 'https://helm.sh/docs/intro/install/ (or use the rung’s kubectl commands with deploy/kubernetes.yaml)',
  docker:
    'Debian/Ubuntu: sudo apt-get install -y docker.io docker-compose-v2; other systems: https://docs.docker.com/engine/install/',
  ssh: 'Debian/Ubuntu: sudo apt-get install -y openssh-client, and an SSH alias for the rung’s host in ~/.ssh/config',
  git: 'Debian/Ubuntu: sudo apt-get install -y git',
  kind: 'https://kind.sigs.k8s.io/docs/user/quick-start/#installation',
  npm: 'install Node.js 22 (it brings npm): https://nodejs.org/',
  node: 'install Node.js 22: https://nodejs.org/',
  sed: 'Debian/Ubuntu: sudo apt-get install -y sed',
  khal: 'run it from the Khal Ladder workspace: npx --prefix <workspace> khal …, or npm link in <workspace>/packages/cli',
};

/** How to install a tool, as one line. */
export function installHint(tool: string): string {
  return (
    HINTS[tool] ??
    `install ${tool} with your system's package manager and make sure it is on PATH`
  );
}
