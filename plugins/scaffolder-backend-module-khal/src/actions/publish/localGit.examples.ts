import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Publish the whole workspace to a new bare repository <khal.localGit.root>/orders-api.git',
    example: yaml.stringify({
      steps: [
        {
          id: 'publish',
          action: 'khal:publish:local',
          name: 'Publish to a local git repository',
          input: { repoName: 'orders-api' },
        },
      ],
    }),
  },
  {
    description:
      'Publish a sub-folder of the workspace on a "trunk" branch with a custom message',
    example: yaml.stringify({
      steps: [
        {
          id: 'publish',
          action: 'khal:publish:local',
          input: {
            repoName: '${{ parameters.name }}',
            sourcePath: 'app',
            defaultBranch: 'trunk',
            commitMessage: 'Scaffold ${{ parameters.name }}',
          },
        },
      ],
    }),
  },
];
