export {
  type CoffreContentOptions,
  type CoffreExtensionsOptions,
  DEFAULT_FIELD,
  HEADING_LEVELS,
  coffreContentExtensions,
  coffreExtensions,
  contentFragment,
} from './coffreExtensions.ts';
export { type CoffreEditorOptions, createCoffreEditor } from './createCoffreEditor.ts';
export {
  type PresenceAwarenessOptions,
  type PresencePeerState,
  type PresenceSource,
  PresenceAwareness,
} from './PresenceAwareness.ts';
export {
  ANONYMOUS_NAME,
  type EditorPresenceState,
  type PeerPresence,
  type PresenceUser,
  decodeRelativePosition,
  encodeRelativePosition,
  parsePeerPresence,
  sanitizeUser,
  sanitizeUserName,
} from './presenceState.ts';
export { renderCaret, renderSelection } from './renderCaret.ts';
export { SafeImage, type SafeImageOptions } from './SafeImage.ts';
export { ATTACHMENT_ATTRIBUTE, type ImageAttachments, insertImageFiles } from './attachmentImages.ts';
export { isSafeImageSource, isSafeLinkUrl } from './safeUrls.ts';
export { USER_COLORS, isHexColor, labelTextColor, userColor } from './userColor.ts';
export { type ContentSource, coffreSchema, toContentJson } from './toContentJson.ts';
export { toMarkdown } from './toMarkdown.ts';
export { type HtmlDocumentOptions, escapeHtml, toHtml, toHtmlDocument } from './toHtml.ts';
export { plainText, suggestTitle } from './plainText.ts';
