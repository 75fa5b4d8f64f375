// Web addresses inside plain text (a check's advice: "Edit it at
// https://github.com/settings/tokens."), found so they can be shown as links.

export interface TextPart {
  text: string;
  /** Set when this part is a web address. */
  url: string | null;
}

// An address runs to the next space; a full stop, comma or closing bracket
// right after it ends the sentence, not the address.
const ADDRESS = /https?:\/\/[^\s<>"]+/g;
const TRAILING = /[.,;:!?)\]]+$/;

export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(ADDRESS)) {
    const url = match[0].replace(TRAILING, '');
    const start = match.index;
    if (start > last) parts.push({ text: text.slice(last, start), url: null });
    parts.push({ text: url, url });
    last = start + url.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last), url: null });
  return parts;
}
