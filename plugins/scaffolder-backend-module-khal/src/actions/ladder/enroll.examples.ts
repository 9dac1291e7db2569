import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'After catalog registration, place the new entity on the first rung of its ladder at the commit just published',
    example: yaml.stringify({
      steps: [
        {
          id: 'enroll',
          action: 'khal:ladder:enroll',
          name: 'Enroll on the ladder',
          input: {
            entityRef: '${{ steps.register.output.entityRef }}',
            ref: '${{ steps.publish.output.commitHash }}',
          },
        },
      ],
    }),
  },
  {
    description:
      'Give a slow catalog up to five minutes to ingest the new entity before enrolling it',
    example: yaml.stringify({
      steps: [
        {
          id: 'enroll',
          action: 'khal:ladder:enroll',
          input: {
            entityRef: '${{ steps.register.output.entityRef }}',
            ref: '${{ steps.publish.output.commitHash }}',
            catalogWaitSeconds: 300,
          },
        },
      ],
    }),
  },
  {
    description: 'Enroll an entity whose ref is a branch',
    example: yaml.stringify({
      steps: [
        {
          id: 'enroll',
          action: 'khal:ladder:enroll',
          input: { entityRef: 'component:default/orders-api', ref: 'main' },
        },
      ],
    }),
  },
];
