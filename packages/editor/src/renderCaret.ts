import type { DecorationAttrs } from '@tiptap/pm/view';
import { sanitizeUser } from './presenceState.ts';
import { labelTextColor } from './userColor.ts';

/**
 * The DOM of a peer's caret: a coloured bar with the name in a label above it. The name is set
 * as text (never parsed as HTML) and sanitized again here, whatever the caller passes.
 */
export function renderCaret(user: Record<string, unknown>): HTMLElement {
  const { name, color } = sanitizeUser(user, String(user['name']));
  const caret = document.createElement('span');
  caret.className = 'collaboration-carets__caret';
  // Screen readers would read the label in the middle of the text; the app lists editors instead.
  caret.setAttribute('aria-hidden', 'true');
  caret.contentEditable = 'false';
  caret.style.setProperty('--coffre-caret-color', color);
  const label = document.createElement('span');
  label.className = 'collaboration-carets__label';
  label.style.setProperty('--coffre-caret-label-color', labelTextColor(color));
  label.textContent = name;
  caret.append(label);
  return caret;
}

/** The highlight of a peer's selection, in their colour at low opacity. */
export function renderSelection(user: Record<string, unknown>): DecorationAttrs {
  const { color } = sanitizeUser(user, String(user['name']));
  return { class: 'collaboration-carets__selection', style: `--coffre-caret-color: ${color}` };
}
