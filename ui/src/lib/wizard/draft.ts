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
