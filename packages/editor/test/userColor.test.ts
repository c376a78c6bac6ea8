import { describe, expect, it } from 'vitest';
import { USER_COLORS, isHexColor, labelTextColor, userColor } from '../src/index.ts';

function luminance(color: string): number {
  const [red = 0, green = 0, blue = 0] = [1, 3, 5].map((start) => {
    const value = parseInt(color.slice(start, start + 2), 16) / 255;
    return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * red + 0.7152 * green + 0.0722 * blue;
}

function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

describe('caret colours', () => {
  it('keeps white label text readable (4.5:1, WCAG AA) on every palette colour', () => {
    for (const color of USER_COLORS) {
      expect(labelTextColor(color)).toBe('#ffffff');
      expect(contrast(color, '#ffffff')).toBeGreaterThanOrEqual(4.5);
    }
  });

  it('picks black label text on light colours', () => {
    expect(labelTextColor('#ffeb3b')).toBe('#000000');
    expect(contrast('#ffeb3b', labelTextColor('#ffeb3b'))).toBeGreaterThanOrEqual(4.5);
  });

  it('derives the same palette colour from the same seed', () => {
    expect(userColor('Ada')).toBe(userColor('Ada'));
    expect(USER_COLORS).toContain(userColor(123456));
    expect(isHexColor(userColor('anything'))).toBe(true);
  });
});
