import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Fail the run when the khal-app.json at the workspace root is invalid',
    example: yaml.stringify({
      steps: [
        {
          id: 'validate',
          action: 'khal:manifest:validate',
          name: 'Validate khal-app.json',
        },
      ],
    }),
  },
  {
    description:
      'Report the problems of a manifest in a sub-folder without failing the step',
    example: yaml.stringify({
      steps: [
        {
          id: 'validate',
          action: 'khal:manifest:validate',
          name: 'Check khal-app.json',
          input: { path: 'app/khal-app.json', failOnProblems: false },
        },
      ],
    }),
  },
];
