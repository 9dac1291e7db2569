import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Write khal-app.json for a Node service with a secret and a plain setting',
    example: yaml.stringify({
      steps: [
        {
          id: 'manifest',
          action: 'khal:manifest:create',
          name: 'Write khal-app.json',
          input: {
            name: 'orders-api',
            title: 'Orders API',
            owner: 'group:default/team-orders',
            description: 'Takes customer orders.',
            runtime: {
              kind: 'node',
              build: 'npm run build',
              typecheck: 'npm run typecheck',
              start: 'node dist/index.js',
              port: 8080,
              health: '/healthz',
            },
            settings: [
              {
                name: 'DATABASE_URL',
                description: 'Orders database',
                required: true,
                secret: true,
              },
              { name: 'LOG_LEVEL', required: false, default: 'info' },
            ],
            kubernetesId: 'orders-api',
            chart: 'deploy/chart',
          },
        },
      ],
    }),
  },
  {
    description:
      'Write the manifest from template parameters into a sub-folder of the workspace',
    example: yaml.stringify({
      steps: [
        {
          id: 'manifest',
          action: 'khal:manifest:create',
          name: 'Write khal-app.json',
          input: {
            name: '${{ parameters.name }}',
            title: '${{ parameters.name }}',
            owner: '${{ parameters.owner }}',
            runtime: { kind: 'node', start: 'node dist/index.js' },
            settings: '${{ parameters.settings }}',
            path: 'app/khal-app.json',
          },
        },
      ],
    }),
  },
];
