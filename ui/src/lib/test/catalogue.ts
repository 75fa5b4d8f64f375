// A catalogue fixture for component tests, typed by the generated bindings
// so that a change to the Rust types breaks these tests at type-check time.
import type { Catalogue } from '../bindings/Catalogue';

export const catalogue: Catalogue = {
  providers: [
    {
      kind: 'github',
      name: 'GitHub',
      mark: 'GH',
      tone: 'graphite',
      token_placeholder: 'ghp_… or github_pat_…',
      identity_without_user: null,
    },
    {
      kind: 'gitlab',
      name: 'GitLab',
      mark: 'GL',
      tone: 'orange',
      token_placeholder: 'glpat-…',
      identity_without_user: null,
    },
    {
      kind: 'bitbucket',
      name: 'Bitbucket',
      mark: 'BB',
      tone: 'blue',
      token_placeholder: 'ATCTT…',
      identity_without_user: 'itself (access tokens have no user)',
    },
  ],
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
          fields: [
            {
              field: 'org',
              label: 'Organization',
              placeholder: 'acme',
              required: false,
              qualifier: '(if the repositories belong to one)',
              why: '',
              value_name: '',
            },
            {
              field: 'repo',
              label: 'Repository',
              placeholder: 'acme/web',
              required: false,
              qualifier: '(optional: checked when given)',
              why: '',
              value_name: '',
            },
          ],
          page: {
            prefilled: true,
            note: 'it opens with the scopes, the note and the expiry filled in; the checklist above is what counts',
          },
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
          fields: [
            {
              field: 'org',
              label: 'Organization',
              placeholder: 'acme',
              required: false,
              qualifier: '(if the repositories belong to one)',
              why: '',
              value_name: '',
            },
            {
              field: 'repo',
              label: 'Repository',
              placeholder: 'acme/web',
              required: true,
              qualifier: '(required: the token is checked on it)',
              why: '',
              value_name: '',
            },
          ],
          page: {
            prefilled: false,
            note: 'GitHub may fill in the name and expiry, but not reliably the permissions: set each one from the checklist above, which is the source of truth',
          },
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
          fields: [
            {
              field: 'project',
              label: 'Project path',
              placeholder: 'group/project',
              required: true,
              qualifier: '(required)',
              why: '',
              value_name: '',
            },
          ],
          page: {
            prefilled: false,
            note: 'GitLab fills in nothing there: choose the role Maintainer (or Owner), since the page starts at Guest; tick the scopes api and read_repository; and set an expiration date (at most a year)',
          },
        },
      ],
    },
  ],
  best_practices: ['Rotate before expiry.'],
  simulator: null,
};
