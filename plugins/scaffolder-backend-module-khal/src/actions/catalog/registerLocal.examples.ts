import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Hand the workspace catalog-info.yaml to the local catalog (picked up by the file location glob)',
    example: yaml.stringify({
      steps: [
        {
          id: 'register',
          action: 'khal:catalog:register-local',
          name: 'Register in the catalog',
          input: { name: '${{ parameters.name }}' },
        },
      ],
    }),
  },
  {
    description: 'Register a descriptor that is not at the workspace root',
    example: yaml.stringify({
      steps: [
        {
          id: 'register',
          action: 'khal:catalog:register-local',
          input: {
            name: 'orders-api',
            catalogInfoPath: 'app/catalog-info.yaml',
          },
        },
      ],
    }),
  },
];
