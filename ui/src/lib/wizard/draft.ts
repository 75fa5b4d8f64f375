// What the wizard has gathered so far, and how it becomes the target the
// Rust side checks against.
import type { Deployment } from '../bindings/Deployment';
import type { TargetField } from '../bindings/TargetField';
import type { TokenKindInfo } from '../bindings/TokenKindInfo';
import type { TokenTarget } from '../bindings/TokenTarget';

export interface Draft {
  deployment: Deployment;
  kind: TokenKindInfo;
  host: string;
  org: string;
  repo: string;
  project: string;
  group: string;
  workspace: string;
  environment: string;
  /** A date the user read off the provider's page (YYYY-MM-DD), or ''. */
  expiresAt: string;
  /** Self-hosted servers only: the path of a private CA's PEM file, or ''. */
  caFile: string;
}

export function newDraft(deployment: Deployment, kind: TokenKindInfo): Draft {
  return {
    deployment,
    kind,
    host: '',
    org: '',
    repo: '',
    project: '',
    group: '',
    workspace: '',
    environment: 'production',
    expiresAt: '',
    caFile: '',
  };
}

const blank = (value: string): string | null => (value.trim() === '' ? null : value.trim());

/** A field's value when the chosen kind asks for it (the catalogue says which). */
function asked(draft: Draft, field: TargetField): string | null {
  return draft.kind.fields.some((spec) => spec.field === field) ? blank(draft[field]) : null;
}

export function targetOf(draft: Draft): TokenTarget {
  const { deployment, kind } = draft;
  const fixed = deployment.host.type === 'fixed' ? deployment.host : null;
  return {
    provider: deployment.provider,
    kind: kind.id,
    host: fixed ? null : blank(draft.host),
    api_url: fixed ? fixed.api_url : null,
    org: asked(draft, 'org'),
    repo: asked(draft, 'repo'),
    project: asked(draft, 'project'),
    group: asked(draft, 'group'),
    workspace: asked(draft, 'workspace'),
    expires_at: blank(draft.expiresAt),
    ca_file: fixed ? null : blank(draft.caFile),
  };
}

/**
 * The target for building the provider's token-page link: the CA file
 * plays no part in the link, and leaving it out keeps a half-typed path
 * from failing the link while the user types (the check names a bad file).
 */
export function linkTargetOf(draft: Draft): TokenTarget {
  return { ...targetOf(draft), ca_file: null };
}

/** The fields this deployment and kind need, with what is still missing. */
export function missingFields(draft: Draft): string[] {
  const missing: string[] = [];
  const { deployment, kind } = draft;
  if (deployment.host.type === 'user-supplied' && !blank(draft.host)) missing.push('host');
  for (const spec of kind.fields) {
    if (spec.required && !blank(draft[spec.field])) missing.push(spec.field);
  }
  return missing;
}

/**
 * What to keep of a web address pasted where a path or name is asked
 * (`https://gitlab.com/acme/web` → `acme/web`): the address's path, cut to
 * what the field holds. An organization or workspace is the first part; a
 * repository is `owner/name` when the field's example has a slash, else the
 * name after the owner; a project or group is the whole path up to `/-/`
 * (the separator before a project's own pages). Anything that is not an
 * http(s) address is returned as typed.
 */
export function pathFromAddress(field: TargetField, value: string, placeholder: string): string {
  const typed = value.trim();
  if (!/^https?:\/\//i.test(typed)) return value;
  let url: URL;
  try {
    url = new URL(typed);
  } catch {
    return value;
  }
  let parts = url.pathname
    .split('/')
    .filter(Boolean)
    .map((part) => {
      try {
        return decodeURIComponent(part);
      } catch {
        return part;
      }
    });
  const separator = parts.indexOf('-');
  if (separator >= 0) parts = parts.slice(0, separator);
  if (parts.length === 0) return value;
  switch (field) {
    case 'org':
    case 'workspace':
      return parts[0] ?? value;
    case 'repo': {
      const pair = parts.slice(0, 2).map((p) => p.replace(/\.git$/, ''));
      if (placeholder.includes('/')) return pair.length === 2 ? pair.join('/') : value;
      return pair[pair.length - 1] ?? value;
    }
    case 'project':
    case 'group': {
      if (field === 'group' && parts[0] === 'groups') parts = parts.slice(1);
      return parts.join('/').replace(/\.git$/, '') || value;
    }
  }
}

/**
 * Why a token name cannot be used, in the rule's own words, or null. The
 * same rule as the vault's (`vault/names.rs` `name_problem`, which decides
 * on save); said here as the user types, so nobody meets it only as a
 * refusal.
 */
export function nameProblem(name: string): string | null {
  const typed = name.trim();
  if (typed === '') return 'Give it a name.';
  // Counted in code points, as Rust counts `chars()`.
  if (Array.from(typed).length > 64) return 'A name has at most 64 characters.';
  if (!/^[A-Za-z0-9]/.test(typed)) return 'A name starts with a letter or a digit.';
  if (!/^[A-Za-z0-9._-]*$/.test(typed)) {
    return 'A name has only letters, digits, “-”, “_” and “.” (no spaces).';
  }
  return null;
}
