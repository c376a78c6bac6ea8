const LINK_SCHEMES = new Set(['http', 'https', 'mailto', 'tel']);
const IMAGE_SCHEMES = new Set(['http', 'https']);
const DATA_IMAGE = /^data:image\/(?:png|jpeg|gif|webp|avif);base64,[a-z0-9+/]+={0,2}$/i;
// Browsers ignore ASCII control characters and whitespace inside a scheme ("java\tscript:").
// eslint-disable-next-line no-control-regex
const IGNORED_BY_BROWSERS = /[\u0000-\u0020\u007f-\u00a0\u1680\u180e\u2000-\u2029\u205f\u3000\ufeff]/g;
const SCHEME = /^([a-z][a-z0-9+.-]*):/i;

function schemeOf(url: string): string | null {
  const match = SCHEME.exec(url.replace(IGNORED_BY_BROWSERS, ''));
  return match ? (match[1] as string).toLowerCase() : null;
}

/**
 * Whether `href` may become a link: http(s), mailto and tel, or a URL without a scheme
 * (relative, `#anchor`). `javascript:`, `data:`, `vbscript:` and every other scheme are refused.
 */
export function isSafeLinkUrl(href: unknown): href is string {
  if (typeof href !== 'string' || href.trim() === '' || href.length > 8192) return false;
  const scheme = schemeOf(href);
  return scheme === null || LINK_SCHEMES.has(scheme);
}

/**
 * Whether `src` may be shown as an image: an absolute http(s) URL or a base64 `data:` URL of a
 * raster image (png, jpeg, gif, webp, avif). SVG and every other scheme are refused.
 */
export function isSafeImageSource(src: unknown): src is string {
  if (typeof src !== 'string' || src === '') return false;
  if (src.startsWith('data:')) return DATA_IMAGE.test(src);
  if (src.length > 8192) return false;
  const scheme = schemeOf(src);
  return scheme !== null && IMAGE_SCHEMES.has(scheme) && URL.canParse(src);
}
