// The wizard's "also add it to Qovery", done once the token is saved:
// create a git token with its value, or replace an existing git token's
// value (link, then push).
import { errorMessage, qoveryLink, qoveryPush } from '../api';

export type QoveryChoice =
  | { kind: 'none' }
  | { kind: 'create'; orgId: string }
  | { kind: 'replace'; orgId: string; gitTokenId: string };

/**
 * Adds the saved token (by its id) to Qovery as chosen. `consent`: the user
 * already agreed to store a value that falls short. Returns what went
 * wrong in Qovery's words, or null when done (or nothing was asked).
 */
export async function addToQovery(
  id: string,
  choice: QoveryChoice,
  consent: boolean,
): Promise<string | null> {
  try {
    if (choice.kind === 'create') {
      await qoveryPush(id, choice.orgId, true, consent);
    } else if (choice.kind === 'replace') {
      await qoveryLink(id, choice.orgId, choice.gitTokenId);
      await qoveryPush(id, null, false, consent);
    }
    return null;
  } catch (error) {
    return errorMessage(error);
  }
}
