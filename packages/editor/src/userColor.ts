/**
 * Caret colours, each dark enough for white label text (contrast at least 4.5:1, WCAG AA).
 */
export const USER_COLORS: readonly string[] = [
  '#1d4ed8', // blue
  '#b91c1c', // red
  '#047857', // green
  '#7e22ce', // purple
  '#c2410c', // orange
  '#0e7490', // cyan
  '#be185d', // pink
  '#4d7c0f', // olive
];

const HEX_COLOR = /^#[0-9a-f]{6}$/i;

/** Whether `color` is a six-digit hex colour, the only form carets accept. */
export function isHexColor(color: unknown): color is string {
  return typeof color === 'string' && HEX_COLOR.test(color);
}

/** A stable colour from {@link USER_COLORS} for a user id, device id or client id. */
export function userColor(seed: string | number): string {
  const text = String(seed);
  let hash = 0;
  for (let index = 0; index < text.length; index += 1) hash = (hash * 31 + text.charCodeAt(index)) >>> 0;
  return USER_COLORS[hash % USER_COLORS.length] as string;
}

/** Black or white, whichever reads better on `background` (a six-digit hex colour). */
export function labelTextColor(background: string): '#000000' | '#ffffff' {
  const channels = [1, 3, 5].map((start) => {
    const value = parseInt(background.slice(start, start + 2), 16) / 255;
    return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  });
  const [red = 0, green = 0, blue = 0] = channels;
  const luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue;
  // Contrast against white is 1.05 / (L + 0.05); against black (L + 0.05) / 0.05. Pick the larger.
  return 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 ? '#ffffff' : '#000000';
}
