// A catalogue fixture for component tests, typed by the generated bindings
// so that a change to the Rust types breaks these tests at type-check time.
import type { Catalogue } from '../bindings/Catalogue';

export const catalogue: Catalogue = {
  deployments: [
    {
      id: 'github',
      provider: 'github',
      name: 'GitHub',
      tagline: 'github.com',
      host: { type: 'fixed', web_url: 'https://github.com', api_url: 'https://api.github.com' },
      token_kinds: [
        {
          id: 'classic',
          name: 'Classic personal access token',
          summary: 'Scopes apply to every repository.',
          recommended: true,
          requirements: [
            {
              kind: 'scope',
              name: 'repo',
              level: null,
              reason: 'Read repositories.',
              only_when: null,
              reported_as: 'repo',
            },
            {
              kind: 'scope',
              name: 'read:org',
              level: null,
              reason: 'See the organization.',
              only_when: 'the repositories belong to an organization',
              reported_as: 'read:org',
            },
          ],
          notes: ['Use a service account.'],
        },
        {
          id: 'fine-grained',
          name: 'Fine-grained personal access token',
          summary: 'Limited to picked repositories.',
          recommended: false,
          requirements: [
            {
              kind: 'permission',
              name: 'Webhooks',
              level: 'Read and write',
              reason: 'Manage webhooks.',
              only_when: null,
              reported_as: 'repository_hooks:write',
            },
          ],
          notes: [],
        },
      ],
    },
    {
      id: 'gitlab-self-managed',
      provider: 'gitlab',
      name: 'Self-managed GitLab',
      tagline: 'Your own GitLab instance',
      host: {
        type: 'user-supplied',
        label: 'Instance address',
        placeholder: 'https://gitlab.example.com',
        hint: 'The address you open in the browser.',
      },
      token_kinds: [
        {
          id: 'project',
          name: 'Project access token',
          summary: 'Belongs to a bot user.',
          recommended: true,
          requirements: [
            {
              kind: 'role',
              name: 'Role',
              level: 'Maintainer or Owner',
              reason: 'Manage webhooks.',
              only_when: null,
              reported_as: 'role:maintainer',
            },
          ],
          notes: [],
        },
      ],
    },
  ],
  best_practices: ['Rotate before expiry.'],
};
